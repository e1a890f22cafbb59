package directory

import (
	"context"
	"strings"
	"time"
)

// CreateToken makes a bearer token for the tenant and returns it with its
// secret, which is never kept and can't be shown again.
func (s *Service) CreateToken(ctx context.Context, actor Actor, tenant int64, scope Scope, description string) (*Token, string, error) {
	if !scope.Valid() {
		return nil, "", invalid("scope", "token scope %q is not scim or admin", scope)
	}
	description = strings.TrimSpace(description)
	if err := checkText("description", description); err != nil {
		return nil, "", err
	}
	secret := newTokenSecret()
	t := &Token{ID: NewID(), TenantID: tenant, Scope: scope, Hash: HashToken(secret), Description: description, Created: s.clock()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.LockTenant(ctx, tenant); err != nil {
			return err
		}
		if err := tx.InsertToken(ctx, t); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "token.create", "token", t.ID, description,
			[]Change{{Field: "scope", After: scope}}))
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens returns the tenant's tokens, newest first, with when each was last
// used (including use not yet written to the store).
func (s *Service) Tokens(ctx context.Context, tenant int64) ([]*Token, error) {
	ts, err := s.store.Tokens(ctx, tenant)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range ts {
		if at, ok := s.lastUsed[t.ID]; ok && (t.LastUsed == nil || at.After(*t.LastUsed)) {
			t.LastUsed = &at
		}
	}
	return ts, nil
}

// RevokeToken revokes a token at once. It returns ErrNotFound for a token
// of another tenant or one already revoked.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, tenant int64, id string) error {
	err := s.store.Write(ctx, func(tx Tx) error {
		t, err := tx.RevokeToken(ctx, tenant, id, s.clock())
		if err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "token.revoke", "token", t.ID, t.Description, nil))
	})
	if err == nil {
		s.forgetToken(id)
	}
	return err
}

// tokenCacheTTL is how long an authenticated token is trusted without
// asking the store again: an IdP's sync sends many requests a second,
// and each would otherwise wait for a database round trip. A token
// revoked by this process stops at once; one revoked elsewhere (another
// replica, the CLI) stops within this time.
const (
	tokenCacheTTL = time.Second
	tokenCacheMax = 10000
)

type cachedToken struct {
	token   *Token
	expires time.Time
}

// Authenticate returns the live token whose secret is secret and notes its
// use. The lookup is by SHA-256, so the secret is never compared as text.
// It returns ErrNotFound for an unknown or revoked secret.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 256 {
		return nil, ErrNotFound
	}
	hash := HashToken(secret)
	now := s.now()
	s.mu.Lock()
	c, ok := s.tokens[string(hash)]
	s.mu.Unlock()
	t := c.token
	if !ok || now.After(c.expires) {
		var err error
		if t, err = s.store.TokenByHash(ctx, hash); err != nil {
			return nil, err
		}
		if t.Revoked != nil {
			return nil, ErrNotFound
		}
		s.mu.Lock()
		if len(s.tokens) >= tokenCacheMax {
			clear(s.tokens)
		}
		s.tokens[string(hash)] = cachedToken{token: t, expires: now.Add(tokenCacheTTL)}
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.lastUsed[t.ID] = TimeValue(now)
	s.mu.Unlock()
	out := *t
	return &out, nil
}

// forgetToken drops a token from the cache, as when it is revoked here.
func (s *Service) forgetToken(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, c := range s.tokens {
		if c.token.ID == id {
			delete(s.tokens, h)
		}
	}
}

// FlushTokenUse writes the last-used times noted since the previous flush.
// Serving calls it every minute and at shutdown, so that using a token
// costs no write of its own.
func (s *Service) FlushTokenUse(ctx context.Context) error {
	s.mu.Lock()
	pending := s.lastUsed
	s.lastUsed = map[string]time.Time{}
	s.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	if err := s.store.TouchTokens(ctx, pending); err != nil {
		// Keep them for the next flush, unless newer use arrived.
		s.mu.Lock()
		for id, at := range pending {
			if cur, ok := s.lastUsed[id]; !ok || cur.Before(at) {
				s.lastUsed[id] = at
			}
		}
		s.mu.Unlock()
		return err
	}
	return nil
}
