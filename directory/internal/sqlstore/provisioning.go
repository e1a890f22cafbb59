package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// ProvisioningLog reads the tenant's provisioning log, newest first. It
// walks the (tenant_id, id) index backwards and stops at the page's end,
// so a filter that keeps few rows reads more of the index, never the
// whole table at once.
func (s *Store) ProvisioningLog(ctx context.Context, tenant int64, q directory.ProvisioningQuery) ([]*directory.ProvisioningEntry, error) {
	c := &compiler{d: s.d, args: []any{tenant}}
	var where strings.Builder
	where.WriteString("tenant_id = $1")
	switch q.Outcome {
	case directory.ProvisioningFailed:
		where.WriteString(" AND status >= 400")
	case directory.ProvisioningSucceeded:
		where.WriteString(" AND status < 400")
	}
	if p := strings.TrimRight(q.Path, "/"); p != "" {
		where.WriteString(" AND (path = " + c.arg(p) + " OR path LIKE " + c.arg(likeEscape(p)+"/%") + ` ESCAPE '\')`)
	}
	if q.ResourceID != "" {
		where.WriteString(" AND resource_id = " + c.arg(q.ResourceID))
	}
	if !q.Since.IsZero() {
		where.WriteString(" AND at >= " + c.arg(directory.TimeValue(q.Since)))
	}
	if q.Before > 0 {
		where.WriteString(" AND id < " + c.arg(q.Before))
	}
	limit := q.Limit
	if limit <= 0 || limit > maxPage {
		limit = maxPage
	}
	rows, err := s.db.Query(ctx, `SELECT id, tenant_id, at, token_id, request_id, method, path, resource_id, status,
		scim_type, detail, duration_us FROM provisioning_log WHERE `+where.String()+` ORDER BY id DESC LIMIT `+c.arg(limit), c.args...)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.ProvisioningEntry
	for rows.Next() {
		var e directory.ProvisioningEntry
		var us int64
		if err := rows.Scan(&e.ID, &e.TenantID, scanTime(&e.At), scanText(&e.TokenID), scanText(&e.RequestID), &e.Method, &e.Path,
			scanText(&e.ResourceID), &e.Status, scanText(&e.SCIMType), scanText(&e.Detail), &us); err != nil {
			return nil, s.mapError(err)
		}
		e.Duration = time.Duration(us) * time.Microsecond
		out = append(out, &e)
	}
	return out, s.mapError(rows.Err())
}
