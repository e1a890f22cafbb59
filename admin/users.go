package admin

import (
	"context"
	"net/http"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

type userList struct {
	listJSON
	Users []*userJSON `json:"users"`
}

// listUsers lists and searches users: filter and sortBy in the SCIM
// filter language (RFC 7644 §3.4.2), which admins of Okta and Entra
// already write, paged by index or cursor.
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := directory.Query{WithGroups: true}
	v := r.URL.Query()
	if f := v.Get("filter"); f != "" {
		e, err := scim.UserFilter(f)
		if err != nil {
			return invalidf("filter", "%s", err.Error())
		}
		q.Filter = e
	}
	if s := v.Get("sortBy"); s != "" {
		attr, fold, err := scim.UserSort(s)
		if err != nil {
			return invalidf("sortBy", "%s", err.Error())
		}
		q.SortBy, q.SortFold = attr, fold
	}
	switch o := v.Get("sortOrder"); o {
	case "", "ascending":
	case "descending":
		q.SortDesc = true
	default:
		return invalidf("sortOrder", "sortOrder %q is not ascending or descending.", o)
	}
	p, err := pageParams(r)
	if err != nil {
		return err
	}
	if err := p.apply(&q); err != nil {
		return err
	}
	ctx, tenant := r.Context(), tenantOf(r)
	got, err := h.svc.Users(ctx, tenant, q)
	if err != nil {
		return err
	}
	defs, err := h.svc.CustomFields(ctx, tenant)
	if err != nil {
		return err
	}
	out := userList{listJSON: p.list(got.Total, got.Next), Users: make([]*userJSON, len(got.Users))}
	for i, u := range got.Users {
		out.Users[i] = userView(u, defs)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.User(r.Context(), tenantOf(r), r.PathValue("id"), true)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, http.StatusOK, u)
}

// writeUser answers with a user and its ETag. A user a write returned is
// read again, with its teams, so every answer has the same shape.
func (h *handler) writeUser(w http.ResponseWriter, r *http.Request, status int, u *directory.User) error {
	ctx, tenant := r.Context(), tenantOf(r)
	if u.Groups == nil {
		if again, err := h.svc.User(ctx, tenant, u.ID, true); err == nil {
			u = again
		}
	}
	defs, err := h.svc.CustomFields(ctx, tenant)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(u.Version))
	writeJSON(w, status, userView(u, defs))
	return nil
}

// createUser adds a local user: the body is a user as answers show it
// (userName required), with identities as a list of {kind, value, type,
// primary, verified}, and, for a phone number the user registered with,
// registered. A user is active unless the body says otherwise.
func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	u := &directory.User{Active: true}
	if raw, ok := doc["identities"]; ok {
		if u.Identities, err = identitiesIn(raw); err != nil {
			return err
		}
		delete(doc, "identities")
	}
	if err := applyFields(u, doc); err != nil {
		return err
	}
	created, err := h.svc.CreateUser(r.Context(), actorOf(r), tenantOf(r), u)
	if err != nil {
		return err
	}
	created.Groups = []directory.GroupRef{} // new: in no team yet
	w.Header().Set("Location", Prefix+"/users/"+created.ID)
	return h.writeUser(w, r, http.StatusCreated, created)
}

// identitiesIn reads the identities of a new user.
func identitiesIn(raw any) ([]directory.Identity, error) {
	list, ok := raw.([]any)
	if !ok && raw != nil {
		return nil, invalidf("identities", "identities must be a list of objects such as {\"kind\": \"email\", \"value\": \"ada@example.com\", \"primary\": true}.")
	}
	var out []directory.Identity
	for _, x := range list {
		doc, ok := x.(map[string]any)
		if !ok {
			return nil, invalidf("identities", "each identity must be an object such as {\"kind\": \"email\", \"value\": \"ada@example.com\"}.")
		}
		if err := fields(doc, "kind", "value", "type", "display", "primary", "verified", "registered"); err != nil {
			return nil, err
		}
		var id directory.Identity
		kind, err := str(doc, "kind")
		if err != nil {
			return nil, err
		}
		id.Kind = directory.IdentityKind(kind)
		if id.Value, err = str(doc, "value"); err != nil {
			return nil, err
		}
		if id.Type, err = str(doc, "type"); err != nil {
			return nil, err
		}
		if id.Display, err = str(doc, "display"); err != nil {
			return nil, err
		}
		for name, dst := range map[string]*bool{"primary": &id.Primary, "verified": &id.Verified, "registered": &id.Registered} {
			switch v := doc[name].(type) {
			case nil:
			case bool:
				*dst = v
			default:
				return nil, invalidf(name, "%s must be true or false.", name)
			}
		}
		if id.Registered && id.Kind != directory.KindPhone {
			return nil, invalidf("registered", "only a phone number can be the one a user registered with.")
		}
		out = append(out, id)
	}
	return out, nil
}

// notHere are the members of a user that answers show but no write sets
// through a user's body, with where they are changed instead.
var notHere = map[string]string{
	"id":                 "a user's id never changes",
	"source":             "a user's source is who created it",
	"version":            "the version moves on by itself; send it as If-Match instead",
	"owners":             "who owns a field follows from what the identity provider sends",
	"created":            "it is set when the user is made",
	"updated":            "it moves on by itself",
	"managerDisplayName": "set manager to the manager's user id instead",
	"teams":              "change a team's members under " + Prefix + "/teams/{id}/members instead",
	"identities":         "add, verify, make primary and remove identities under " + Prefix + "/users/{id}/identities instead",
}

// applyFields applies a JSON merge (RFC 7386) of user members to u: a
// member present sets its field, null clears it, an absent one stays.
// Members are the directory's field names; "name" and "custom" hold
// objects whose members are name parts and custom fields.
func applyFields(u *directory.User, doc map[string]any) error {
	for _, k := range sortedKeys(doc) {
		v := doc[k]
		if why, ok := notHere[k]; ok {
			return invalidf(k, "%s can't be set here: %s.", k, why)
		}
		switch k {
		case "name", "custom":
			prefix := "name."
			if k == "custom" {
				prefix = directory.FieldCustomPrefix
			}
			switch x := v.(type) {
			case nil:
				if k == "custom" {
					for name := range u.Custom {
						delete(u.Custom, name)
					}
					continue
				}
				u.Name = directory.Name{}
			case map[string]any:
				for _, sub := range sortedKeys(x) {
					if err := directory.SetField(u, prefix+sub, x[sub]); err != nil {
						return err
					}
				}
			default:
				return invalidf(k, "%s must be an object, such as {\"%s\": ...}.", k, map[string]string{"name": "givenName", "custom": "tier"}[k])
			}
		default:
			if err := directory.SetField(u, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// patchUser changes a user: the body is a JSON merge of the members to
// change (RFC 7386), If-Match the version it was read at.
func (h *handler) patchUser(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	// The shape is checked before the transaction, so a malformed body
	// never locks a user.
	if err := applyFields(&directory.User{}, doc); err != nil {
		return err
	}
	return h.updateUser(w, r, func(u *directory.User) error { return applyFields(u, doc) })
}

func (h *handler) updateUser(w http.ResponseWriter, r *http.Request, fn func(*directory.User) error) error {
	u, err := h.svc.UpdateUser(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), ifMatch(r), fn)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, http.StatusOK, u)
}

// setActive disables or enables a user. Disabling keeps everything (the
// user, its history, its teams) and frees its seat; enabling takes one.
func (h *handler) setActive(active bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		doc, err := readObject(w, r)
		if err != nil {
			return err
		}
		if err := fields(doc); err != nil {
			return err
		}
		return h.updateUser(w, r, func(u *directory.User) error { u.Active = active; return nil })
	}
}

// setRole changes a user's role: {"role": "admin"}. It applies on the
// user's next request (sessions read the role every time).
func (h *handler) setRole(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "role"); err != nil {
		return err
	}
	if err := directory.SetField(&directory.User{}, directory.FieldRole, doc["role"]); err != nil {
		return err
	}
	return h.updateUser(w, r, func(u *directory.User) error { return directory.SetField(u, directory.FieldRole, doc["role"]) })
}

// deleteUser deletes a user: gone from every list, its userName, emails
// and extension free again, its history kept. The directory decides who
// may: local users, and the identity provider's once it has disabled
// them.
func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteUser(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), ifMatch(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// identityOp is one of the identity operations of directory.Service.
type identityOp func(ctx context.Context, actor directory.Actor, tenant int64, user, identity string, ifVersion int64) (*directory.User, error)

func (h *handler) identity(op identityOp) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := op(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), r.PathValue("identity"), ifMatch(r))
		if err != nil {
			return err
		}
		return h.writeUser(w, r, http.StatusOK, u)
	}
}

func (h *handler) verifyIdentity(w http.ResponseWriter, r *http.Request) error {
	return h.identity(h.svc.VerifyIdentity)(w, r)
}

func (h *handler) makePrimary(w http.ResponseWriter, r *http.Request) error {
	return h.identity(h.svc.MakePrimary)(w, r)
}

func (h *handler) removeIdentity(w http.ResponseWriter, r *http.Request) error {
	return h.identity(h.svc.RemoveIdentity)(w, r)
}

// addIdentity adds an email, phone number or social handle: {"kind":
// "email", "value": "...", "type": "work"}. It starts unverified and not
// primary; the answer is the user, with the new identity's id.
func (h *handler) addIdentity(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "kind", "value", "type", "display"); err != nil {
		return err
	}
	var id directory.Identity
	kind, err := str(doc, "kind")
	if err != nil {
		return err
	}
	id.Kind = directory.IdentityKind(kind)
	if id.Value, err = str(doc, "value"); err != nil {
		return err
	}
	if id.Type, err = str(doc, "type"); err != nil {
		return err
	}
	if id.Display, err = str(doc, "display"); err != nil {
		return err
	}
	u, _, err := h.svc.AddIdentity(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), ifMatch(r), id)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, http.StatusCreated, u)
}
