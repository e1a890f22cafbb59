package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/scimd/scimd/directory"
)

// findTeam finds a live team by id or by name (in any case).
func findTeam(ctx context.Context, svc *directory.Service, t *directory.Tenant, ref string) (*directory.Team, error) {
	if id, ok := directory.CanonicalID(ref); ok {
		tm, err := svc.Team(ctx, t.ID, id, false)
		if err == nil || !errors.Is(err, directory.ErrNotFound) {
			return tm, err
		}
	}
	page, err := svc.Teams(ctx, t.ID, directory.Query{Limit: 1,
		Filter: directory.Cmp{Attr: directory.AttrDisplayName, Op: directory.OpEq, Value: ref, Fold: true}})
	if err != nil {
		return nil, err
	}
	if len(page.Teams) == 0 {
		return nil, &notFoundError{fmt.Sprintf("tenant %s has no team %q (scimd team list --tenant %s shows them)", t.Slug, truncate(ref, 80), t.Slug)}
	}
	return page.Teams[0], nil
}

// userIDs resolves users named by id or userName.
func userIDs(ctx context.Context, svc *directory.Service, t *directory.Tenant, refs []string) ([]string, error) {
	ids := make([]string, len(refs))
	for i, ref := range refs {
		u, err := findUser(ctx, svc, t, ref)
		if err != nil {
			return nil, err
		}
		ids[i] = u.ID
	}
	return ids, nil
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// teamCmd parses a team command's flags and arguments and runs fn on the
// tenant.
func teamCmd(ctx context.Context, e *env, cmd, synopsis string, args []string, names []string, extra func(*flagSet),
	fn func(svc *directory.Service, t *directory.Tenant, pos []string) error) error {
	var f tenantFlags
	fs := newFlagSet(cmd, synopsis)
	f.register(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	variadic := len(names) > 0 && strings.HasSuffix(names[len(names)-1], "...")
	if variadic && len(pos) >= len(names) {
		// USER... takes one or more.
	} else if err := fs.wantArgs(pos, names...); err != nil {
		return err
	}
	return f.open(ctx, e, cmd, func(svc *directory.Service, t *directory.Tenant) error { return fn(svc, t, pos) })
}

func teamListCmd(ctx context.Context, e *env, cmd string, args []string) error {
	return teamCmd(ctx, e, cmd, "team list --tenant SLUG [flags]", args, nil, nil, func(svc *directory.Service, t *directory.Tenant, _ []string) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSOURCE\tMEMBERS\tUPDATED")
		q := directory.Query{Limit: 500, SortBy: directory.AttrDisplayName, SortFold: true}
		n := 0
		for {
			page, err := svc.Teams(ctx, t.ID, q)
			if err != nil {
				return fmt.Errorf("list teams of tenant %s: %w", t.Slug, err)
			}
			for _, tm := range page.Teams {
				members, err := svc.TeamMembers(ctx, t.ID, tm.ID, directory.MemberQuery{Count: true})
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", tm.ID, cell(tm.DisplayName), tm.Source, members.Total, timeText(&tm.Updated))
			}
			n += len(page.Teams)
			if page.Next == nil {
				break
			}
			q.After = page.Next
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintf(e.stderr, "tenant %s has no teams yet; add one with: scimd team create --tenant %s NAME\n", t.Slug, t.Slug)
		}
		return nil
	})
}

func teamShowCmd(ctx context.Context, e *env, cmd string, args []string) error {
	return teamCmd(ctx, e, cmd, "team show --tenant SLUG ID|NAME [flags]", args, []string{"ID|NAME"}, nil,
		func(svc *directory.Service, t *directory.Tenant, pos []string) error {
			tm, err := findTeam(ctx, svc, t, pos[0])
			if err != nil {
				return err
			}
			w := e.stdout
			owner := "local"
			if tm.Source == directory.SourceSCIM {
				owner = "idp (read-only here: change it in the identity provider)"
			}
			fmt.Fprintf(w, "team %s\n  name:     %s\n  source:   %s\n  owner:    %s\n  version:  %d\n  updated:  %s\n\n",
				tm.ID, cell(tm.DisplayName), tm.Source, owner, tm.Version, timeText(&tm.Updated))
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "MEMBER\tUSERNAME\tDISPLAY NAME")
			q := directory.MemberQuery{Limit: 1000, Count: true}
			var total int
			for {
				page, err := svc.TeamMembers(ctx, t.ID, tm.ID, q)
				if err != nil {
					return err
				}
				if q.Count {
					total, q.Count = page.Total, false
				}
				for _, m := range page.Members {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", m.UserID, cell(m.UserName), cell(m.DisplayName))
				}
				if page.Next == "" {
					break
				}
				q.After = page.Next
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(w, "\n%d members\n", total)
			return nil
		})
}

func teamCreateCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var members listFlag
	return teamCmd(ctx, e, cmd, "team create --tenant SLUG NAME [--member ID|USERNAME]... [flags]", args, []string{"NAME"},
		func(fs *flagSet) {
			fs.Var(&members, "member", "a `USER` (id or userName) to add; give it once per member")
		},
		func(svc *directory.Service, t *directory.Tenant, pos []string) error {
			ids, err := userIDs(ctx, svc, t, members)
			if err != nil {
				return err
			}
			tm, err := svc.CreateTeam(ctx, directory.CLI, t.ID, &directory.Team{DisplayName: pos[0]}, ids)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created team %s (%s) with %d members\n", tm.DisplayName, tm.ID, tm.MemberCount)
			return nil
		})
}

func teamRenameCmd(ctx context.Context, e *env, cmd string, args []string) error {
	return teamCmd(ctx, e, cmd, "team rename --tenant SLUG ID|NAME NEW_NAME [flags]", args, []string{"ID|NAME", "NEW_NAME"}, nil,
		func(svc *directory.Service, t *directory.Tenant, pos []string) error {
			tm, err := findTeam(ctx, svc, t, pos[0])
			if err != nil {
				return err
			}
			got, err := svc.UpdateTeam(ctx, directory.CLI, t.ID, tm.ID, 0, func(tm *directory.Team) error {
				tm.DisplayName = pos[1]
				return nil
			}, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "renamed team %s to %s\n", tm.DisplayName, got.DisplayName)
			return nil
		})
}

func teamDeleteCmd(ctx context.Context, e *env, cmd string, args []string) error {
	return teamCmd(ctx, e, cmd, "team delete --tenant SLUG ID|NAME [flags]", args, []string{"ID|NAME"}, nil,
		func(svc *directory.Service, t *directory.Tenant, pos []string) error {
			tm, err := findTeam(ctx, svc, t, pos[0])
			if err != nil {
				return err
			}
			if err := svc.DeleteTeam(ctx, directory.CLI, t.ID, tm.ID, 0); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deleted team %s (%s); its members stay users\n", tm.DisplayName, tm.ID)
			return nil
		})
}

func teamAddCmd(ctx context.Context, e *env, cmd string, args []string) error {
	return teamMembersCmd(ctx, e, cmd, args, true)
}

func teamRemoveCmd(ctx context.Context, e *env, cmd string, args []string) error {
	return teamMembersCmd(ctx, e, cmd, args, false)
}

// teamMembersCmd adds users to a team, or removes them: one membership row
// each, never the whole list.
func teamMembersCmd(ctx context.Context, e *env, cmd string, args []string, add bool) error {
	verb := "add"
	if !add {
		verb = "remove"
	}
	return teamCmd(ctx, e, cmd, "team "+verb+" --tenant SLUG ID|NAME USER... [flags]\n\nUSER is a user's id or userName.",
		args, []string{"ID|NAME", "USER..."}, nil,
		func(svc *directory.Service, t *directory.Tenant, pos []string) error {
			tm, err := findTeam(ctx, svc, t, pos[0])
			if err != nil {
				return err
			}
			ids, err := userIDs(ctx, svc, t, pos[1:])
			if err != nil {
				return err
			}
			c := &directory.MemberChange{Add: ids}
			if !add {
				c = &directory.MemberChange{Remove: ids}
			}
			if _, err := svc.UpdateTeam(ctx, directory.CLI, t.ID, tm.ID, 0, nil, c); err != nil {
				return err
			}
			page, err := svc.TeamMembers(ctx, t.ID, tm.ID, directory.MemberQuery{Count: true})
			if err != nil {
				return err
			}
			past := map[bool]string{true: "added", false: "removed"}[add]
			fmt.Fprintf(e.stdout, "%s %d users; team %s has %d members\n", past, len(ids), tm.DisplayName, page.Total)
			return nil
		})
}
