package scim

import (
	"net/http"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/schema"
)

type memberJSON struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type"`
}

// groupJSON is a Group resource as we write it.
type groupJSON struct {
	Schemas     []string      `json:"schemas"`
	ID          string        `json:"id"`
	ExternalID  string        `json:"externalId,omitempty"`
	DisplayName string        `json:"displayName"`
	Members     *[]memberJSON `json:"members,omitempty"`
	Meta        Meta          `json:"meta"`
}

// groupResource renders t; members are included when they were read.
func (h *handler) groupResource(t *directory.Team) *groupJSON {
	loc := h.base + "/Groups/" + t.ID
	out := &groupJSON{Schemas: []string{GroupSchema}, ID: t.ID, ExternalID: t.ExternalID, DisplayName: t.DisplayName,
		Meta: meta("Group", loc, t.Created, t.Updated, t.Version)}
	if t.Members != nil {
		ms := make([]memberJSON, len(t.Members))
		for i, m := range t.Members {
			display := m.DisplayName
			if display == "" {
				display = m.UserName
			}
			ms[i] = memberJSON{Value: m.UserID, Ref: h.base + "/Users/" + m.UserID, Display: display, Type: "User"}
		}
		out.Members = &ms
	}
	return out
}

func (h *handler) writeGroup(w http.ResponseWriter, status int, t *directory.Team, proj *projection) {
	res := h.groupResource(t)
	w.Header().Set("ETag", res.Meta.Version)
	// RFC 7643 §3.1: meta.location "MUST be the same as the
	// Content-Location HTTP response header".
	w.Header().Set("Content-Location", res.Meta.Location)
	if status == http.StatusCreated {
		w.Header().Set("Location", res.Meta.Location)
	}
	writeJSON(w, status, proj.apply(res))
}

func (h *handler) listGroups(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r)
	if err != nil {
		return err
	}
	return h.findGroups(w, r, p)
}

func (h *handler) searchGroups(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, maxResourceBody)
	if err != nil {
		return err
	}
	p, err := searchParams(body)
	if err != nil {
		return err
	}
	return h.findGroups(w, r, p)
}

func (h *handler) findGroups(w http.ResponseWriter, r *http.Request, p *listParams) error {
	q, err := groupQuery.query(p)
	if err != nil {
		return err
	}
	proj := newProjection(schema.Groups, p.attrs, p.excluded)
	q.WithMembers = proj.wants(schema.GroupURN, "members")
	page, err := h.svc.Teams(r.Context(), tenantOf(r), q)
	if err != nil {
		return err
	}
	resources := make([]any, len(page.Teams))
	for i, t := range page.Teams {
		resources[i] = proj.apply(h.groupResource(t))
	}
	writeJSON(w, http.StatusOK, newListResponse(p, page.Total, page.Next, resources))
	return nil
}

func (h *handler) groupProjection(r *http.Request) *projection {
	p, err := queryParams(r)
	if err != nil {
		return nil
	}
	return newProjection(schema.Groups, p.attrs, p.excluded)
}

func (h *handler) getGroup(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	proj := h.groupProjection(r)
	t, err := h.svc.Team(r.Context(), tenantOf(r), r.PathValue("id"), proj.wants(schema.GroupURN, "members"))
	if err != nil {
		return err
	}
	setResourceID(r, t.ID)
	if notModified(r, t.Version) {
		w.Header().Set("ETag", etag(t.Version))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.writeGroup(w, http.StatusOK, t, proj)
	return nil
}

func (h *handler) readGroup(w http.ResponseWriter, r *http.Request) (*groupInput, error) {
	body, err := readBody(w, r, maxResourceBody)
	if err != nil {
		return nil, err
	}
	doc, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	in, err := decodeGroup(doc)
	if err != nil {
		return nil, err
	}
	if in.t.DisplayName == "" {
		return nil, invalidValue("displayName is required")
	}
	return in, nil
}

func (h *handler) createGroup(w http.ResponseWriter, r *http.Request) error {
	in, err := h.readGroup(w, r)
	if err != nil {
		return err
	}
	in.t.IdPOwned = in.present
	t, err := h.svc.CreateTeam(r.Context(), actor(r), tenantOf(r), &in.t, in.members)
	if err != nil {
		return err
	}
	setResourceID(r, t.ID)
	proj := h.groupProjection(r)
	if proj.wants(schema.GroupURN, "members") {
		if t, err = h.svc.Team(r.Context(), tenantOf(r), t.ID, true); err != nil {
			return err
		}
	}
	h.writeGroup(w, http.StatusCreated, t, proj)
	return nil
}

// replaceGroup is PUT: the name, externalId and the whole member list.
func (h *handler) replaceGroup(w http.ResponseWriter, r *http.Request) error {
	in, err := h.readGroup(w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	setResourceID(r, id)
	update := func(t *directory.Team) error {
		t.DisplayName = in.t.DisplayName
		if in.present.Has(directory.FieldTeamExternalID) || t.IdPOwned.Has(directory.FieldTeamExternalID) {
			t.ExternalID = in.t.ExternalID
		}
		t.IdPOwned = t.IdPOwned.Add(in.present...)
		if in.hasMembers {
			t.IdPOwned = t.IdPOwned.Add(directory.FieldMembers)
		}
		return nil
	}
	var members *directory.MemberChange
	if in.hasMembers {
		members = &directory.MemberChange{Replace: true, Add: in.members}
	}
	t, err := h.svc.UpdateTeam(r.Context(), actor(r), tenantOf(r), id, ifMatch(r), update, members)
	if err != nil {
		return err
	}
	proj := h.groupProjection(r)
	if proj.wants(schema.GroupURN, "members") {
		if t, err = h.svc.Team(r.Context(), tenantOf(r), t.ID, true); err != nil {
			return err
		}
	}
	h.writeGroup(w, http.StatusOK, t, proj)
	return nil
}

func (h *handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	setResourceID(r, id)
	if err := h.svc.DeleteTeam(r.Context(), actor(r), tenantOf(r), id, ifMatch(r)); err != nil && !h.repeatedDelete(r, err, "team.delete", id) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
