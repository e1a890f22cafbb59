package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
)

// userData is a user's page.
type userData struct {
	User       *directory.User
	IdP        bool // provisioned by the identity provider
	Groups     []fieldGroup
	Identities []identityRow
	// IdentityLocked says, per kind, that the identity provider owns the
	// user's identities of that kind.
	IdentityLocked map[string]bool
	Teams          []*directory.Team // teams the user may join here
	Roles          []directory.Role
	SignIns        []eventRow
	History        []eventRow
	// Added is the identity form's values after a refused add.
	Added directory.Identity
}

type identityRow struct {
	directory.Identity
	Locked bool
}

// attempt is a change that was refused, so the page can show the value
// the admin typed next to why.
type attempt struct {
	field, value string
}

// actor is the signed-in admin, as the directory's rules see them; a
// break-glass session acts with its scope, which the audit log records.
func actor(r *http.Request, p *page) directory.Actor {
	a := directory.Actor{Kind: directory.ActorUser, ID: p.Me.ID, Role: p.Me.Role, RequestID: httpx.RequestID(r.Context())}
	if p.BreakGlass {
		a.Scope = directory.ScopeBreakGlass
	}
	return a
}

func (c *Console) user(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showUser(w, r, p, nil)
}

// showUser renders the user's page; a refused attempt shows its value and
// p.Problem at its field.
func (c *Console) showUser(w http.ResponseWriter, r *http.Request, p *page, a *attempt) error {
	ctx, tenant := r.Context(), p.Tenant.ID
	u, err := c.svc.User(ctx, tenant, r.PathValue("id"), true)
	if err != nil {
		return err
	}
	defs, err := c.svc.CustomFields(ctx, tenant)
	if err != nil {
		return err
	}
	var orgs []*directory.Organization
	if u.Role == directory.RoleCustomer || u.OrganizationID != "" {
		if orgs, err = c.svc.Organizations(ctx, tenant); err != nil {
			return err
		}
	}
	d := &userData{User: u, IdP: u.Source == directory.SourceSCIM, Groups: userFieldGroups(u, defs, orgs),
		Roles: directory.Roles, IdentityLocked: map[string]bool{}}
	for _, k := range []directory.IdentityKind{directory.KindEmail, directory.KindPhone, directory.KindSocial} {
		d.IdentityLocked[string(k)] = idpOwns(u, identityField(k))
	}
	for _, id := range u.Identities {
		d.Identities = append(d.Identities, identityRow{Identity: id, Locked: d.IdentityLocked[string(id.Kind)]})
	}
	if a != nil && p.Problem != nil {
		for _, g := range d.Groups {
			for _, row := range g.Rows {
				if row.Field == a.field {
					row.Value, row.Problem = a.value, p.Problem.Message
				}
			}
		}
	}
	teams, err := c.svc.Teams(ctx, tenant, directory.Query{SortBy: directory.AttrDisplayName, SortFold: true, Limit: 500,
		Filter: directory.Cmp{Attr: directory.AttrSource, Op: directory.OpEq, Value: string(directory.SourceLocal)}})
	if err != nil {
		return err
	}
	for _, t := range teams.Teams {
		if !inTeam(u, t.ID) {
			d.Teams = append(d.Teams, t)
		}
	}
	signIns, err := c.svc.AuditEvents(ctx, tenant, directory.AuditQuery{TargetID: u.ID, Action: "session.", Limit: 10})
	if err != nil {
		return err
	}
	history, err := c.svc.AuditEvents(ctx, tenant, directory.AuditQuery{TargetID: u.ID, Limit: 25})
	if err != nil {
		return err
	}
	d.SignIns, d.History = c.eventRows(ctx, tenant, signIns), c.eventRows(ctx, tenant, history)
	p.Title, p.Section, p.Data = displayName(u), "users", d
	return c.render(w, p, "user")
}

func inTeam(u *directory.User, team string) bool {
	for _, g := range u.Groups {
		if g.ID == team {
			return true
		}
	}
	return false
}

func displayName(u *directory.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.UserName
}

func identityField(k directory.IdentityKind) string {
	switch k {
	case directory.KindEmail:
		return directory.FieldEmails
	case directory.KindPhone:
		return directory.FieldPhoneNumbers
	}
	return directory.FieldSocial
}

// version reads the version the form was shown at, so that a change made
// in the meantime is not overwritten unseen; 0 (none) skips the check.
func version(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	return max(n, 0)
}

// editable are the fields the field form changes; role and status have
// forms of their own.
func editable(field string) bool {
	if name, ok := strings.CutPrefix(field, directory.FieldCustomPrefix); ok {
		return directory.ValidCustomName(name)
	}
	for _, f := range directory.SettableFields() {
		if f == field {
			return f != directory.FieldRole && f != directory.FieldActive
		}
	}
	return false
}

// setField changes one field of a user in place: field and value; an
// empty value clears it.
func (c *Console) setField(w http.ResponseWriter, r *http.Request, p *page) error {
	field, value := r.PostForm.Get("field"), strings.TrimSpace(r.PostForm.Get("value"))
	if !editable(field) {
		return &problem{Status: http.StatusBadRequest, Title: "Not a field you can change here",
			Message: label(field) + " can't be changed from this form."}
	}
	var v any = value
	if value == "" {
		v = nil
	}
	id := r.PathValue("id")
	_, err := c.svc.UpdateUser(r.Context(), actor(r, p), p.Tenant.ID, id, version(r), func(u *directory.User) error {
		return directory.SetField(u, field, v)
	})
	if err != nil {
		return refused(p, err, func() error { return c.showUser(w, r, p, &attempt{field: field, value: value}) })
	}
	return c.seeOther(w, r, p, "users/"+id+"#field-"+field, "saved:"+field)
}

// setRole changes a user's role; it applies on the user's next request.
func (c *Console) setRole(w http.ResponseWriter, r *http.Request, p *page) error {
	role := r.PostForm.Get("role")
	id := r.PathValue("id")
	_, err := c.svc.UpdateUser(r.Context(), actor(r, p), p.Tenant.ID, id, version(r), func(u *directory.User) error {
		return directory.SetField(u, directory.FieldRole, role)
	})
	if err != nil {
		return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
	}
	return c.seeOther(w, r, p, "users/"+id, "role")
}

// setActive disables or enables a user. Disabling ends their sessions and
// frees their seat; their history and teams stay.
func (c *Console) setActive(active bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		id := r.PathValue("id")
		_, err := c.svc.UpdateUser(r.Context(), actor(r, p), p.Tenant.ID, id, version(r), func(u *directory.User) error {
			u.Active = active
			return nil
		})
		if err != nil {
			return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
		}
		done := "enabled"
		if !active {
			done = "disabled"
		}
		return c.seeOther(w, r, p, "users/"+id, done)
	}
}

func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	if err := c.svc.DeleteUser(r.Context(), actor(r, p), p.Tenant.ID, id, version(r)); err != nil {
		return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
	}
	return c.seeOther(w, r, p, "users", "deleted")
}

// addIdentity adds an email, phone number or social handle, unverified.
func (c *Console) addIdentity(w http.ResponseWriter, r *http.Request, p *page) error {
	id := directory.Identity{Kind: directory.IdentityKind(r.PostForm.Get("kind")),
		Value: strings.TrimSpace(r.PostForm.Get("value")), Type: strings.TrimSpace(r.PostForm.Get("type"))}
	user := r.PathValue("id")
	if _, _, err := c.svc.AddIdentity(r.Context(), actor(r, p), p.Tenant.ID, user, version(r), id); err != nil {
		return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
	}
	return c.seeOther(w, r, p, "users/"+user+"#identities", "identity-added")
}

// identityOp verifies, makes primary or removes one of a user's identities.
func (c *Console) identityOp(op string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		var fn func(context.Context, directory.Actor, int64, string, string, int64) (*directory.User, error)
		switch op {
		case "verify":
			fn = c.svc.VerifyIdentity
		case "primary":
			fn = c.svc.MakePrimary
		default:
			fn = c.svc.RemoveIdentity
		}
		user := r.PathValue("id")
		if _, err := fn(r.Context(), actor(r, p), p.Tenant.ID, user, r.PathValue("identity"), version(r)); err != nil {
			return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
		}
		done := map[string]string{"verify": "identity-verified", "primary": "identity-primary", "remove": "identity-removed"}[op]
		return c.seeOther(w, r, p, "users/"+user+"#identities", done)
	}
}

// joinTeam adds the user to a team.
func (c *Console) joinTeam(w http.ResponseWriter, r *http.Request, p *page) error {
	user := r.PathValue("id")
	_, err := c.svc.UpdateTeam(r.Context(), actor(r, p), p.Tenant.ID, r.PostForm.Get("team"), 0, nil,
		&directory.MemberChange{Add: []string{user}})
	if err != nil {
		return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
	}
	return c.seeOther(w, r, p, "users/"+user+"#teams", "team-joined")
}

// leaveTeam takes the user out of a team.
func (c *Console) leaveTeam(w http.ResponseWriter, r *http.Request, p *page) error {
	user := r.PathValue("id")
	_, err := c.svc.UpdateTeam(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("team"), 0, nil,
		&directory.MemberChange{Remove: []string{user}})
	if err != nil {
		return refused(p, err, func() error { return c.showUser(w, r, p, nil) })
	}
	return c.seeOther(w, r, p, "users/"+user+"#teams", "team-left")
}
