package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/patch"
	"github.com/scimd/scimd/scim/schema"
)

// scimFields are the directory fields a User resource shows, so a PATCH
// (render, apply, decode) writes exactly them back: never the password
// hash, which is not shown, nor what SCIM has no attribute for.
var scimFields = func() []string {
	hidden := map[string]bool{directory.FieldPassword: true, directory.FieldOrganizationID: true,
		directory.FieldBreakGlass: true, directory.FieldSocial: true}
	var out []string
	for _, f := range directory.UserFieldNames() {
		if !hidden[f] {
			out = append(out, f)
		}
	}
	return out
}()

// touchedFields maps what a PATCH named (patch.Apply's touched names) to
// directory fields, so they become IdP-owned even when the value sent is
// the one stored.
func touchedFields(touched []string) []string {
	var out []string
	for _, t := range touched {
		name := t
		if i := strings.LastIndexByte(t, ':'); i >= 0 {
			name = t[i+1:]
		}
		switch name {
		case "name", "groups", "customFields":
			// name parts and custom fields are marked one by one, as they
			// change; groups are read-only.
		case "password":
		default:
			out = append(out, name)
		}
	}
	return out
}

// asDocument renders a resource as the generic JSON document PATCH works
// on, numbers as json.Number.
func asDocument(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func (h *handler) readPatch(w http.ResponseWriter, r *http.Request) ([]patch.Op, error) {
	body, err := readBody(w, r, maxResourceBody)
	if err != nil {
		return nil, err
	}
	if _, err := decodeJSON(body); err != nil { // duplicate keys, depth, UTF-8
		return nil, err
	}
	return patch.Parse(body)
}

// patchUser applies a PatchOp to a user: render it as GET shows it, apply
// the operations, decode the result, all inside the user's transaction,
// so that every operation applies or none does.
func (h *handler) patchUser(w http.ResponseWriter, r *http.Request) error {
	ops, err := h.readPatch(w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	setResourceID(r, id)
	u, err := h.svc.UpdateUser(r.Context(), actor(r), tenantOf(r), id, ifMatch(r), func(u *directory.User) error {
		if u.BreakGlass {
			return directory.ErrNotFound
		}
		doc, err := asDocument(h.userResource(u))
		if err != nil {
			return err
		}
		touched, err := patch.Apply(doc, ops, schema.Users)
		if err != nil {
			return err
		}
		in, err := decodeUser(doc)
		if err != nil {
			return err
		}
		if in.u.UserName == "" {
			return errorf(http.StatusBadRequest, TypeMutability, "userName is required and can't be removed")
		}
		for _, f := range scimFields {
			directory.CopyField(u, &in.u, f)
		}
		u.Custom = in.u.Custom
		if in.password != nil {
			if err := in.hashPassword(); err != nil {
				return err
			}
			u.PasswordHash = in.u.PasswordHash
			u.IdPOwned = u.IdPOwned.Add(directory.FieldPassword)
		}
		u.IdPOwned = u.IdPOwned.Add(touchedFields(touched)...)
		return nil
	})
	if err != nil {
		return err
	}
	h.writeUser(w, http.StatusOK, u, h.projectionOf(r))
	return nil
}

// memberChange folds a request's member operations, in order, into one
// change of rows.
func memberChange(ops []patch.MemberOp) *directory.MemberChange {
	if len(ops) == 0 {
		return nil
	}
	replace := false
	set := map[string]bool{}    // replace: the members; else: to add
	remove := map[string]bool{} // to remove (not in replace mode)
	for _, op := range ops {
		switch op.Op {
		case patch.Replace:
			replace = true
			clear(set)
			clear(remove)
			for _, id := range op.IDs {
				set[id] = true
			}
		case patch.Add:
			for _, id := range op.IDs {
				set[id] = true
				delete(remove, id)
			}
		case patch.Remove:
			for _, id := range op.IDs {
				delete(set, id)
				if !replace {
					remove[id] = true
				}
			}
		}
	}
	c := &directory.MemberChange{Replace: replace}
	for id := range set {
		c.Add = append(c.Add, id)
	}
	for id := range remove {
		c.Remove = append(c.Remove, id)
	}
	return c
}

// patchGroup applies a PatchOp to a group. Member operations become row
// changes, so the group's members are never read; the rest apply to the
// group's name and externalId. The answer is 204, unless the request asks
// for the resource with attributes or excludedAttributes.
func (h *handler) patchGroup(w http.ResponseWriter, r *http.Request) error {
	ops, err := h.readPatch(w, r)
	if err != nil {
		return err
	}
	memberOps, rest, err := patch.MemberOps(ops)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	setResourceID(r, id)
	var update func(*directory.Team) error
	if len(rest) > 0 {
		update = func(t *directory.Team) error {
			doc := map[string]any{"schemas": []any{schema.GroupURN}, "id": t.ID, "displayName": t.DisplayName}
			if t.ExternalID != "" {
				doc["externalId"] = t.ExternalID
			}
			touched, err := patch.Apply(doc, rest, schema.Groups)
			if err != nil {
				return err
			}
			in, err := decodeGroup(doc)
			if err != nil {
				return err
			}
			t.DisplayName, t.ExternalID = in.t.DisplayName, in.t.ExternalID
			t.IdPOwned = t.IdPOwned.Add(touched...)
			return nil
		}
	}
	members := memberChange(memberOps)
	if update == nil && members == nil {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The PatchOp has no operations to apply.")
	}
	t, err := h.svc.UpdateTeam(r.Context(), actor(r), tenantOf(r), id, ifMatch(r), update, members)
	if err != nil {
		return err
	}
	p, err := queryParams(r)
	if err != nil || (len(p.attrs) == 0 && len(p.excluded) == 0) {
		w.Header().Set("ETag", etag(t.Version))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	proj := newProjection(schema.Groups, p.attrs, p.excluded)
	if proj.wants(schema.GroupURN, "members") {
		if t, err = h.svc.Team(r.Context(), tenantOf(r), id, true); err != nil {
			return err
		}
	}
	h.writeGroup(w, http.StatusOK, t, proj)
	return nil
}
