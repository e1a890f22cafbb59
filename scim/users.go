package scim

import (
	"net/http"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
	"github.com/scimd/scimd/internal/password"
	"github.com/scimd/scimd/scim/schema"
)

// Paging limits, advertised in ServiceProviderConfig.
const (
	defaultCount = 100
	maxCount     = 1000
)

func requestID(r *http.Request) string { return httpx.RequestID(r.Context()) }

func tenantOf(r *http.Request) int64 { return requestToken(r).TenantID }

// notBreakGlass keeps break-glass accounts out of SCIM: they are local by
// definition, and the IdP must not see or touch them.
var notBreakGlass = directory.Cmp{Attr: directory.AttrBreakGlass, Op: directory.OpEq, Value: false}

func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r)
	if err != nil {
		return err
	}
	return h.findUsers(w, r, p)
}

func (h *handler) searchUsers(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, maxResourceBody)
	if err != nil {
		return err
	}
	p, err := searchParams(body)
	if err != nil {
		return err
	}
	return h.findUsers(w, r, p)
}

func (h *handler) findUsers(w http.ResponseWriter, r *http.Request, p *listParams) error {
	q, err := userQuery.query(p)
	if err != nil {
		return err
	}
	if q.Filter == nil {
		q.Filter = notBreakGlass
	} else {
		q.Filter = directory.And{Left: notBreakGlass, Right: q.Filter}
	}
	proj := newProjection(schema.Users, p.attrs, p.excluded)
	q.WithGroups = proj.wants(schema.UserURN, "groups")
	page, err := h.svc.Users(r.Context(), tenantOf(r), q)
	if err != nil {
		return err
	}
	resources := make([]any, len(page.Users))
	for i, u := range page.Users {
		resources[i] = proj.apply(h.userResource(u))
	}
	writeJSON(w, http.StatusOK, newListResponse(p, page.Total, page.Next, resources))
	return nil
}

// userByID reads a user for SCIM: break-glass accounts are not found.
func (h *handler) userByID(r *http.Request, id string, withGroups bool) (*directory.User, error) {
	u, err := h.svc.User(r.Context(), tenantOf(r), id, withGroups)
	if err != nil {
		return nil, err
	}
	if u.BreakGlass {
		return nil, directory.ErrNotFound
	}
	return u, nil
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r)
	if err != nil {
		return err
	}
	proj := newProjection(schema.Users, p.attrs, p.excluded)
	u, err := h.userByID(r, r.PathValue("id"), proj.wants(schema.UserURN, "groups"))
	if err != nil {
		return err
	}
	setResourceID(r, u.ID)
	if notModified(r, u.Version) {
		w.Header().Set("ETag", etag(u.Version))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.writeUser(w, http.StatusOK, u, proj)
	return nil
}

// writeUser answers with a user, its ETag, and for 201 its Location.
func (h *handler) writeUser(w http.ResponseWriter, status int, u *directory.User, proj *projection) {
	res := h.userResource(u)
	w.Header().Set("ETag", res.Meta.Version)
	// RFC 7643 §3.1: meta.location "MUST be the same as the
	// Content-Location HTTP response header".
	w.Header().Set("Content-Location", res.Meta.Location)
	if status == http.StatusCreated {
		w.Header().Set("Location", res.Meta.Location)
	}
	writeJSON(w, status, proj.apply(res))
}

// readUser reads and decodes a User body, hashing a password if there is
// one.
func (h *handler) readUser(w http.ResponseWriter, r *http.Request) (*userInput, error) {
	body, err := readBody(w, r, maxResourceBody)
	if err != nil {
		return nil, err
	}
	doc, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	in, err := decodeUser(doc)
	if err != nil {
		return nil, err
	}
	if err := in.hashPassword(); err != nil {
		return nil, err
	}
	return in, nil
}

func (in *userInput) hashPassword() error {
	if in.password == nil {
		return nil
	}
	if len(*in.password) > password.MaxLength {
		return invalidValue("password is longer than %d bytes", password.MaxLength)
	}
	hash, err := password.Hash(*in.password, password.Default)
	if err != nil {
		return err
	}
	in.u.PasswordHash = hash
	in.present = in.present.Add(directory.FieldPassword)
	return nil
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	in, err := h.readUser(w, r)
	if err != nil {
		return err
	}
	if in.u.UserName == "" {
		return invalidValue("userName is required")
	}
	in.u.IdPOwned = in.present
	if !in.present.Has(directory.FieldActive) {
		in.u.Active = true // a user is active unless the IdP says otherwise
	}
	u, err := h.svc.CreateUser(r.Context(), actor(r), tenantOf(r), &in.u)
	if err != nil {
		return err
	}
	setResourceID(r, u.ID)
	h.writeUser(w, http.StatusCreated, u, h.projectionOf(r))
	return nil
}

// projectionOf reads attributes and excludedAttributes from the query
// string of a write, which may ask for less of the resource back.
func (h *handler) projectionOf(r *http.Request) *projection {
	p, err := queryParams(r)
	if err != nil {
		return nil
	}
	return newProjection(schema.Users, p.attrs, p.excluded)
}

// replaceUser is PUT: what the IdP sends replaces what it owns. An
// IdP-owned field it leaves out is cleared; a field only the tenant's
// admins set (an extension, a timezone the IdP never sent) stays.
// Leaving out active or the role keeps them: clearing would disable or
// demote someone by omission.
func (h *handler) replaceUser(w http.ResponseWriter, r *http.Request) error {
	in, err := h.readUser(w, r)
	if err != nil {
		return err
	}
	if in.u.UserName == "" {
		return invalidValue("userName is required")
	}
	id := r.PathValue("id")
	setResourceID(r, id)
	u, err := h.svc.UpdateUser(r.Context(), actor(r), tenantOf(r), id, ifMatch(r), func(u *directory.User) error {
		if u.BreakGlass {
			return directory.ErrNotFound
		}
		replaceOwned(u, in)
		return nil
	})
	if err != nil {
		return err
	}
	h.writeUser(w, http.StatusOK, u, h.projectionOf(r))
	return nil
}

// keptOnOmission are the fields a PUT that leaves them out does not clear.
var keptOnOmission = directory.FieldSet{directory.FieldActive, directory.FieldAvailability, directory.FieldPassword, directory.FieldRole}

// replaceOwned applies a PUT to u.
func replaceOwned(u *directory.User, in *userInput) {
	var zero directory.User
	for _, f := range directory.UserFieldNames() {
		switch {
		case in.present.Has(f):
			directory.CopyField(u, &in.u, f)
		case u.IdPOwned.Has(f) && !keptOnOmission.Has(f):
			directory.CopyField(u, &zero, f)
		}
	}
	for name := range u.Custom {
		f := directory.FieldCustomPrefix + name
		if !in.present.Has(f) && u.IdPOwned.Has(f) {
			directory.CopyField(u, &zero, f)
		}
	}
	for name := range in.u.Custom {
		directory.CopyField(u, &in.u, directory.FieldCustomPrefix+name)
	}
	// What the PUT changes becomes IdP-owned (the directory marks it); a
	// local value it merely echoes back, as clients that PUT what they
	// read do, stays the tenant's.
}

func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	setResourceID(r, id)
	_, err := h.userByID(r, id, false)
	if err == nil {
		err = h.svc.DeleteUser(r.Context(), actor(r), tenantOf(r), id, ifMatch(r))
	}
	if err != nil && !h.repeatedDelete(r, err, "user.delete", id) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
