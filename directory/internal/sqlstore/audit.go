package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimd/scimd/directory"
)

func (t *tx) InsertAudit(ctx context.Context, events ...*directory.AuditEvent) error {
	for _, e := range events {
		var changes any
		if len(e.Changes) > 0 {
			changes = jsonText(e.Changes)
		}
		// Unchecked, so that a change and its event commit in one round
		// trip; the event's id is read with the log, not here.
		err := t.db.Queue(ctx, `INSERT INTO audit_events (tenant_id, at, actor_kind, actor_id, actor_scope, actor_role,
			action, target_kind, target_id, target_name, changes, outcome, reason, request_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			[]any{e.TenantID, e.At, string(e.Actor.Kind), null(e.Actor.ID), null(string(e.Actor.Scope)), null(string(e.Actor.Role)),
				e.Action, null(e.TargetKind), null(e.TargetID), null(e.TargetName), changes, e.Outcome, null(e.Reason), null(e.RequestID)},
			nil)
		if err != nil {
			return t.s.mapError(err)
		}
	}
	return nil
}

// AuditEvents returns the tenant's audit events matching q, newest first.
func (s *Store) AuditEvents(ctx context.Context, tenant int64, q directory.AuditQuery) ([]*directory.AuditEvent, error) {
	return s.auditEvents(ctx, tenant, q, 0, false)
}

// AuditEventsAfter returns the tenant's audit events matching q (Before
// aside) with an id above after, oldest first: an export resumes from the
// last id it wrote.
func (s *Store) AuditEventsAfter(ctx context.Context, tenant int64, after int64, q directory.AuditQuery) ([]*directory.AuditEvent, error) {
	q.Before = 0
	return s.auditEvents(ctx, tenant, q, after, true)
}

// auditEvents reads events matching q: newest first, or, oldestFirst,
// those with an id above after, oldest first.
func (s *Store) auditEvents(ctx context.Context, tenant int64, q directory.AuditQuery, after int64, oldestFirst bool) ([]*directory.AuditEvent, error) {
	c := &compiler{d: s.d, args: []any{tenant}}
	var where strings.Builder
	where.WriteString("tenant_id = $1")
	order := " ORDER BY id DESC"
	if oldestFirst {
		where.WriteString(" AND id > " + c.arg(after))
		order = " ORDER BY id"
	}
	if q.ActorID != "" {
		where.WriteString(" AND actor_id = " + c.arg(q.ActorID))
	}
	if q.ActorKind != "" {
		where.WriteString(" AND actor_kind = " + c.arg(string(q.ActorKind)))
	}
	if q.TargetID != "" {
		where.WriteString(" AND target_id = " + c.arg(q.TargetID))
	}
	if strings.HasSuffix(q.Action, ".") {
		where.WriteString(" AND action LIKE " + c.arg(likeEscape(q.Action)+"%") + ` ESCAPE '\'`)
	} else if q.Action != "" {
		where.WriteString(" AND action = " + c.arg(q.Action))
	}
	if !q.Since.IsZero() {
		where.WriteString(" AND at >= " + c.arg(directory.TimeValue(q.Since)))
	}
	if !q.Until.IsZero() {
		where.WriteString(" AND at < " + c.arg(directory.TimeValue(q.Until)))
	}
	if q.Before > 0 {
		where.WriteString(" AND id < " + c.arg(q.Before))
	}
	limit := q.Limit
	if limit <= 0 || limit > maxPage {
		limit = maxPage
	}
	rows, err := s.db.Query(ctx, `SELECT id, tenant_id, at, actor_kind, actor_id, actor_scope, actor_role, action,
		target_kind, target_id, target_name, changes, outcome, reason, request_id
		FROM audit_events WHERE `+where.String()+order+` LIMIT `+c.arg(limit), c.args...)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.AuditEvent
	for rows.Next() {
		var e directory.AuditEvent
		var changes string
		if err := rows.Scan(&e.ID, &e.TenantID, scanTime(&e.At), &e.Actor.Kind, scanText(&e.Actor.ID),
			scanText((*string)(&e.Actor.Scope)), scanText((*string)(&e.Actor.Role)), &e.Action,
			scanText(&e.TargetKind), scanText(&e.TargetID), scanText(&e.TargetName), scanText(&changes),
			&e.Outcome, scanText(&e.Reason), scanText(&e.RequestID)); err != nil {
			return nil, s.mapError(err)
		}
		if changes != "" {
			if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
				return nil, fmt.Errorf("audit event %d changes: %w", e.ID, err)
			}
		}
		e.Actor.RequestID = e.RequestID
		out = append(out, &e)
	}
	return out, s.mapError(rows.Err())
}

// LogProvisioning appends entries to the provisioning log in one statement.
func (s *Store) LogProvisioning(ctx context.Context, entries []directory.ProvisioningEntry) error {
	const cols = 11
	for len(entries) > 0 {
		batch := entries[:min(len(entries), 500)]
		entries = entries[len(batch):]
		var b strings.Builder
		b.WriteString(`INSERT INTO provisioning_log (tenant_id, at, token_id, request_id, method, path, resource_id, status, scim_type, detail, duration_us) VALUES `)
		args := make([]any, 0, len(batch)*cols)
		for i, e := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(placeholders(len(args)+1, cols))
			args = append(args, e.TenantID, directory.TimeValue(e.At), null(e.TokenID), null(e.RequestID), e.Method, e.Path,
				null(e.ResourceID), e.Status, null(e.SCIMType), null(e.Detail), e.Duration.Microseconds())
		}
		if _, err := s.db.Exec(ctx, b.String(), args...); err != nil {
			return s.mapError(err)
		}
	}
	return nil
}
