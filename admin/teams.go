package admin

import (
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
)

// teamJSON is a team as this API shows it. Its members are listed apart,
// a page at a time (GET .../members): a team may have 100,000.
type teamJSON struct {
	ID          string           `json:"id"`
	DisplayName string           `json:"displayName"`
	ExternalID  string           `json:"externalId"`
	Source      directory.Source `json:"source"`
	// Owners says who owns each field: an identity provider's team is
	// the provider's, name and members alike.
	Owners      map[string]string `json:"owners"`
	MemberCount *int              `json:"memberCount,omitempty"`
	Version     int64             `json:"version"`
	Created     string            `json:"created"`
	Updated     string            `json:"updated"`
}

func teamView(t *directory.Team) *teamJSON {
	own := func(f string) string {
		if t.Source == directory.SourceSCIM && (f == directory.FieldMembers || t.IdPOwned.Has(f)) {
			return OwnerIdP
		}
		return OwnerLocal
	}
	return &teamJSON{
		ID: t.ID, DisplayName: t.DisplayName, ExternalID: t.ExternalID, Source: t.Source,
		Owners: map[string]string{
			directory.FieldTeamName:       own(directory.FieldTeamName),
			directory.FieldTeamExternalID: own(directory.FieldTeamExternalID),
			directory.FieldMembers:        own(directory.FieldMembers),
		},
		Version: t.Version, Created: timeJSON(t.Created), Updated: timeJSON(t.Updated),
	}
}

type teamList struct {
	listJSON
	Teams []*teamJSON `json:"teams"`
}

// listTeams lists teams by name, paged by index or cursor; search keeps
// those whose name contains it, in any case.
func (h *handler) listTeams(w http.ResponseWriter, r *http.Request) error {
	q := directory.Query{SortBy: directory.AttrDisplayName, SortFold: true}
	if s := strings.TrimSpace(r.URL.Query().Get("search")); s != "" {
		q.Filter = directory.Cmp{Attr: directory.AttrDisplayName, Op: directory.OpCo, Value: s, Fold: true}
	}
	p, err := pageParams(r)
	if err != nil {
		return err
	}
	if err := p.apply(&q); err != nil {
		return err
	}
	got, err := h.svc.Teams(r.Context(), tenantOf(r), q)
	if err != nil {
		return err
	}
	out := teamList{listJSON: p.list(got.Total, got.Next), Teams: make([]*teamJSON, len(got.Teams))}
	for i, t := range got.Teams {
		out.Teams[i] = teamView(t)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// writeTeam answers with a team, its member count and its ETag.
func (h *handler) writeTeam(w http.ResponseWriter, r *http.Request, status int, t *directory.Team) error {
	page, err := h.svc.TeamMembers(r.Context(), tenantOf(r), t.ID, directory.MemberQuery{Count: true})
	if err != nil {
		return err
	}
	out := teamView(t)
	out.MemberCount = &page.Total
	w.Header().Set("ETag", etag(t.Version))
	writeJSON(w, status, out)
	return nil
}

func (h *handler) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Team(r.Context(), tenantOf(r), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	return h.writeTeam(w, r, http.StatusOK, t)
}

// createTeam adds a local team: {"displayName": "Support", "members":
// [user ids]}.
func (h *handler) createTeam(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "displayName", "externalId", "members"); err != nil {
		return err
	}
	var t directory.Team
	if t.DisplayName, err = str(doc, "displayName"); err != nil {
		return err
	}
	if t.ExternalID, err = str(doc, "externalId"); err != nil {
		return err
	}
	members, err := strList(doc, "members")
	if err != nil {
		return err
	}
	created, err := h.svc.CreateTeam(r.Context(), actorOf(r), tenantOf(r), &t, members)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/teams/"+created.ID)
	return h.writeTeam(w, r, http.StatusCreated, created)
}

// patchTeam renames a team (or sets its externalId): a JSON merge, with
// If-Match.
func (h *handler) patchTeam(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "displayName", "externalId"); err != nil {
		return err
	}
	name, nameErr := str(doc, "displayName")
	ext, extErr := str(doc, "externalId")
	if nameErr != nil {
		return nameErr
	}
	if extErr != nil {
		return extErr
	}
	_, setName := doc["displayName"]
	_, setExt := doc["externalId"]
	t, err := h.svc.UpdateTeam(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), ifMatch(r), func(t *directory.Team) error {
		if setName {
			t.DisplayName = name
		}
		if setExt {
			t.ExternalID = ext
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	return h.writeTeam(w, r, http.StatusOK, t)
}

func (h *handler) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteTeam(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), ifMatch(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type memberJSON struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
}

type memberList struct {
	Total      int          `json:"total"`
	NextCursor string       `json:"nextCursor,omitempty"`
	Members    []memberJSON `json:"members"`
}

// listMembers pages through a team's members in a stable order: count
// per page (100 by default), then cursor from the previous answer's
// nextCursor, absent on the last page.
func (h *handler) listMembers(w http.ResponseWriter, r *http.Request) error {
	p, err := pageParams(r)
	if err != nil {
		return err
	}
	q := directory.MemberQuery{Limit: p.count, Count: true}
	if p.cursor != nil {
		q.After = *p.cursor
	}
	got, err := h.svc.TeamMembers(r.Context(), tenantOf(r), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	out := memberList{Total: got.Total, NextCursor: got.Next, Members: make([]memberJSON, len(got.Members))}
	for i, m := range got.Members {
		out.Members[i] = memberJSON{ID: m.UserID, UserName: m.UserName, DisplayName: m.DisplayName}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// changeMembers adds and removes members in one change: {"add": [user
// ids], "remove": [user ids]}, one membership row each.
func (h *handler) changeMembers(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "add", "remove"); err != nil {
		return err
	}
	var c directory.MemberChange
	if c.Add, err = strList(doc, "add"); err != nil {
		return err
	}
	if c.Remove, err = strList(doc, "remove"); err != nil {
		return err
	}
	return h.members(w, r, &c)
}

// addMember adds one user to a team; adding a member again changes
// nothing.
func (h *handler) addMember(w http.ResponseWriter, r *http.Request) error {
	return h.members(w, r, &directory.MemberChange{Add: []string{r.PathValue("user")}})
}

// removeMember removes one user from a team; removing a non-member
// changes nothing.
func (h *handler) removeMember(w http.ResponseWriter, r *http.Request) error {
	return h.members(w, r, &directory.MemberChange{Remove: []string{r.PathValue("user")}})
}

func (h *handler) members(w http.ResponseWriter, r *http.Request, c *directory.MemberChange) error {
	t, err := h.svc.UpdateTeam(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), ifMatch(r), nil, c)
	if err != nil {
		return err
	}
	return h.writeTeam(w, r, http.StatusOK, t)
}
