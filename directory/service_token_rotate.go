package directory

import "context"

// RotateToken replaces a live token with a new one of the same scope and
// description, in one transaction: the old secret stops working at once,
// here and (within tokenCacheTTL) on every replica, and the new one is
// returned with its secret, which is never kept and can't be shown again.
// To switch an identity provider over without a gap, create a second
// token instead and revoke the first once the provider uses the new one.
// It returns ErrNotFound for a token of another tenant or one already
// revoked.
func (s *Service) RotateToken(ctx context.Context, actor Actor, tenant int64, id string) (*Token, string, error) {
	secret := newTokenSecret()
	var out, old *Token
	err := s.store.Write(ctx, func(tx Tx) error {
		now := s.clock()
		var err error
		if old, err = tx.RevokeToken(ctx, tenant, id, now); err != nil {
			return err
		}
		out = &Token{ID: NewID(), TenantID: tenant, Scope: old.Scope, Hash: HashToken(secret), Description: old.Description, Created: now}
		if err := tx.InsertToken(ctx, out); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "token.rotate", "token", out.ID, out.Description,
			[]Change{{Field: "replaces", Before: old.ID, After: out.ID}, {Field: "scope", After: out.Scope}}))
	})
	if err != nil {
		return nil, "", err
	}
	s.forgetToken(old.ID)
	return out, secret, nil
}
