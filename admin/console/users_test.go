package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
)

// TestSearch: the box takes text (every word somewhere in a name, user
// name, email or extension) or a SCIM filter; the filters narrow by role,
// status, source and team.
func TestSearch(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	ada := e.user(&directory.User{UserName: "ada@acme.example", ExternalID: "okta-ada", DisplayName: "Ada Lovelace", Title: "Engineer",
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "ada@acme.example", Primary: true}}}, true)
	e.user(&directory.User{UserName: "grace", ExternalID: "ext-grace", DisplayName: "Grace Hopper", Extension: "4711",
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "amazing.grace@navy.example", Primary: true}}}, false)
	e.user(&directory.User{UserName: "carol", ExternalID: "ext-carol", Role: directory.RoleCustomer}, false)
	if _, err := e.svc.UpdateUser(t.Context(), e.idp, e.tenant.ID, ada.ID, 0, func(u *directory.User) error {
		u.Active = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	team, _ := e.svc.CreateTeam(t.Context(), directory.CLI, e.tenant.ID, &directory.Team{DisplayName: "Support"}, []string{ada.ID})
	names := func(q string) []string {
		t.Helper()
		r := e.get("/t/acme/console/users"+q, s)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		var out []string
		for _, n := range []string{"ada@acme.example", "grace", "carol", "root"} {
			if strings.Contains(r.body, `<span class="muted">`+n+`</span>`) {
				out = append(out, n)
			}
		}
		return out
	}
	for _, c := range []struct{ q, want string }{
		{"", "ada@acme.example grace carol root"},
		{"?q=LOVE", "ada@acme.example"},
		{"?q=grace+hopper", "grace"},
		{"?q=navy", "grace"},
		{"?q=4711", "grace"},
		{"?q=" + url.QueryEscape(`title eq "Engineer"`), "ada@acme.example"},
		{"?q=" + url.QueryEscape(`emails.value ew "navy.example"`), "grace"},
		{"?role=customer", "carol"},
		{"?status=disabled", "ada@acme.example"},
		{"?status=active&source=local", "grace carol root"},
		{"?source=scim", "ada@acme.example"},
		{"?team=" + team.ID, "ada@acme.example"},
		{"?q=nobody", ""},
	} {
		if got := strings.Join(names(c.q), " "); got != c.want {
			t.Errorf("%s: %q, want %q", c.q, got, c.want)
		}
	}
	// Text that looks like a filter but isn't one is searched as text, and
	// the page says what the filter lacked.
	r := e.get("/t/acme/console/users?q="+url.QueryEscape(`title eq Engineer`), s)
	if !strings.Contains(r.body, "Searched as text. As a SCIM filter it does not read") {
		t.Errorf("broken filter: no note\n%s", r.body)
	}
	// The IdP badge marks provisioned users.
	if r := e.get("/t/acme/console/users?source=scim", s); strings.Count(r.body, `class="badge idp"`) != 1 {
		t.Errorf("IdP badges: %d", strings.Count(r.body, `class="badge idp"`))
	}
}

// TestLockedAndLocalFields: an IdP user's page locks what the IdP sent,
// says why, and refuses a forged edit of it with that reason, writing
// nothing; a local field is saved in place and audited as the admin's.
func TestLockedAndLocalFields(t *testing.T) {
	e := newEnv(t)
	root, s := e.admin("root")
	ada := e.user(&directory.User{UserName: "ada@acme.example", ExternalID: "okta-ada", DisplayName: "Ada",
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "ada@acme.example", Primary: true}}}, true)
	page := e.get("/t/acme/console/users/"+ada.ID, s).body
	for _, want := range []string{`id="field-userName"`, "Managed by your identity provider", "User name comes from your identity provider",
		`name="field" value="extension"`, `name="field" value="timezone"`} {
		if !strings.Contains(page, want) {
			t.Errorf("user page lacks %s", want)
		}
	}
	if strings.Contains(page, `name="field" value="userName"`) {
		t.Error("the IdP's userName has an edit form")
	}
	tok := csrf(t, page)
	path := "/t/acme/console/users/" + ada.ID + "/field"
	r := e.post(path, s, url.Values{"csrf": {tok}, "field": {"userName"}, "value": {"mallory"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "User name is managed by your identity provider. Change it there and it will sync here.") {
		t.Errorf("edit of a locked field: %d\n%s", r.status, r.body)
	}
	// A bad value is refused next to its field, with the value typed kept.
	r = e.post(path, s, url.Values{"csrf": {tok}, "field": {"timezone"}, "value": {"Mars/Olympus"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `value="Mars/Olympus"`) || !strings.Contains(r.body, `id="why-timezone"`) {
		t.Errorf("bad time zone: %d\n%s", r.status, r.body)
	}
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, ada.ID, false); u.UserName != ada.UserName || u.Timezone != "" || u.Version != ada.Version {
		t.Fatalf("refused edits were written: %+v", u)
	}
	// The extension is hers to set, then taken by another user: refused
	// with whose it is.
	r = e.post(path, s, url.Values{"csrf": {tok}, "field": {"extension"}, "value": {"4711"}, "version": {"1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/t/acme/console/users/"+ada.ID+"?done=saved%3Aextension#field-extension" {
		t.Fatalf("set extension: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, ada.ID, false); u.Extension != "4711" {
		t.Errorf("extension %q", u.Extension)
	}
	if p := e.get("/t/acme/console/users/"+ada.ID+"?done=saved%3Aextension", s).body; !strings.Contains(p, "Saved Extension.") || !strings.Contains(p, `value="4711"`) {
		t.Error("the page after saving does not say so")
	}
	if p := e.get("/t/acme/console/users/"+ada.ID+"?done=Call+555-0100+now", s).body; strings.Contains(p, "555-0100") {
		t.Error("the page shows text from its address")
	}
	evs, _ := e.svc.AuditEvents(t.Context(), e.tenant.ID, directory.AuditQuery{TargetID: ada.ID, Action: "user.update"})
	// The log has the change, by the admin, and the refused attempt.
	if len(evs) != 2 || evs[0].Outcome != directory.OutcomeSuccess || evs[0].Actor.ID != root.ID || evs[0].Actor.Kind != directory.ActorUser ||
		evs[1].Outcome != directory.OutcomeDenied {
		t.Errorf("audit: %+v %+v", evs[0], evs[len(evs)-1])
	}
	grace := e.user(&directory.User{UserName: "grace", ExternalID: "ext-grace"}, false)
	r = e.post("/t/acme/console/users/"+grace.ID+"/field", s, url.Values{"csrf": {tok}, "field": {"extension"}, "value": {"4711"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Extension 4711 belongs to another user; free it there first.") {
		t.Errorf("taken extension: %d\n%s", r.status, r.body)
	}
	// An edit against an old version is refused, not lost.
	r = e.post(path, s, url.Values{"csrf": {tok}, "field": {"extension"}, "value": {"4712"}, "version": {"1"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Changed in the meantime") {
		t.Errorf("stale version: %d", r.status)
	}
	// Fields no form here sets are refused by name.
	r = e.post(path, s, url.Values{"csrf": {tok}, "field": {"role"}, "value": {"owner"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("role through the field form: %d", r.status)
	}
}

// TestAccountAndIdentities: the identity flow (add, verify, make primary,
// remove the old one), role changes with the last-admin rule, disable,
// enable and delete, and teams, all through the user's page.
func TestAccountAndIdentities(t *testing.T) {
	e := newEnv(t)
	root, s := e.admin("root")
	grace := e.user(&directory.User{UserName: "grace", ExternalID: "ext-grace",
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "grace@old.example", Primary: true, Verified: true}}}, false)
	base := "/t/acme/console/users/" + grace.ID
	tok := csrf(t, e.get(base, s).body)
	post := func(path string, form url.Values, want int) *response {
		t.Helper()
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf", tok)
		r := e.post(base+path, s, form)
		if r.status != want {
			t.Fatalf("POST %s: %d, want %d\n%s", path, r.status, want, r.body)
		}
		return r
	}
	post("/identities", url.Values{"kind": {"email"}, "value": {"grace@new.example"}, "type": {"work"}}, http.StatusSeeOther)
	u, _ := e.svc.User(t.Context(), e.tenant.ID, grace.ID, false)
	var oldID, newID string
	for _, id := range u.Identities {
		if id.Value == "grace@new.example" {
			newID = id.ID
		} else {
			oldID = id.ID
		}
	}
	r := post("/identities/"+newID+"/primary", nil, http.StatusConflict)
	if !strings.Contains(r.body, "Grace@new.example is not verified; verify it before making it primary.") {
		t.Errorf("primary before verified:\n%s", r.body)
	}
	post("/identities/"+newID+"/verify", nil, http.StatusSeeOther)
	post("/identities/"+newID+"/primary", nil, http.StatusSeeOther)
	post("/identities/"+oldID+"/remove", nil, http.StatusSeeOther)
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, grace.ID, false); u.PrimaryEmail() != "grace@new.example" || len(u.Identities) != 1 {
		t.Errorf("identities: %+v", u.Identities)
	}
	r = post("/identities/"+newID+"/remove", nil, http.StatusConflict)
	if !strings.Contains(r.body, "the only one; add another and make it primary first") {
		t.Errorf("remove the only primary:\n%s", r.body)
	}

	// Teams: join a local team, leave it.
	team, _ := e.svc.CreateTeam(t.Context(), directory.CLI, e.tenant.ID, &directory.Team{DisplayName: "Support"}, nil)
	post("/teams", url.Values{"team": {team.ID}}, http.StatusSeeOther)
	if p := e.get(base, s).body; !strings.Contains(p, `href="/t/acme/console/teams/`+team.ID+`">Support</a>`) {
		t.Error("the team is not on the user's page")
	}
	post("/teams/"+team.ID+"/leave", nil, http.StatusSeeOther)

	// Roles: the last admin can't go; grace made admin, root can be demoted.
	r = e.post("/t/acme/console/users/"+root.ID+"/role", s, url.Values{"csrf": {tok}, "role": {"agent"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "root is the tenant&#39;s last active owner or admin") {
		t.Errorf("demote the last admin: %d\n%s", r.status, r.body)
	}
	post("/role", url.Values{"role": {"admin"}}, http.StatusSeeOther)
	post("/disable", nil, http.StatusSeeOther)
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, grace.ID, false); u.Active {
		t.Error("still active")
	}
	post("/enable", nil, http.StatusSeeOther)
	post("/delete", nil, http.StatusSeeOther)
	if _, err := e.svc.User(t.Context(), e.tenant.ID, grace.ID, false); err == nil {
		t.Error("not deleted")
	}
	if r := e.get(base, s); r.status != http.StatusNotFound {
		t.Errorf("deleted user's page: %d", r.status)
	}
}
