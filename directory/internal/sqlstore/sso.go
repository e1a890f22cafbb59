package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/scimd/scimd/directory"
)

// Sign-in: connections, links, pending sign-ins and sessions (migration
// 0004).

// --- connections ---------------------------------------------------------

const connectionColumns = `id, tenant_id, kind, name, enabled, config, secret, created_at, updated_at`

func scanConnection(r Row) (*directory.Connection, error) {
	var c directory.Connection
	var config string
	if err := r.Scan(&c.ID, &c.TenantID, &c.Kind, &c.Name, &c.Enabled, &config, &c.Secret, scanTime(&c.Created), scanTime(&c.Updated)); err != nil {
		return nil, err
	}
	var dst any
	switch c.Kind {
	case directory.KindOIDC:
		c.OIDC = &directory.OIDCConfig{}
		dst = c.OIDC
	case directory.KindSAML:
		c.SAML = &directory.SAMLConfig{}
		dst = c.SAML
	default:
		return &c, nil
	}
	if err := json.Unmarshal([]byte(config), dst); err != nil {
		return nil, fmt.Errorf("connection %s config: %w", c.ID, err)
	}
	if len(c.Secret) == 0 {
		c.Secret = nil
	}
	return &c, nil
}

// connectionConfig is what the config column holds for c.
func connectionConfig(c *directory.Connection) string {
	switch {
	case c.OIDC != nil:
		return jsonText(c.OIDC)
	case c.SAML != nil:
		return jsonText(c.SAML)
	}
	return "{}"
}

// Connections returns the tenant's connections by name.
func (s *Store) Connections(ctx context.Context, tenant int64) ([]*directory.Connection, error) {
	rows, err := s.db.Query(ctx, `SELECT `+connectionColumns+` FROM sso_connections WHERE tenant_id = $1 ORDER BY lower(name), id`, tenant)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, s.mapError(err)
		}
		out = append(out, c)
	}
	return out, s.mapError(rows.Err())
}

// Connection returns one connection.
func (s *Store) Connection(ctx context.Context, tenant int64, id string) (*directory.Connection, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	c, err := scanConnection(s.db.QueryRow(ctx, `SELECT `+connectionColumns+` FROM sso_connections WHERE tenant_id = $1 AND id = $2`, tenant, id))
	return c, s.mapError(err)
}

func (t *tx) InsertConnection(ctx context.Context, c *directory.Connection) error {
	_, err := t.db.Exec(ctx, `INSERT INTO sso_connections (`+connectionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.TenantID, string(c.Kind), c.Name, c.Enabled, connectionConfig(c), secretArg(c.Secret), c.Created, c.Updated)
	return conflictWith(t.s.mapError(err), c.Name)
}

func (t *tx) ConnectionForUpdate(ctx context.Context, tenant int64, id string) (*directory.Connection, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	c, err := scanConnection(t.db.QueryRow(ctx, `SELECT `+connectionColumns+` FROM sso_connections WHERE tenant_id = $1 AND id = $2`+t.s.d.ForUpdate, tenant, id))
	return c, t.s.mapError(err)
}

func (t *tx) UpdateConnection(ctx context.Context, c *directory.Connection) error {
	n, err := t.db.Exec(ctx, `UPDATE sso_connections SET name = $3, enabled = $4, config = $5, secret = $6, updated_at = $7 WHERE tenant_id = $1 AND id = $2`,
		c.TenantID, c.ID, c.Name, c.Enabled, connectionConfig(c), secretArg(c.Secret), c.Updated)
	if err != nil {
		return conflictWith(t.s.mapError(err), c.Name)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

func (t *tx) DeleteConnection(ctx context.Context, tenant int64, id string) error {
	id, ok := canonical(id)
	if !ok {
		return directory.ErrNotFound
	}
	for _, q := range []string{
		`DELETE FROM sso_links WHERE tenant_id = $1 AND connection_id = $2`,
		`DELETE FROM sso_pending WHERE tenant_id = $1 AND connection_id = $2`,
		`UPDATE sessions SET connection_id = NULL WHERE tenant_id = $1 AND connection_id = $2`,
	} {
		if _, err := t.db.Exec(ctx, q, tenant, id); err != nil {
			return t.s.mapError(err)
		}
	}
	n, err := t.db.Exec(ctx, `DELETE FROM sso_connections WHERE tenant_id = $1 AND id = $2`, tenant, id)
	if err != nil {
		return t.s.mapError(err)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

// secretArg stores an absent secret as NULL.
func secretArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// --- links ---------------------------------------------------------------

const linkColumns = `tenant_id, connection_id, subject, user_id, method, created_at, last_sign_in_at`

func scanLink(r Row) (*directory.Link, error) {
	var l directory.Link
	if err := r.Scan(&l.TenantID, &l.ConnectionID, &l.Subject, &l.UserID, &l.Method, scanTime(&l.Created), scanNullTime(&l.LastSignIn)); err != nil {
		return nil, err
	}
	return &l, nil
}

// LinksOfUser returns the links to a user, oldest first.
func (s *Store) LinksOfUser(ctx context.Context, tenant int64, user string) ([]*directory.Link, error) {
	user, ok := canonical(user)
	if !ok {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+linkColumns+` FROM sso_links WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, connection_id`, tenant, user)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.Link
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, s.mapError(err)
		}
		out = append(out, l)
	}
	return out, s.mapError(rows.Err())
}

func (t *tx) LinkBySubject(ctx context.Context, tenant int64, connection, subject string) (*directory.Link, error) {
	connection, ok := canonical(connection)
	if !ok {
		return nil, directory.ErrNotFound
	}
	l, err := scanLink(t.db.QueryRow(ctx, `SELECT `+linkColumns+` FROM sso_links WHERE connection_id = $1 AND subject = $2 AND tenant_id = $3`,
		connection, subject, tenant))
	return l, t.s.mapError(err)
}

// InsertLink adds l unless the subject or the user is linked at the
// connection already, and then says which: ON CONFLICT keeps the answer
// the same on both stores, whatever each calls its constraints.
func (t *tx) InsertLink(ctx context.Context, l *directory.Link) error {
	var subject string
	err := t.db.QueryRow(ctx, `INSERT INTO sso_links (`+linkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT DO NOTHING RETURNING subject`,
		l.TenantID, l.ConnectionID, l.Subject, l.UserID, string(l.Method), l.Created, nullTime(l.LastSignIn)).Scan(&subject)
	if err == nil {
		return nil
	}
	if err = t.s.mapError(err); err != directory.ErrNotFound {
		return err
	}
	field := "user"
	if _, err := t.LinkBySubject(ctx, l.TenantID, l.ConnectionID, l.Subject); err == nil {
		field = "subject"
	} else if err != directory.ErrNotFound {
		return err
	}
	return &directory.ConflictError{Kind: "link", Field: field}
}

func (t *tx) TouchLink(ctx context.Context, tenant int64, connection, subject string, at time.Time) error {
	return t.s.mapError(t.db.Queue(ctx, `UPDATE sso_links SET last_sign_in_at = $4 WHERE connection_id = $1 AND subject = $2 AND tenant_id = $3`,
		[]any{connection, subject, tenant, at}, nil))
}

// --- pending sign-ins ----------------------------------------------------

func (t *tx) InsertPendingSignIn(ctx context.Context, p *directory.PendingSignIn) error {
	_, err := t.db.Exec(ctx, `INSERT INTO sso_pending (hash, tenant_id, connection_id, browser_hash, nonce, verifier, request_id, return_to, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.Hash, p.TenantID, p.ConnectionID, p.BrowserHash, null(p.Nonce), null(p.Verifier), null(p.RequestID), null(p.ReturnTo), p.Created, p.Expires)
	return t.s.mapError(err)
}

func (t *tx) TakePendingSignIn(ctx context.Context, tenant int64, hash []byte) (*directory.PendingSignIn, error) {
	var p directory.PendingSignIn
	err := t.db.QueryRow(ctx, `DELETE FROM sso_pending WHERE hash = $1 AND tenant_id = $2
		RETURNING hash, tenant_id, connection_id, browser_hash, nonce, verifier, request_id, return_to, created_at, expires_at`,
		hash, tenant).Scan(&p.Hash, &p.TenantID, &p.ConnectionID, &p.BrowserHash, scanText(&p.Nonce), scanText(&p.Verifier),
		scanText(&p.RequestID), scanText(&p.ReturnTo), scanTime(&p.Created), scanTime(&p.Expires))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return &p, nil
}

func (t *tx) DeleteExpired(ctx context.Context, now, purgeBefore time.Time) (int, error) {
	a, err := t.db.Exec(ctx, `DELETE FROM sso_pending WHERE expires_at < $1`, now)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	b, err := t.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR ended_at < $1`, purgeBefore)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	return int(a + b), nil
}

// --- sessions ------------------------------------------------------------

const sessionColumns = `id, tenant_id, user_id, kind, connection_id, hash, created_at, last_seen_at, idle_expires_at, expires_at, ended_at, end_reason`

// SessionByHash returns the session whose secret hashes to hash.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*directory.Session, error) {
	var x directory.Session
	err := s.db.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash).Scan(
		&x.ID, &x.TenantID, &x.UserID, &x.Kind, scanText(&x.ConnectionID), &x.Hash, scanTime(&x.Created), scanTime(&x.LastSeen),
		scanTime(&x.IdleExpires), scanTime(&x.Expires), scanNullTime(&x.Ended), scanText(&x.EndReason))
	if err != nil {
		return nil, s.mapError(err)
	}
	return &x, nil
}

func (t *tx) InsertSession(ctx context.Context, x *directory.Session) error {
	return t.s.mapError(t.db.Queue(ctx, `INSERT INTO sessions (id, tenant_id, user_id, kind, connection_id, hash, created_at, last_seen_at, idle_expires_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		[]any{x.ID, x.TenantID, x.UserID, string(x.Kind), null(x.ConnectionID), x.Hash, x.Created, x.LastSeen, x.IdleExpires, x.Expires}, nil))
}

func (t *tx) TouchSession(ctx context.Context, id string, lastSeen, idleExpires time.Time) error {
	_, err := t.db.Exec(ctx, `UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1 AND ended_at IS NULL AND last_seen_at < $2`,
		id, lastSeen, idleExpires)
	return t.s.mapError(err)
}

func (t *tx) EndSession(ctx context.Context, tenant int64, id string, at time.Time, reason string) error {
	id, ok := canonical(id)
	if !ok {
		return directory.ErrNotFound
	}
	n, err := t.db.Exec(ctx, `UPDATE sessions SET ended_at = $3, end_reason = $4 WHERE tenant_id = $1 AND id = $2 AND ended_at IS NULL`, tenant, id, at, reason)
	if err != nil {
		return t.s.mapError(err)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

func (t *tx) EndUserSessions(ctx context.Context, tenant int64, user string, at time.Time, reason string) error {
	return t.s.mapError(t.db.Queue(ctx, `UPDATE sessions SET ended_at = $3, end_reason = $4 WHERE tenant_id = $1 AND user_id = $2 AND ended_at IS NULL`,
		[]any{tenant, user, at, reason}, nil))
}

func (t *tx) EndConnectionSessions(ctx context.Context, tenant int64, connection string, at time.Time, reason string) (int, error) {
	n, err := t.db.Exec(ctx, `UPDATE sessions SET ended_at = $3, end_reason = $4 WHERE connection_id = $2 AND tenant_id = $1 AND ended_at IS NULL`,
		tenant, connection, at, reason)
	return int(n), t.s.mapError(err)
}
