package sqlstore

import (
	"context"
	"time"

	"github.com/scimd/scimd/directory"
)

// SAML's replay cache (migration 0005).

// UseAssertion inserts the id, or takes over a row of the same id that has
// expired, in one statement: ON CONFLICT ... DO UPDATE ... WHERE returns no
// row when a live row holds the id, on both stores, and of two concurrent
// inserts PostgreSQL makes the second wait for the first and then see its
// row.
func (t *tx) UseAssertion(ctx context.Context, tenant int64, connection, id string, now, expires time.Time) (bool, error) {
	connection, ok := canonical(connection)
	if !ok {
		return false, directory.ErrNotFound
	}
	rows, err := t.db.Query(ctx, `INSERT INTO sso_assertions (connection_id, assertion_id, tenant_id, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (connection_id, assertion_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE sso_assertions.expires_at <= $5
		RETURNING assertion_id`, connection, id, tenant, expires, now)
	if err != nil {
		return false, t.s.mapError(err)
	}
	defer rows.Close()
	first := rows.Next()
	if err := rows.Err(); err != nil {
		return false, t.s.mapError(err)
	}
	return first, nil
}

func (t *tx) DeleteExpiredAssertions(ctx context.Context, now time.Time) (int, error) {
	n, err := t.db.Exec(ctx, `DELETE FROM sso_assertions WHERE expires_at <= $1`, now)
	return int(n), t.s.mapError(err)
}
