package storetest

import (
	"testing"

	"github.com/scimd/scimd/directory"
)

// Restart writes through one store, closes it, opens the same database
// again and checks that nothing was lost.
func Restart(t *testing.T, open func() directory.Store) {
	s := open()
	e := setup(t, s)
	u := e.user(t, idp, &directory.User{UserName: "ada@acme.example", Active: true,
		Identities: []directory.Identity{email("ada@acme.example", true)}})
	tm, err := e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "Support"}, []string{u.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, directory.ScopeSCIM, "okta")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open()
	defer s.Close()
	svc := directory.NewService(s, nil)
	got, err := svc.User(e.ctx, e.tenant.ID, u.ID, true)
	if err != nil {
		t.Fatalf("user after restart: %v", err)
	}
	if got.UserName != u.UserName || got.PrimaryEmail() != "ada@acme.example" || len(got.Groups) != 1 {
		t.Errorf("user after restart = %+v", got)
	}
	team, err := svc.Team(e.ctx, e.tenant.ID, tm.ID, true)
	if err != nil || len(team.Members) != 1 {
		t.Errorf("team after restart = %+v, %v", team, err)
	}
	if _, err := svc.Authenticate(e.ctx, secret); err != nil {
		t.Errorf("token after restart: %v", err)
	}
	if evs, err := s.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{}); err != nil || len(evs) < 4 {
		t.Errorf("audit after restart: %d events, %v", len(evs), err)
	}
}
