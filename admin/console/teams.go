package console

import (
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
)

type teamsData struct {
	Search string
	Teams  []*directory.Team
	Total  int
	Next   string
	// Name is the create form's name after a refused create.
	Name string
}

// teams lists teams by name, a page at a time.
func (c *Console) teams(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showTeams(w, r, p, "")
}

func (c *Console) showTeams(w http.ResponseWriter, r *http.Request, p *page, name string) error {
	d := &teamsData{Search: strings.TrimSpace(r.URL.Query().Get("search")), Name: name}
	p.Title, p.Section, p.Data = "Teams", "teams", d
	q := directory.Query{SortBy: directory.AttrDisplayName, SortFold: true, Limit: pageSize, Count: true}
	if d.Search != "" {
		q.Filter = directory.Cmp{Attr: directory.AttrDisplayName, Op: directory.OpCo, Value: d.Search, Fold: true}
	}
	if s := r.URL.Query().Get("after"); s != "" {
		cur, err := directory.ParseCursor(s)
		if err != nil {
			return err
		}
		q.After = cur
	}
	got, err := c.svc.Teams(r.Context(), p.Tenant.ID, q)
	if err != nil {
		return err
	}
	d.Teams, d.Total, d.Next = got.Teams, got.Total, got.Next.Encode()
	return c.render(w, p, "teams")
}

func (c *Console) createTeam(w http.ResponseWriter, r *http.Request, p *page) error {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	t, err := c.svc.CreateTeam(r.Context(), actor(r, p), p.Tenant.ID, &directory.Team{DisplayName: name}, nil)
	if err != nil {
		return refused(p, err, func() error { return c.showTeams(w, r, p, name) })
	}
	return c.seeOther(w, r, p, "teams/"+t.ID, "team-created")
}

type teamData struct {
	Team    *directory.Team
	IdP     bool
	Members []directory.Member
	Total   int
	Next    string
	// Who is the add-member form's value after a refused add.
	Who string
}

func (c *Console) team(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showTeam(w, r, p, "")
}

// showTeam shows a team and a page of its members, in user id order: a
// team of 100,000 pages as cheaply as a team of ten.
func (c *Console) showTeam(w http.ResponseWriter, r *http.Request, p *page, who string) error {
	ctx, tenant := r.Context(), p.Tenant.ID
	t, err := c.svc.Team(ctx, tenant, r.PathValue("id"), false)
	if err != nil {
		return err
	}
	got, err := c.svc.TeamMembers(ctx, tenant, t.ID, directory.MemberQuery{After: r.URL.Query().Get("after"), Limit: pageSize, Count: true})
	if err != nil {
		return err
	}
	d := &teamData{Team: t, IdP: t.Source == directory.SourceSCIM, Members: got.Members, Total: got.Total, Next: got.Next, Who: who}
	p.Title, p.Section, p.Data = t.DisplayName, "teams", d
	return c.render(w, p, "team")
}

func (c *Console) renameTeam(w http.ResponseWriter, r *http.Request, p *page) error {
	id, name := r.PathValue("id"), strings.TrimSpace(r.PostForm.Get("name"))
	_, err := c.svc.UpdateTeam(r.Context(), actor(r, p), p.Tenant.ID, id, version(r), func(t *directory.Team) error {
		t.DisplayName = name
		return nil
	}, nil)
	if err != nil {
		return refused(p, err, func() error { return c.showTeam(w, r, p, "") })
	}
	return c.seeOther(w, r, p, "teams/"+id, "team-renamed")
}

func (c *Console) deleteTeam(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := c.svc.DeleteTeam(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id"), version(r)); err != nil {
		return refused(p, err, func() error { return c.showTeam(w, r, p, "") })
	}
	return c.seeOther(w, r, p, "teams", "team-deleted")
}

// addMember adds a user, named by userName or email, to the team.
func (c *Console) addMember(w http.ResponseWriter, r *http.Request, p *page) error {
	id, who := r.PathValue("id"), strings.TrimSpace(r.PostForm.Get("user"))
	user, err := c.findUser(r, p, who)
	if err == nil {
		_, err = c.svc.UpdateTeam(r.Context(), actor(r, p), p.Tenant.ID, id, 0, nil, &directory.MemberChange{Add: []string{user.ID}})
	}
	if err != nil {
		return refused(p, err, func() error { return c.showTeam(w, r, p, who) })
	}
	return c.seeOther(w, r, p, "teams/"+id, "member-added")
}

// findUser finds the one user whose userName or an email is who.
func (c *Console) findUser(r *http.Request, p *page, who string) (*directory.User, error) {
	if who == "" {
		return nil, &problem{Status: http.StatusBadRequest, Title: "Whom to add?", Field: "user",
			Message: "Type the user name or email address of the user to add."}
	}
	got, err := c.svc.Users(r.Context(), p.Tenant.ID, directory.Query{Limit: 2, Filter: directory.Or{
		Left: directory.Cmp{Attr: directory.AttrUserName, Op: directory.OpEq, Value: who, Fold: true},
		Right: directory.Any{Kind: directory.KindEmail,
			Where: directory.Cmp{Attr: directory.AttrIdentityValue, Op: directory.OpEq, Value: who, Fold: true}},
	}})
	if err != nil {
		return nil, err
	}
	switch len(got.Users) {
	case 0:
		return nil, &problem{Status: http.StatusBadRequest, Title: "No such user", Field: "user",
			Message: "No user has the user name or email address " + truncate(who, 80) + "."}
	case 1:
		return got.Users[0], nil
	}
	return nil, &problem{Status: http.StatusBadRequest, Title: "More than one user", Field: "user",
		Message: "More than one user matches " + truncate(who, 80) + "; type the user name instead."}
}

func (c *Console) removeMember(w http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	_, err := c.svc.UpdateTeam(r.Context(), actor(r, p), p.Tenant.ID, id, 0, nil, &directory.MemberChange{Remove: []string{r.PathValue("user")}})
	if err != nil {
		return refused(p, err, func() error { return c.showTeam(w, r, p, "") })
	}
	return c.seeOther(w, r, p, "teams/"+id, "member-removed")
}
