package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// Store implements directory.Store over a Driver.
type Store struct {
	db Driver
	d  *Dialect
}

var _ directory.Store = (*Store)(nil)

// New returns a Store over db, speaking dialect d.
func New(db Driver, d *Dialect) *Store { return &Store{db: db, d: d} }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Close releases the connections.
func (s *Store) Close() error { return s.db.Close() }

// Write runs fn in one transaction. A held write's error may surface only
// at the commit, so the transaction's error is mapped here too.
func (s *Store) Write(ctx context.Context, fn func(directory.Tx) error) error {
	return s.mapError(s.db.Write(ctx, func(db DB) error {
		return fn(&tx{s: s, db: db})
	}))
}

// tx is a directory.Tx: the engine's queries on one transaction.
type tx struct {
	s  *Store
	db DB
}

var _ directory.Tx = (*tx)(nil)

// ids encodes a list of ids as the JSON array that Dialect.IDRows reads.
func ids(list []string) string {
	b, _ := json.Marshal(list)
	return string(b)
}

// jsonText encodes v for a JSON column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: encode %T: %v", v, err)) // only our own types reach here
	}
	return string(b)
}

// placeholders returns "($first, ..., $first+n-1)".
func placeholders(first, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
	}
	b.WriteByte(')')
	return b.String()
}

func canonical(id string) (string, bool) { return directory.CanonicalID(id) }

// --- tenants -------------------------------------------------------------

const tenantColumns = `id, slug, name, seats, seats_used, settings, created_at`

func scanTenant(r Row) (*directory.Tenant, error) {
	var t directory.Tenant
	var settings string
	if err := r.Scan(&t.ID, &t.Slug, &t.Name, &t.Seats, &t.SeatsUsed, &settings, scanTime(&t.Created)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(settings), &t.Settings); err != nil {
		return nil, fmt.Errorf("tenant %d settings: %w", t.ID, err)
	}
	return &t, nil
}

// Tenant returns the tenant with id.
func (s *Store) Tenant(ctx context.Context, id int64) (*directory.Tenant, error) {
	t, err := scanTenant(s.db.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, id))
	return t, s.mapError(err)
}

// TenantBySlug returns the tenant named slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (*directory.Tenant, error) {
	t, err := scanTenant(s.db.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE slug = $1`, slug))
	return t, s.mapError(err)
}

// Tenants returns every tenant by slug.
func (s *Store) Tenants(ctx context.Context) ([]*directory.Tenant, error) {
	rows, err := s.db.Query(ctx, `SELECT `+tenantColumns+` FROM tenants ORDER BY slug`)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, s.mapError(err)
		}
		out = append(out, t)
	}
	return out, s.mapError(rows.Err())
}

const countSeats = `SELECT count(*) FROM users WHERE tenant_id = $1 AND deleted_at IS NULL AND active = TRUE AND role <> 'customer'`

// CountSeats counts the tenant's live, active staff.
func (s *Store) CountSeats(ctx context.Context, tenant int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, countSeats, tenant).Scan(&n)
	return n, s.mapError(err)
}

func (t *tx) InsertTenant(ctx context.Context, tn *directory.Tenant) error {
	err := t.db.QueryRow(ctx, `INSERT INTO tenants (slug, name, seats, seats_used, settings, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		tn.Slug, tn.Name, tn.Seats, tn.SeatsUsed, jsonText(tn.Settings), tn.Created).Scan(&tn.ID)
	if err = t.s.mapError(err); err != nil {
		if ce, ok := errors.AsType[*directory.ConflictError](err); ok {
			ce.Value = tn.Slug
		}
	}
	return err
}

func (t *tx) UpdateTenant(ctx context.Context, tn *directory.Tenant) error {
	n, err := t.db.Exec(ctx, `UPDATE tenants SET name = $2, seats = $3, seats_used = $4, settings = $5 WHERE id = $1`,
		tn.ID, tn.Name, tn.Seats, tn.SeatsUsed, jsonText(tn.Settings))
	if err != nil {
		return t.s.mapError(err)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return nil
}

func (t *tx) LockTenant(ctx context.Context, tenant int64) (*directory.Tenant, error) {
	tn, err := scanTenant(t.db.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`+t.s.d.ForUpdate, tenant))
	return tn, t.s.mapError(err)
}

func (t *tx) LockSeats(ctx context.Context, tenant int64) (*directory.Tenant, error) {
	if q := t.s.d.SeatLock; q != "" {
		if _, err := t.db.Exec(ctx, q); err != nil {
			return nil, t.s.mapError(err)
		}
	}
	return t.LockTenant(ctx, tenant)
}

func (t *tx) AddSeats(ctx context.Context, tenant int64, delta int) error {
	// Only a limited tenant counts; the CHECK constraint refuses going over.
	return t.s.mapError(t.db.Queue(ctx, `UPDATE tenants SET seats_used = CASE WHEN seats_used + $2 < 0 THEN 0 ELSE seats_used + $2 END WHERE id = $1 AND seats > 0`,
		[]any{tenant, delta}, nil))
}

func (t *tx) CountSeats(ctx context.Context, tenant int64) (int, error) {
	var n int
	err := t.db.QueryRow(ctx, countSeats, tenant).Scan(&n)
	return n, t.s.mapError(err)
}

func (t *tx) CountAdmins(ctx context.Context, tenant int64) (int, error) {
	var n int
	err := t.db.QueryRow(ctx, `SELECT count(*) FROM users WHERE tenant_id = $1 AND deleted_at IS NULL AND active = TRUE AND role IN ('owner', 'admin')`, tenant).Scan(&n)
	return n, t.s.mapError(err)
}

// --- tokens --------------------------------------------------------------

const tokenColumns = `id, tenant_id, scope, hash, description, created_at, last_used_at, revoked_at`

func scanToken(r Row) (*directory.Token, error) {
	var t directory.Token
	err := r.Scan(&t.ID, &t.TenantID, &t.Scope, &t.Hash, &t.Description, scanTime(&t.Created), scanNullTime(&t.LastUsed), scanNullTime(&t.Revoked))
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*directory.Token, error) {
	t, err := scanToken(s.db.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	return t, s.mapError(err)
}

// Tokens returns the tenant's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, tenant int64) ([]*directory.Token, error) {
	rows, err := s.db.Query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, tenant)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.mapError(err)
		}
		out = append(out, t)
	}
	return out, s.mapError(rows.Err())
}

// TouchTokens records when tokens were last used.
func (s *Store) TouchTokens(ctx context.Context, lastUsed map[string]time.Time) error {
	return s.Write(ctx, func(dtx directory.Tx) error {
		t := dtx.(*tx)
		for id, at := range lastUsed {
			if _, err := t.db.Exec(ctx, `UPDATE tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
				id, directory.TimeValue(at)); err != nil {
				return t.s.mapError(err)
			}
		}
		return nil
	})
}

func (t *tx) InsertToken(ctx context.Context, tk *directory.Token) error {
	_, err := t.db.Exec(ctx, `INSERT INTO tokens (id, tenant_id, scope, hash, description, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		tk.ID, tk.TenantID, string(tk.Scope), tk.Hash, tk.Description, tk.Created)
	return t.s.mapError(err)
}

func (t *tx) RevokeToken(ctx context.Context, tenant int64, id string, at time.Time) (*directory.Token, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	tk, err := scanToken(t.db.QueryRow(ctx, `UPDATE tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING `+tokenColumns,
		tenant, id, at))
	return tk, t.s.mapError(err)
}
