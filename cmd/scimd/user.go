package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

// tenantFlags are the flags of every command about one tenant's
// directory: which tenant, and the database.
type tenantFlags struct {
	db     dbConfig
	tenant string
}

func (f *tenantFlags) register(fs *flagSet) {
	fs.StringVar(&f.tenant, "tenant", "", "the tenant's `SLUG` (required)")
	f.db.register(fs)
}

// open checks the flags, opens the database and finds the tenant, then
// runs fn.
func (f *tenantFlags) open(ctx context.Context, e *env, cmd string, fn func(*directory.Service, *directory.Tenant) error) error {
	if f.tenant == "" {
		return fmt.Errorf("%s needs --tenant SLUG (see scimd %s --help)", cmd, cmd)
	}
	return withService(ctx, e, f.db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, f.tenant)
		if err != nil {
			return err
		}
		return fn(svc, t)
	})
}

// findUser finds a live user by id or by userName (in any case).
func findUser(ctx context.Context, svc *directory.Service, t *directory.Tenant, ref string) (*directory.User, error) {
	if id, ok := directory.CanonicalID(ref); ok {
		u, err := svc.User(ctx, t.ID, id, true)
		if err == nil || !errors.Is(err, directory.ErrNotFound) {
			return u, err
		}
	}
	page, err := svc.Users(ctx, t.ID, directory.Query{Limit: 1, WithGroups: true,
		Filter: directory.Cmp{Attr: directory.AttrUserName, Op: directory.OpEq, Value: ref, Fold: true}})
	if err != nil {
		return nil, err
	}
	if len(page.Users) == 0 {
		return nil, &notFoundError{fmt.Sprintf("tenant %s has no user %q (scimd user list --tenant %s shows them)", t.Slug, truncate(ref, 80), t.Slug)}
	}
	return page.Users[0], nil
}

func userListCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		f      tenantFlags
		filter string
		limit  int
	)
	fs := newFlagSet(cmd, "user list --tenant SLUG [--filter FILTER] [--limit N] [flags]")
	f.register(fs)
	fs.StringVar(&filter, "filter", "", "a SCIM `FILTER` such as 'role eq \"admin\"' or 'emails co \"@acme.example\"'")
	fs.IntVar(&limit, "limit", 0, "show at most `N` users; 0 shows every one")
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	var where directory.Expr
	if filter != "" {
		if where, err = scim.UserFilter(filter); err != nil {
			return fmt.Errorf("--filter: %v", err)
		}
	}
	return f.open(ctx, e, cmd, func(svc *directory.Service, t *directory.Tenant) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tDISPLAY NAME\tROLE\tACTIVE\tSOURCE\tEXTENSION")
		// Page by cursor, so a tenant of a million users streams out in
		// constant memory.
		q := directory.Query{Filter: where, Limit: 500}
		shown := 0
		for {
			if limit > 0 {
				q.Limit = min(q.Limit, limit-shown)
			}
			page, err := svc.Users(ctx, t.ID, q)
			if err != nil {
				return fmt.Errorf("list users of tenant %s: %w", t.Slug, err)
			}
			for _, u := range page.Users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\t%s\n", u.ID, cell(u.UserName), cell(u.DisplayName), u.Role, u.Active, u.Source, cell(u.Extension))
			}
			shown += len(page.Users)
			if page.Next == nil || limit > 0 && shown >= limit {
				break
			}
			q.After = page.Next
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if shown == 0 {
			fmt.Fprintf(e.stderr, "no users in tenant %s match\n", t.Slug)
		}
		return nil
	})
}

// fieldValue renders a field of u for a person.
func fieldValue(u *directory.User, field string) string {
	v, _ := directory.FieldValue(u, field)
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if field == directory.FieldManager && x != "" && u.Enterprise.ManagerName != "" {
			return x + " (" + u.Enterprise.ManagerName + ")"
		}
		return x
	}
	return fmt.Sprint(v)
}

func ownerOf(u *directory.User, field string) string {
	if u.Source == directory.SourceSCIM && u.IdPOwned.Has(field) {
		return "idp"
	}
	return "local"
}

func userShowCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f tenantFlags
	fs := newFlagSet(cmd, "user show --tenant SLUG ID|USERNAME [flags]")
	f.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos, "ID|USERNAME"); err != nil {
		return err
	}
	return f.open(ctx, e, cmd, func(svc *directory.Service, t *directory.Tenant) error {
		u, err := findUser(ctx, svc, t, pos[0])
		if err != nil {
			return err
		}
		defs, err := svc.CustomFields(ctx, t.ID)
		if err != nil {
			return err
		}
		w := e.stdout
		fmt.Fprintf(w, "user %s\n", u.ID)
		fmt.Fprintf(w, "  source:   %s\n  version:  %d\n  created:  %s\n  updated:  %s\n\n", u.Source, u.Version, timeText(&u.Created), timeText(&u.Updated))
		// Every field scimd lets an operator set, with who owns it: an
		// "idp" field is changed in the identity provider, not here.
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FIELD\tVALUE\tOWNER")
		fields := directory.SettableFields()
		for _, d := range defs {
			fields = append(fields, directory.FieldCustomPrefix+d.Name)
		}
		for _, field := range fields {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", field, cell(fieldValue(u, field)), ownerOf(u, field))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "IDENTITY\tKIND\tVALUE\tTYPE\tFLAGS\tOWNER")
		for _, id := range u.Identities {
			var flags []string
			for name, on := range map[string]bool{"primary": id.Primary, "verified": id.Verified, "registered": id.Registered} {
				if on {
					flags = append(flags, name)
				}
			}
			slices.Sort(flags)
			field := map[directory.IdentityKind]string{directory.KindEmail: directory.FieldEmails,
				directory.KindPhone: directory.FieldPhoneNumbers, directory.KindSocial: directory.FieldSocial}[id.Kind]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id.ID, id.Kind, cell(id.Value), cell(id.Type), cell(strings.Join(flags, ",")), ownerOf(u, field))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		var teams []string
		for _, g := range u.Groups {
			teams = append(teams, g.DisplayName)
		}
		fmt.Fprintf(w, "teams: %s\n", cell(strings.Join(teams, ", ")))
		return nil
	})
}

func userSetCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var f tenantFlags
	fs := newFlagSet(cmd, "user set --tenant SLUG ID|USERNAME FIELD=VALUE... [flags]\n\n"+
		"FIELD is one of "+strings.Join(directory.SettableFields(), ", ")+", or custom.NAME;\n"+
		"an empty VALUE clears the field. Fields the identity provider owns are refused.")
	f.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return fs.wantArgs(pos, "ID|USERNAME", "FIELD=VALUE...")
	}
	type assignment struct{ field, value string }
	var set []assignment
	for _, a := range pos[1:] {
		field, value, ok := strings.Cut(a, "=")
		if !ok || field == "" {
			return fmt.Errorf("%s: %q is not FIELD=VALUE (see scimd %s --help)", cmd, truncate(a, 80), cmd)
		}
		if err := directory.SetField(&directory.User{}, field, value); err != nil {
			return err
		}
		set = append(set, assignment{field, value})
	}
	return f.open(ctx, e, cmd, func(svc *directory.Service, t *directory.Tenant) error {
		u, err := findUser(ctx, svc, t, pos[0])
		if err != nil {
			return err
		}
		after, err := svc.UpdateUser(ctx, directory.CLI, t.ID, u.ID, 0, func(u *directory.User) error {
			for _, a := range set {
				var v any = a.value
				if a.value == "" {
					v = nil
				}
				if err := directory.SetField(u, a.field, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if after.Version == u.Version {
			fmt.Fprintf(e.stdout, "user %s already had those values; nothing changed\n", after.UserName)
			return nil
		}
		changed := directory.ChangedFields(directory.DiffUsers(u, after))
		fmt.Fprintf(e.stdout, "updated user %s (version %d): %s\n", after.UserName, after.Version, strings.Join(changed, ", "))
		return nil
	})
}
