package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/scimd/scimd/directory"
)

func (e *env) users(t *testing.T, n int, prefix string) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.user(t, idp, &directory.User{UserName: fmt.Sprintf("%s%03d@acme.example", prefix, i), Active: true}).ID
	}
	return ids
}

func memberIDs(tm *directory.Team) []string {
	var out []string
	for _, m := range tm.Members {
		out = append(out, m.UserID)
	}
	slices.Sort(out)
	return out
}

func (e *env) members(t *testing.T, team string) []string {
	t.Helper()
	tm, err := e.svc.Team(e.ctx, e.tenant.ID, team, true)
	if err != nil {
		t.Fatal(err)
	}
	return memberIDs(tm)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

var _ = add("TeamsAndMembers", func(t *testing.T, e *env) {
	u := e.users(t, 4, "m")
	tm, err := e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "Support", ExternalID: "g1"}, []string{u[0], u[1], u[1]})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.members(t, tm.ID); !slices.Equal(got, sorted(u[:2])) {
		t.Errorf("members = %v", got)
	}
	_, err = e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "SUPPORT"}, nil)
	ce := wantErr[*directory.ConflictError](t, err, "team name in other case")
	if ce.Error() != "displayName SUPPORT is already used by another team" {
		t.Errorf("detail %q", ce.Error())
	}
	// Add and remove in one change; the version moves once.
	got, err := e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Add: []string{u[2], u[3]}, Remove: []string{u[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Members != nil {
		t.Errorf("member change answered version %d, members %v (must not read them)", got.Version, got.Members)
	}
	if m := e.members(t, tm.ID); !slices.Equal(m, sorted(u[1:])) {
		t.Errorf("members = %v", m)
	}
	// Unknown and malformed members are refused and change nothing.
	for _, bad := range []string{"0195d3a0-0000-7000-8000-000000000000", "not-an-id"} {
		_, err = e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Add: []string{u[0], bad}})
		wantErr[*directory.ValidationError](t, err, "unknown member "+bad)
	}
	if m := e.members(t, tm.ID); !slices.Equal(m, sorted(u[1:])) {
		t.Errorf("refused change wrote members: %v", m)
	}
	// Replace the list and rename in one change, with If-Match.
	_, err = e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 1, func(t *directory.Team) error { t.DisplayName = "x"; return nil }, nil)
	wantIs(t, err, directory.ErrPrecondition, "stale If-Match")
	_, err = e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 1, nil, &directory.MemberChange{Add: []string{u[0]}})
	wantIs(t, err, directory.ErrPrecondition, "stale If-Match on members")
	got, err = e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 2, func(t *directory.Team) error { t.DisplayName = "Tier 2"; return nil },
		&directory.MemberChange{Replace: true, Add: []string{u[0], u[1]}})
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Tier 2" || got.Version != 3 {
		t.Errorf("after replace: %+v", got)
	}
	if m := e.members(t, tm.ID); !slices.Equal(m, sorted(u[:2])) {
		t.Errorf("members after replace = %v", m)
	}
	evs := e.audit(t, tm.ID)
	last := evs[len(evs)-1]
	if last.Action != "team.update" || len(last.Changes) != 2 || last.Changes[1].Field != directory.FieldMembers {
		t.Errorf("audit of replace: %+v", last)
	}
	// Users see their teams.
	if g := e.reread(t, u[0]).Groups; len(g) != 1 || g[0].DisplayName != "Tier 2" {
		t.Errorf("groups of a member: %+v", g)
	}
	// The IdP owns what it sent; members too.
	_, err = e.svc.UpdateTeam(e.ctx, admin, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Add: []string{u[3]}})
	wantErr[*directory.ReadOnlyError](t, err, "local member change of an IdP team")
	// Delete frees the name and ends memberships.
	if err := e.svc.DeleteTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Team(e.ctx, e.tenant.ID, tm.ID, false)
	wantIs(t, err, directory.ErrNotFound, "deleted team")
	_, err = e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Add: []string{u[3]}})
	wantIs(t, err, directory.ErrNotFound, "member change on a deleted team")
	if g := e.reread(t, u[0]).Groups; len(g) != 0 {
		t.Errorf("groups after team deleted: %+v", g)
	}
	if _, err := e.svc.CreateTeam(e.ctx, admin, e.tenant.ID, &directory.Team{DisplayName: "support"}, nil); err != nil {
		t.Errorf("name of a deleted team: %v", err)
	}
})

var _ = add("ConcurrentMembers", func(t *testing.T, e *env) {
	const writers = 16
	const each = 6
	u := e.users(t, writers*each, "c")
	tm, err := e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "Busy"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Each writer adds its users one at a time, then removes every other
	// one; the team must end with exactly the kept ones.
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	var want []string
	for w := range writers {
		mine := u[w*each : (w+1)*each]
		for i, id := range mine {
			if i%2 == 0 {
				want = append(want, id)
			}
		}
		wg.Go(func() {
			for _, id := range mine {
				if _, err := e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Add: []string{id}}); err != nil {
					errs <- err
					return
				}
			}
			for i, id := range mine {
				if i%2 == 1 {
					if _, err := e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Remove: []string{id}}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := e.members(t, tm.ID); !slices.Equal(got, sorted(want)) {
		t.Errorf("after concurrent changes: %d members, want %d", len(got), len(want))
	}
	final, _ := e.svc.Team(e.ctx, e.tenant.ID, tm.ID, false)
	if final.Version != 1+writers*each+writers*each/2 {
		t.Errorf("version %d: a member change was lost or doubled", final.Version)
	}
})

var _ = add("ConcurrentIfMatch", func(t *testing.T, e *env) {
	u := e.user(t, idp, &directory.User{UserName: "contended"})
	const writers = 8
	const rounds = 20
	for round := range rounds {
		version := int64(round + 1)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, stale := 0, 0
		for w := range writers {
			wg.Go(func() {
				_, err := e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, u.ID, version, func(u *directory.User) error {
					u.Title = fmt.Sprintf("round %d writer %d", round, w)
					return nil
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case isPrecondition(err):
					stale++
				default:
					t.Errorf("writer %d: %v", w, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || stale != writers-1 {
			t.Fatalf("round %d: %d winners, %d stale; want 1 and %d", round, wins, stale, writers-1)
		}
	}
	if got := e.reread(t, u.ID); got.Version != rounds+1 {
		t.Errorf("version %d, want %d", got.Version, rounds+1)
	}
})
