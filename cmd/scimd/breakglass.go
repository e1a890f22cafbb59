package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
)

// bgFlags are the flags of the breakglass and recover commands.
type bgFlags struct {
	db     dbConfig
	tenant string
	email  string
	base   string
}

// register adds the flags; withEmail and withBase say which a command
// takes.
func (f *bgFlags) register(fs *flagSet, withEmail, withBase bool) {
	fs.StringVar(&f.tenant, "tenant", "", "the tenant's `SLUG` (required)")
	if withEmail {
		fs.StringVar(&f.email, "email", "", "the break-glass account's `EMAIL`")
	}
	if withBase {
		fs.stringEnv(&f.base, "base-url", "SCIMD_BASE_URL", "", "public `URL` of scimd, to make the link (required)")
	}
	f.db.register(fs)
}

func (f *bgFlags) check(cmd string, needEmail, needBase bool) error {
	var problems []string
	if f.tenant == "" {
		problems = append(problems, "--tenant SLUG")
	}
	if needEmail && strings.TrimSpace(f.email) == "" {
		problems = append(problems, "--email EMAIL")
	}
	if needBase && f.base == "" {
		problems = append(problems, "--base-url URL (or SCIMD_BASE_URL), the address people open scimd at")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s needs %s (see scimd %s --help)", cmd, strings.Join(problems, " and "), cmd)
	}
	if needBase {
		return validate(serveConfig{Addr: ":0", BaseURL: f.base}.baseURLChecks())
	}
	return nil
}

// account finds the tenant's break-glass account named by --email.
func (f *bgFlags) account(ctx context.Context, svc *directory.Service, t *directory.Tenant) (*directory.User, error) {
	u, err := svc.BreakGlassAccount(ctx, t.ID, f.email)
	if errors.Is(err, directory.ErrNotFound) {
		return nil, &notFoundError{fmt.Sprintf("tenant %s has no break-glass account %q (scimd breakglass list --tenant %s shows them)",
			t.Slug, truncate(f.email, 80), t.Slug)}
	}
	return u, err
}

// printLink prints a link last and alone, so that scripts take it with
// tail -n 1.
func (e *env) printLink(what string, expires time.Time, link string) {
	fmt.Fprintf(e.stdout, "%s, valid until %s and for one use. It is shown only now: scimd keeps only its hash.\n", what, timeText(&expires))
	fmt.Fprintln(e.stdout, link)
}

func breakGlassCreateCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f bgFlags
	fs := newFlagSet(cmd, "breakglass create --tenant SLUG --email EMAIL --base-url URL [flags]")
	f.register(fs, true, true)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd, true, true); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		u, link, err := svc.CreateBreakGlass(ctx, directory.CLI, t.ID, f.email)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created break-glass account %s (%s) of tenant %s: a local owner, never the identity provider's\n", u.UserName, u.ID, t.Slug)
		e.printLink("Give its holder this enrollment link (to set the password, the authenticator app and recovery codes)",
			link.Expires, sso.BreakGlassURL(f.base, t.Slug, directory.PurposeEnroll, link.Secret))
		return nil
	})
}

func breakGlassListCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f bgFlags
	fs := newFlagSet(cmd, "breakglass list --tenant SLUG [flags]")
	f.register(fs, false, false)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd, false, false); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		accts, err := svc.BreakGlassAccounts(ctx, t.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tID\tACTIVE\tENROLLED\tLAST SIGN-IN\tCODES LEFT\tLOCKED UNTIL\tENROLLMENT LINK EXPIRES")
		for _, a := range accts {
			fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%s\t%d\t%s\t%s\n", cell(a.User.UserName), a.User.ID, a.User.Active,
				timeText(a.Enrolled), timeText(a.LastSignIn), a.CodesLeft, timeText(a.LockedUntil), timeText(a.EnrollExpires))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(accts) == 0 {
			fmt.Fprintf(e.stderr, "tenant %s has no break-glass account; make one (at most %d) with: scimd breakglass create --tenant %s --email EMAIL\n",
				t.Slug, directory.MaxBreakGlass, t.Slug)
		}
		return nil
	})
}

func breakGlassDisableCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f bgFlags
	fs := newFlagSet(cmd, "breakglass disable --tenant SLUG --email EMAIL [flags]")
	f.register(fs, true, false)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd, true, false); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		u, err := f.account(ctx, svc, t)
		if err != nil {
			return err
		}
		if _, err := svc.DisableBreakGlass(ctx, directory.CLI, t.ID, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "disabled break-glass account %s of tenant %s: it can't sign in, its sessions ended and its links stopped working (scimd breakglass reset enables it again)\n",
			u.UserName, t.Slug)
		return nil
	})
}

func breakGlassResetCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f bgFlags
	fs := newFlagSet(cmd, "breakglass reset --tenant SLUG --email EMAIL --base-url URL [flags]")
	f.register(fs, true, true)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd, true, true); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		u, err := f.account(ctx, svc, t)
		if err != nil {
			return err
		}
		u, link, err := svc.ResetBreakGlass(ctx, directory.CLI, t.ID, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "reset break-glass account %s of tenant %s: its password, authenticator and recovery codes no longer work, and its sessions ended\n", u.UserName, t.Slug)
		e.printLink("Give its holder this enrollment link", link.Expires, sso.BreakGlassURL(f.base, t.Slug, directory.PurposeEnroll, link.Secret))
		return nil
	})
}

// recoverCmd prints a link that opens a break-glass session without the
// account's password or code: for when even those are lost. Only the
// operator at the server's shell can make one.
func recoverCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f   bgFlags
		ttl time.Duration
	)
	fs := newFlagSet(cmd, "recover --tenant SLUG [--email EMAIL] [--ttl 15m] --base-url URL [flags]")
	f.register(fs, true, true)
	fs.DurationVar(&ttl, "ttl", directory.DefaultRecoverTTL, fmt.Sprintf("how long the link works (`DURATION`, %s to %s)", directory.MinRecoverTTL, directory.MaxRecoverTTL))
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	if err := f.check(cmd, false, true); err != nil {
		return err
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		var u *directory.User
		if f.email != "" {
			if u, err = f.account(ctx, svc, t); err != nil {
				return err
			}
		} else {
			// Without --email: the tenant's one active account.
			accts, err := svc.BreakGlassAccounts(ctx, t.ID)
			if err != nil {
				return err
			}
			var names []string
			for _, a := range accts {
				if a.User.Active {
					u = a.User
					names = append(names, a.User.UserName)
				}
			}
			switch {
			case len(names) == 0:
				return &notFoundError{fmt.Sprintf("tenant %s has no active break-glass account to recover as; make one with scimd breakglass create --tenant %s --email EMAIL (its enrollment link is the way in), or enable one with scimd breakglass reset",
					t.Slug, t.Slug)}
			case len(names) > 1:
				return fmt.Errorf("tenant %s has %d active break-glass accounts (%s); say which with --email", t.Slug, len(names), strings.Join(names, ", "))
			}
		}
		link, err := svc.MintRecoverLink(ctx, directory.CLI, t.ID, u.ID, ttl)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "made a recover link for break-glass account %s of tenant %s; using it opens a break-glass session (at most 1h), raises an alert and is audited\n", u.UserName, t.Slug)
		e.printLink("The link follows", link.Expires, sso.BreakGlassURL(f.base, t.Slug, directory.PurposeRecover, link.Secret))
		return nil
	})
}
