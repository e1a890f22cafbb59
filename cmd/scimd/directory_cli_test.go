package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
)

// seed opens the backend's database as serve would, creates tenant acme
// with the CLI, and returns a Service to put users in place the way an
// IdP and an admin would.
func seed(t *testing.T, b backend) (*directory.Service, *directory.Tenant) {
	t.Helper()
	ok(t, append([]string{"tenant", "create", "acme"}, b.db()...)...)
	var st store
	var err error
	if b.name == "sqlite" {
		st, err = sqlite.Open(t.Context(), strings.TrimPrefix(b.url, "sqlite:"))
	} else {
		st, err = postgres.Open(t.Context(), b.url)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := directory.NewService(st, nil)
	tn, err := svc.TenantBySlug(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return svc, tn
}

var idpActor = directory.Actor{Kind: directory.ActorToken, ID: "00000000-0000-7000-8000-000000000001", Scope: directory.ScopeSCIM}

func mustUser(t *testing.T, svc *directory.Service, tn *directory.Tenant, actor directory.Actor, u *directory.User) *directory.User {
	t.Helper()
	got, err := svc.CreateUser(t.Context(), actor, tn.ID, u)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// hasLine reports whether out has a line with each of fields as one of
// its whitespace-separated fields.
func hasLine(out string, fields ...string) bool {
	for _, l := range lines(out) {
		f := strings.Fields(l)
		found := true
		for _, want := range fields {
			found = found && slices.Contains(f, want)
		}
		if found {
			return true
		}
	}
	return false
}

// fails runs scimd and checks that it failed with one line on stderr
// holding want.
func fails(t *testing.T, want string, args ...string) {
	t.Helper()
	r := cli(t, args...)
	if r.err == nil {
		t.Fatalf("scimd %s succeeded: %s", strings.Join(args, " "), r.stdout)
	}
	if len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, "scimd: ") || !strings.Contains(r.stderr, want) {
		t.Errorf("scimd %s: stderr %q, want one line with %q", strings.Join(args, " "), r.stderr, want)
	}
}

func TestUserCommands(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		svc, tn := seed(t, b)
		if _, err := svc.DefineCustomField(t.Context(), directory.CLI, tn.ID, &directory.CustomField{Name: "tier", Type: directory.CustomText}); err != nil {
			t.Fatal(err)
		}
		ada := mustUser(t, svc, tn, idpActor, &directory.User{UserName: "ada@acme.example", Title: "Engineer", Active: true,
			Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "ada@acme.example", Primary: true}}})
		owner := mustUser(t, svc, tn, directory.CLI, &directory.User{UserName: "owner", Role: directory.RoleOwner, Active: true})
		mustUser(t, svc, tn, directory.CLI, &directory.User{UserName: "off", Active: false})
		db := b.db()
		args := func(a ...string) []string { return append(append(a, "--tenant", "acme"), db...) }

		out := ok(t, args("user", "list")...)
		if got := lines(out); len(got) != 4 || !strings.Contains(got[0], "USERNAME") || !strings.Contains(out, ada.ID) {
			t.Errorf("user list:\n%s", out)
		}
		out = ok(t, args("user", "list", "--filter", `role eq "owner"`)...)
		if got := lines(out); len(got) != 2 || !strings.Contains(got[1], "owner") {
			t.Errorf("user list --filter:\n%s", out)
		}
		if out := ok(t, args("user", "list", "--limit", "1")...); len(lines(out)) != 2 {
			t.Errorf("user list --limit 1:\n%s", out)
		}
		fails(t, "--filter: ", args("user", "list", "--filter", `role eq`)...)

		// show names every field's owner.
		out = ok(t, args("user", "show", "ADA@acme.example")...)
		for _, want := range [][]string{{"title", "Engineer", "idp"}, {"extension", "-", "local"}, {"custom.tier", "-", "local"},
			{"email", "ada@acme.example", "primary,verified", "idp"}, {"userName", "ada@acme.example", "idp"}} {
			if !hasLine(out, want...) {
				t.Errorf("user show lacks a line with %v:\n%s", want, out)
			}
		}

		out = ok(t, args("user", "set", ada.ID, "extension=4242", "timezone=Europe/Paris", "custom.tier=gold")...)
		if out != "updated user ada@acme.example (version 2): timezone, extension, custom.tier\n" {
			t.Errorf("user set said %q", out)
		}
		if out := ok(t, args("user", "set", "ada@acme.example", "extension=4242")...); !strings.Contains(out, "nothing changed") {
			t.Errorf("user set of the same value said %q", out)
		}
		ok(t, args("user", "set", "ada@acme.example", "custom.tier=")...)

		// The same rules as everywhere, one line each.
		fails(t, "title is managed by your identity provider; change it there and it will sync", args("user", "set", "ada@acme.example", "title=CEO")...)
		fails(t, "owner is the tenant's last active owner or admin and can't be disabled", args("user", "set", "owner", "active=false")...)
		fails(t, "extension 4242 belongs to another user; free it there first", args("user", "set", owner.ID, "extension=4242")...)
		fails(t, "nope is not a user field that can be set", args("user", "set", "owner", "nope=1")...)
		fails(t, "emails can't be set this way", args("user", "set", "owner", "emails=x@y.z")...)
		fails(t, `timezone "Mars/Base" is not an IANA time zone name`, args("user", "set", "owner", "timezone=Mars/Base")...)
		fails(t, `"title" is not FIELD=VALUE`, args("user", "set", "owner", "title")...)
		fails(t, `tenant acme has no user "ghost"`, args("user", "set", "ghost", "title=x")...)
		fails(t, "user set needs FIELD=VALUE...", args("user", "set", "owner")...)
		fails(t, "user show needs --tenant SLUG", append([]string{"user", "show", "owner"}, db...)...)

		// Seats hold for the CLI too, and say how many there are.
		ok(t, append([]string{"tenant", "update", "acme", "--seats", "2", "--name", "Acme Corp"}, db...)...)
		fails(t, "all 2 seats of this tenant are taken", args("user", "set", "off", "active=true")...)
		fails(t, "2 staff take a seat, more than 1", append([]string{"tenant", "update", "acme", "--seats", "1"}, db...)...)
		fails(t, "tenant update needs --name NAME, --seats N or --alert-webhook URL", append([]string{"tenant", "update", "acme"}, db...)...)
		if out := ok(t, append([]string{"tenant", "list"}, db...)...); !strings.Contains(out, "Acme Corp") {
			t.Errorf("tenant list after update:\n%s", out)
		}

		// The CLI's changes and refusals are audited as the CLI's.
		evs, err := svc.AuditEvents(t.Context(), tn.ID, directory.AuditQuery{TargetID: ada.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range evs {
			got = append(got, string(ev.Actor.Kind)+" "+ev.Action+" "+ev.Outcome)
		}
		if want := "cli user.update denied,cli user.update success,cli user.update success,token user.create success"; strings.Join(got, ",") != want {
			t.Errorf("audit of ada:\n got %s\nwant %s", strings.Join(got, ","), want)
		}
	})
}

func TestTeamCommands(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		svc, tn := seed(t, b)
		for _, n := range []string{"ada", "bob", "cy"} {
			mustUser(t, svc, tn, directory.CLI, &directory.User{UserName: n, Active: true})
		}
		if _, err := svc.CreateTeam(t.Context(), idpActor, tn.ID, &directory.Team{DisplayName: "Engineering"}, nil); err != nil {
			t.Fatal(err)
		}
		db := b.db()
		args := func(a ...string) []string { return append(append(a, "--tenant", "acme"), db...) }

		out := ok(t, args("team", "create", "Support", "--member", "ada", "--member", "BOB")...)
		if !strings.HasPrefix(out, "created team Support (") || !strings.Contains(out, "with 2 members") {
			t.Errorf("team create said %q", out)
		}
		fails(t, "displayName support is already used by another team", args("team", "create", "support")...)
		if out := ok(t, args("team", "add", "support", "cy", "ada")...); out != "added 2 users; team Support has 3 members\n" {
			t.Errorf("team add said %q", out)
		}
		if out := ok(t, args("team", "remove", "Support", "ada")...); out != "removed 1 users; team Support has 2 members\n" {
			t.Errorf("team remove said %q", out)
		}
		out = ok(t, args("team", "show", "Support")...)
		if !strings.Contains(out, "bob") || !strings.Contains(out, "cy") || strings.Contains(out, " ada ") || !strings.Contains(out, "2 members") {
			t.Errorf("team show:\n%s", out)
		}
		out = ok(t, args("team", "list")...)
		if got := lines(out); len(got) != 3 || !strings.Contains(got[1], "Engineering") || !strings.Contains(got[2], "Support") {
			t.Errorf("team list:\n%s", out)
		}
		ok(t, args("team", "rename", "Support", "Tier 1")...)
		// The IdP's team is read-only here.
		fails(t, "members is managed by your identity provider", args("team", "add", "Engineering", "ada")...)
		fails(t, "displayName is managed by your identity provider", args("team", "rename", "Engineering", "Eng")...)
		fails(t, "team is managed by your identity provider", args("team", "delete", "Engineering")...)
		fails(t, `tenant acme has no team "Support"`, args("team", "delete", "Support")...)
		fails(t, `tenant acme has no user "zed"`, args("team", "add", "Tier 1", "zed")...)
		fails(t, "team add needs USER...", args("team", "add", "Tier 1")...)
		if out := ok(t, args("team", "delete", "tier 1")...); !strings.HasPrefix(out, "deleted team Tier 1") {
			t.Errorf("team delete said %q", out)
		}
	})
}

func TestAuditExport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		svc, tn := seed(t, b)
		u := mustUser(t, svc, tn, directory.CLI, &directory.User{UserName: "owner", Role: directory.RoleOwner, Active: true})
		db := b.db()
		args := func(a ...string) []string { return append(append(a, "--tenant", "acme"), db...) }
		cli(t, args("user", "set", "owner", "role=agent")...) // denied: the last admin
		ok(t, args("user", "set", "owner", "title=Founder")...)

		out := ok(t, args("audit", "export")...)
		recs := lines(out)
		if len(recs) != 4 {
			t.Fatalf("export:\n%s", out)
		}
		var last int64
		var actions []string
		for _, l := range recs {
			var rec struct {
				ID     int64  `json:"id"`
				Tenant string `json:"tenant"`
				At     string `json:"at"`
				Actor  struct {
					Kind string `json:"kind"`
				} `json:"actor"`
				Action string `json:"action"`
				Target struct {
					Kind, ID, Name string
				} `json:"target"`
				Outcome string `json:"outcome"`
				Reason  string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			if rec.ID <= last || rec.Tenant != "acme" || rec.Actor.Kind != "cli" || !strings.HasSuffix(rec.At, "Z") {
				t.Errorf("record %s", l)
			}
			last = rec.ID
			actions = append(actions, rec.Action+"/"+rec.Outcome)
			if rec.Outcome == "denied" && (rec.Target.ID != u.ID || !strings.Contains(rec.Reason, "last active owner")) {
				t.Errorf("denied record %s", l)
			}
		}
		if got := strings.Join(actions, " "); got != "tenant.create/success user.create/success user.update/denied user.update/success" {
			t.Errorf("oldest first: %s", got)
		}
		if out := ok(t, args("audit", "export", "--after", "0", "--action", "user.")...); len(lines(out)) != 3 {
			t.Errorf("--action user.:\n%s", out)
		}
		if out := ok(t, args("audit", "export", "--since", "2999-01-01")...); out != "" {
			t.Errorf("--since the future: %q", out)
		}
		fails(t, `--since "yesterday" is not a time`, args("audit", "export", "--since", "yesterday")...)
		fails(t, "audit export needs --tenant SLUG", append([]string{"audit", "export"}, db...)...)
	})
}

func TestNewCommandsHelp(t *testing.T) {
	for _, args := range [][]string{
		{"user", "--help"}, {"user", "list", "--help"}, {"user", "show", "--help"}, {"user", "set", "--help"},
		{"team", "--help"}, {"team", "list", "--help"}, {"team", "show", "--help"}, {"team", "create", "--help"},
		{"team", "rename", "--help"}, {"team", "delete", "--help"}, {"team", "add", "--help"}, {"team", "remove", "--help"},
		{"audit", "--help"}, {"audit", "export", "--help"}, {"tenant", "update", "--help"},
	} {
		r := cli(t, args...)
		if r.err != nil || !strings.Contains(r.stdout, "Usage: scimd") {
			t.Errorf("%v: err %v, stdout:\n%s", args, r.err, r.stdout)
		}
	}
	if r := cli(t, "user", "set", "--help"); !strings.Contains(r.stdout, "custom.NAME") || !strings.Contains(r.stdout, "extension") {
		t.Errorf("user set --help doesn't list the fields:\n%s", r.stdout)
	}
}
