package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
)

// exportPage is how many events an export reads at a time: it streams, so
// a log of millions of events takes constant memory.
const exportPage = 1000

// auditExportCmd writes a tenant's audit log to stdout as JSON lines, one
// event each, oldest first, in the admin API's format (admin.AuditRecord)
// with the tenant's slug, for a SIEM. --after resumes after the last id a
// previous export wrote.
func auditExportCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f            tenantFlags
		since, until string
		after        int64
		action       string
	)
	fs := newFlagSet(cmd, "audit export --tenant SLUG [--since TIME] [--until TIME] [--after ID] [--action ACTION] [flags]")
	f.register(fs)
	fs.StringVar(&since, "since", "", "only events at or after `TIME` (RFC 3339, such as 2026-03-01T00:00:00Z, or a date)")
	fs.StringVar(&until, "until", "", "only events before `TIME` (RFC 3339 or a date)")
	fs.Int64Var(&after, "after", 0, "only events after the event `ID` (the last id a previous export wrote)")
	fs.StringVar(&action, "action", "", "only events of `ACTION` (such as user.update, or user. for every user event)")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	q := directory.AuditQuery{Action: action, Limit: exportPage}
	if q.Since, err = parseTime("--since", since); err != nil {
		return err
	}
	if q.Until, err = parseTime("--until", until); err != nil {
		return err
	}
	return f.open(ctx, e, cmd, func(svc *directory.Service, t *directory.Tenant) error {
		out := bufio.NewWriter(e.stdout)
		enc := json.NewEncoder(out) // one value per line
		for {
			evs, err := svc.AuditEventsAfter(ctx, t.ID, after, q)
			if err != nil {
				return fmt.Errorf("read the audit log of tenant %s: %w", t.Slug, err)
			}
			for _, ev := range evs {
				rec := admin.NewAuditRecord(ev)
				rec.Tenant = t.Slug
				if err := enc.Encode(rec); err != nil {
					return err
				}
				after = ev.ID
			}
			if err := out.Flush(); err != nil {
				return err
			}
			if len(evs) < exportPage {
				return nil
			}
		}
	})
}

// parseTime reads an RFC 3339 time or a date (midnight UTC); "" is none.
func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s %q is not a time such as 2026-03-01T09:00:00Z or a date such as 2026-03-01", flag, truncate(s, 40))
}
