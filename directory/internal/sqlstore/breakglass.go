package sqlstore

import (
	"context"
	"time"

	"github.com/scimd/scimd/directory"
)

// Break-glass: credentials, recovery codes, links and throttles (migration
// 0006).

// --- credentials ---------------------------------------------------------

const credentialColumns = `c.tenant_id, c.user_id, c.password_hash, c.totp_secret, c.totp_last_step, c.enrolled_at, c.last_sign_in_at, c.updated_at,
	(SELECT count(*) FROM breakglass_recovery_codes r WHERE r.user_id = c.user_id AND r.used_at IS NULL)`

func scanCredentials(r Row) (*directory.BreakGlassCredentials, error) {
	var c directory.BreakGlassCredentials
	if err := r.Scan(&c.TenantID, &c.UserID, &c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep, scanNullTime(&c.Enrolled),
		scanNullTime(&c.LastSignIn), scanTime(&c.Updated), &c.CodesLeft); err != nil {
		return nil, err
	}
	return &c, nil
}

// BreakGlassCredentials returns an account's credentials.
func (s *Store) BreakGlassCredentials(ctx context.Context, tenant int64, user string) (*directory.BreakGlassCredentials, error) {
	user, ok := canonical(user)
	if !ok {
		return nil, directory.ErrNotFound
	}
	c, err := scanCredentials(s.db.QueryRow(ctx, `SELECT `+credentialColumns+` FROM breakglass_credentials c WHERE c.tenant_id = $1 AND c.user_id = $2`, tenant, user))
	return c, s.mapError(err)
}

func (t *tx) BreakGlassCredentialsForUpdate(ctx context.Context, tenant int64, user string) (*directory.BreakGlassCredentials, error) {
	user, ok := canonical(user)
	if !ok {
		return nil, directory.ErrNotFound
	}
	c, err := scanCredentials(t.db.QueryRow(ctx, `SELECT `+credentialColumns+` FROM breakglass_credentials c WHERE c.tenant_id = $1 AND c.user_id = $2`+t.s.d.ForUpdate, tenant, user))
	return c, t.s.mapError(err)
}

func (t *tx) SaveBreakGlassCredentials(ctx context.Context, c *directory.BreakGlassCredentials) error {
	_, err := t.db.Exec(ctx, `INSERT INTO breakglass_credentials (user_id, tenant_id, password_hash, totp_secret, totp_last_step, enrolled_at, last_sign_in_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, totp_secret = excluded.totp_secret,
			totp_last_step = excluded.totp_last_step, enrolled_at = excluded.enrolled_at,
			last_sign_in_at = excluded.last_sign_in_at, updated_at = excluded.updated_at`,
		c.UserID, c.TenantID, c.PasswordHash, c.TOTPSecret, c.TOTPLastStep, nullTime(c.Enrolled), nullTime(c.LastSignIn), c.Updated)
	return t.s.mapError(err)
}

func (t *tx) DeleteBreakGlassCredentials(ctx context.Context, tenant int64, user string) error {
	user, ok := canonical(user)
	if !ok {
		return nil
	}
	for _, q := range []string{
		`DELETE FROM breakglass_recovery_codes WHERE tenant_id = $1 AND user_id = $2`,
		`DELETE FROM breakglass_links WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL`,
		`DELETE FROM breakglass_credentials WHERE tenant_id = $1 AND user_id = $2`,
	} {
		if _, err := t.db.Exec(ctx, q, tenant, user); err != nil {
			return t.s.mapError(err)
		}
	}
	return nil
}

func (t *tx) CountBreakGlass(ctx context.Context, tenant int64) (int, error) {
	var n int
	err := t.db.QueryRow(ctx, `SELECT count(*) FROM users WHERE tenant_id = $1 AND deleted_at IS NULL AND active = TRUE AND break_glass = TRUE`, tenant).Scan(&n)
	return n, t.s.mapError(err)
}

// --- recovery codes and TOTP steps ---------------------------------------

func (t *tx) ReplaceRecoveryCodes(ctx context.Context, tenant int64, user string, hashes [][]byte) error {
	if _, err := t.db.Exec(ctx, `DELETE FROM breakglass_recovery_codes WHERE tenant_id = $1 AND user_id = $2`, tenant, user); err != nil {
		return t.s.mapError(err)
	}
	for _, h := range hashes {
		if _, err := t.db.Exec(ctx, `INSERT INTO breakglass_recovery_codes (user_id, hash, tenant_id) VALUES ($1, $2, $3)`, user, h, tenant); err != nil {
			return t.s.mapError(err)
		}
	}
	return nil
}

func (t *tx) UseRecoveryCode(ctx context.Context, tenant int64, user string, hash []byte, at time.Time) error {
	n, err := t.db.Exec(ctx, `UPDATE breakglass_recovery_codes SET used_at = $4 WHERE user_id = $2 AND hash = $3 AND tenant_id = $1 AND used_at IS NULL`,
		tenant, user, hash, at)
	if err != nil {
		return t.s.mapError(err)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// UseTOTPStep moves the last step on only forwards, in one statement, so
// that of two sign-ins with the same code (on two replicas) one wins.
func (t *tx) UseTOTPStep(ctx context.Context, tenant int64, user string, step int64) error {
	n, err := t.db.Exec(ctx, `UPDATE breakglass_credentials SET totp_last_step = $3 WHERE tenant_id = $1 AND user_id = $2 AND totp_last_step < $3`,
		tenant, user, step)
	if err != nil {
		return t.s.mapError(err)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// --- links ---------------------------------------------------------------

const breakGlassLinkColumns = `hash, tenant_id, user_id, purpose, created_at, expires_at, used_at`

func scanBreakGlassLink(r Row) (*directory.BreakGlassLink, error) {
	var l directory.BreakGlassLink
	if err := r.Scan(&l.Hash, &l.TenantID, &l.UserID, &l.Purpose, scanTime(&l.Created), scanTime(&l.Expires), scanNullTime(&l.Used)); err != nil {
		return nil, err
	}
	return &l, nil
}

// BreakGlassLink returns a link by its hash.
func (s *Store) BreakGlassLink(ctx context.Context, tenant int64, hash []byte) (*directory.BreakGlassLink, error) {
	l, err := scanBreakGlassLink(s.db.QueryRow(ctx, `SELECT `+breakGlassLinkColumns+` FROM breakglass_links WHERE hash = $1 AND tenant_id = $2`, hash, tenant))
	return l, s.mapError(err)
}

// BreakGlassLinks returns a user's unused links of a purpose, newest first.
func (s *Store) BreakGlassLinks(ctx context.Context, tenant int64, user string, purpose directory.LinkPurpose) ([]*directory.BreakGlassLink, error) {
	user, ok := canonical(user)
	if !ok {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+breakGlassLinkColumns+` FROM breakglass_links
		WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND used_at IS NULL ORDER BY created_at DESC`, tenant, user, string(purpose))
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.BreakGlassLink
	for rows.Next() {
		l, err := scanBreakGlassLink(rows)
		if err != nil {
			return nil, s.mapError(err)
		}
		out = append(out, l)
	}
	return out, s.mapError(rows.Err())
}

func (t *tx) InsertBreakGlassLink(ctx context.Context, l *directory.BreakGlassLink) error {
	_, err := t.db.Exec(ctx, `INSERT INTO breakglass_links (`+breakGlassLinkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		l.Hash, l.TenantID, l.UserID, string(l.Purpose), l.Created, l.Expires, nullTime(l.Used))
	return t.s.mapError(err)
}

// UseBreakGlassLink marks a link used in one statement: of two requests
// with the same link, one gets it.
func (t *tx) UseBreakGlassLink(ctx context.Context, tenant int64, hash []byte, at time.Time) (*directory.BreakGlassLink, error) {
	l, err := scanBreakGlassLink(t.db.QueryRow(ctx, `UPDATE breakglass_links SET used_at = $3 WHERE hash = $1 AND tenant_id = $2 AND used_at IS NULL
		RETURNING `+breakGlassLinkColumns, hash, tenant, at))
	return l, t.s.mapError(err)
}

func (t *tx) DeleteBreakGlassLinks(ctx context.Context, tenant int64, user string, purpose directory.LinkPurpose) error {
	_, err := t.db.Exec(ctx, `DELETE FROM breakglass_links WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND used_at IS NULL`,
		tenant, user, string(purpose))
	return t.s.mapError(err)
}

// --- throttles -----------------------------------------------------------

const throttleColumns = `tenant_id, key, failures, last_failure_at, locked_until`

func scanThrottle(r Row) (*directory.Throttle, error) {
	var th directory.Throttle
	if err := r.Scan(&th.TenantID, &th.Key, &th.Failures, scanTime(&th.LastFailure), scanNullTime(&th.LockedUntil)); err != nil {
		return nil, err
	}
	return &th, nil
}

// Throttles returns the throttles of keys.
func (s *Store) Throttles(ctx context.Context, tenant int64, keys []string) ([]*directory.Throttle, error) {
	var out []*directory.Throttle
	for _, k := range keys {
		th, err := scanThrottle(s.db.QueryRow(ctx, `SELECT `+throttleColumns+` FROM signin_throttles WHERE tenant_id = $1 AND key = $2`, tenant, k))
		if err = s.mapError(err); err == directory.ErrNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, th)
	}
	return out, nil
}

// ThrottleForUpdate locks the key's row, made first with no failures if
// the key has none, so that two first attempts at once (on two replicas)
// wait for each other too.
func (t *tx) ThrottleForUpdate(ctx context.Context, tenant int64, key string) (*directory.Throttle, error) {
	if _, err := t.db.Exec(ctx, `INSERT INTO signin_throttles (`+throttleColumns+`) VALUES ($1, $2, 0, $3, NULL)
		ON CONFLICT (tenant_id, key) DO NOTHING`, tenant, key, time.Unix(0, 0).UTC()); err != nil {
		return nil, t.s.mapError(err)
	}
	th, err := scanThrottle(t.db.QueryRow(ctx, `SELECT `+throttleColumns+` FROM signin_throttles WHERE tenant_id = $1 AND key = $2`+t.s.d.ForUpdate, tenant, key))
	return th, t.s.mapError(err)
}

func (t *tx) SaveThrottle(ctx context.Context, th *directory.Throttle) error {
	_, err := t.db.Exec(ctx, `INSERT INTO signin_throttles (`+throttleColumns+`) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
			locked_until = excluded.locked_until`,
		th.TenantID, th.Key, th.Failures, th.LastFailure, nullTime(th.LockedUntil))
	return t.s.mapError(err)
}

func (t *tx) SweepBreakGlass(ctx context.Context, before time.Time) (int, error) {
	a, err := t.db.Exec(ctx, `DELETE FROM breakglass_links WHERE expires_at < $1`, before)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	b, err := t.db.Exec(ctx, `DELETE FROM signin_throttles WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $1)`, before)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	return int(a + b), nil
}
