package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/scimd/scimd/directory"
)

// notFoundError names what does not exist in the operator's words and
// still matches directory.ErrNotFound.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
func (e *notFoundError) Unwrap() error { return directory.ErrNotFound }

// tenantBySlug finds a tenant, saying which one is missing if it is.
func tenantBySlug(ctx context.Context, svc *directory.Service, slug string) (*directory.Tenant, error) {
	t, err := svc.TenantBySlug(ctx, slug)
	if errors.Is(err, directory.ErrNotFound) {
		return nil, &notFoundError{fmt.Sprintf("tenant %q does not exist (scimd tenant list shows the tenants)", slug)}
	}
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", slug, err)
	}
	return t, nil
}

func tenantCreateCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		db    dbConfig
		name  string
		seats int
	)
	fs := newFlagSet(cmd, "tenant create SLUG [--name NAME] [--seats N] [flags]")
	fs.StringVar(&name, "name", "", "the tenant's display `NAME` (default: the slug)")
	fs.IntVar(&seats, "seats", 0, "how many active staff (`N`) the tenant may have; 0 is unlimited")
	db.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos, "SLUG"); err != nil {
		return err
	}
	return withService(ctx, e, db, func(svc *directory.Service) error {
		// The directory's errors (a slug taken, a slug malformed) are
		// written for people already: they are returned as they are.
		t, err := svc.CreateTenant(ctx, directory.CLI, pos[0], name, seats)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created tenant %s (%s), seats: %s\n", t.Slug, t.Name, seatsText(t.Seats))
		return nil
	})
}

func tenantListCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var db dbConfig
	fs := newFlagSet(cmd, "tenant list [flags]")
	db.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	return withService(ctx, e, db, func(svc *directory.Service) error {
		ts, err := svc.Tenants(ctx)
		if err != nil {
			return fmt.Errorf("list tenants: %w", err)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tSEATS\tCREATED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Slug, cell(t.Name), seatsText(t.Seats), timeText(&t.Created))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(ts) == 0 {
			// On stderr, so that stdout stays a table for scripts.
			fmt.Fprintln(e.stderr, "no tenants yet; add one with: scimd tenant create SLUG")
		}
		return nil
	})
}

func seatsText(n int) string {
	if n == 0 {
		return "unlimited"
	}
	return strconv.Itoa(n)
}

// timeText shows a time in UTC to the second, "-" for none.
func timeText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// cell makes text safe for one table cell: no tabs or line breaks to shift
// the columns, "-" for empty.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	b := []rune(s)
	for i, r := range b {
		if r < ' ' || r == 0x7f {
			b[i] = ' '
		}
	}
	return string(b)
}
