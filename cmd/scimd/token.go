package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/scimd/scimd/directory"
)

// tokenFlags are the flags every token command has.
type tokenFlags struct {
	db     dbConfig
	tenant string
}

func (f *tokenFlags) register(fs *flagSet) {
	fs.StringVar(&f.tenant, "tenant", "", "the tenant's `SLUG` (required)")
	f.db.register(fs)
}

func (f *tokenFlags) check(cmd string) error {
	if f.tenant == "" {
		return fmt.Errorf("%s needs --tenant SLUG (see scimd %s --help)", cmd, cmd)
	}
	return nil
}

func tokenCreateCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f           tokenFlags
		scope       string
		description string
	)
	fs := newFlagSet(cmd, "token create --tenant SLUG [--scope scim|admin] [--description TEXT] [flags]")
	f.register(fs)
	fs.StringVar(&scope, "scope", string(directory.ScopeSCIM), "where the token works (`SCOPE`): scim (/scim/v2, for an identity provider) or admin (the admin API)")
	fs.StringVar(&description, "description", "", "what the token is for (`TEXT`), e.g. \"Okta production\"")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		tok, secret, err := svc.CreateToken(ctx, directory.CLI, t.ID, directory.Scope(scope), description)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created token %s\n", tok.ID)
		fmt.Fprintf(e.stdout, "  tenant:      %s\n", t.Slug)
		fmt.Fprintf(e.stdout, "  scope:       %s\n", tok.Scope)
		fmt.Fprintf(e.stdout, "  description: %s\n", cell(tok.Description))
		fmt.Fprintf(e.stdout, "  created:     %s\n", timeText(&tok.Created))
		fmt.Fprintln(e.stdout, "The secret follows, alone on the last line. It is shown only now: scimd keeps only its hash.")
		// Last and alone, so that scripts take it with tail -n 1.
		fmt.Fprintln(e.stdout, secret)
		return nil
	})
}

func tokenListCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f tokenFlags
	fs := newFlagSet(cmd, "token list --tenant SLUG [flags]")
	f.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		ts, err := svc.Tokens(ctx, t.ID)
		if err != nil {
			return fmt.Errorf("list tokens of tenant %q: %w", t.Slug, err)
		}
		// Neither secret (never kept) nor hash (no use to an operator,
		// and a lookup key) is shown.
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSCOPE\tDESCRIPTION\tCREATED\tLAST USED\tREVOKED")
		for _, tok := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", tok.ID, tok.Scope, cell(tok.Description),
				timeText(&tok.Created), timeText(tok.LastUsed), timeText(tok.Revoked))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(ts) == 0 {
			fmt.Fprintf(e.stderr, "tenant %s has no tokens yet; make one with: scimd token create --tenant %s\n", t.Slug, t.Slug)
		}
		return nil
	})
}

func tokenRevokeCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f tokenFlags
	fs := newFlagSet(cmd, "token revoke --tenant SLUG TOKEN_ID [flags]")
	f.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos, "TOKEN_ID"); err != nil {
		return err
	}
	if err := f.check(cmd); err != nil {
		return err
	}
	id := pos[0]
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		err = svc.RevokeToken(ctx, directory.CLI, t.ID, id)
		if errors.Is(err, directory.ErrNotFound) {
			return &notFoundError{fmt.Sprintf("tenant %s has no live token %q: it does not exist or is already revoked (scimd token list --tenant %s shows them)",
				t.Slug, truncate(id, 80), t.Slug)}
		}
		if err != nil {
			return fmt.Errorf("revoke token %s: %w", id, err)
		}
		fmt.Fprintf(e.stdout, "revoked token %s of tenant %s; it no longer authenticates\n", id, t.Slug)
		return nil
	})
}
