package console

import (
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
)

// overviewData is the console's first page: seats, and the identity
// provider's latest failures.
type overviewData struct {
	Seats    directory.SeatUsage
	Percent  int
	Users    int
	Failures []*directory.ProvisioningEntry
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx, tenant := r.Context(), p.Tenant.ID
	seats, err := c.svc.Seats(ctx, tenant)
	if err != nil {
		return err
	}
	users, err := c.svc.Users(ctx, tenant, directory.Query{Count: true})
	if err != nil {
		return err
	}
	fails, err := c.svc.ProvisioningLog(ctx, tenant, directory.ProvisioningQuery{Outcome: directory.ProvisioningFailed, Limit: 5})
	if err != nil {
		return err
	}
	d := &overviewData{Seats: seats, Users: users.Total, Failures: fails}
	if seats.Seats > 0 {
		d.Percent = min(100, seats.Used*100/seats.Seats)
	}
	p.Title, p.Section, p.Data = "Overview", "overview", d
	return c.render(w, p, "overview")
}

type orgsData struct {
	Orgs []*directory.Organization
	// Name and Domains are the create form's values after a refused
	// create.
	Name, Domains string
	// Editing is the organization whose edit was refused, with the values
	// typed.
	Editing               string
	EditName, EditDomains string
}

func (c *Console) organizations(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showOrganizations(w, r, p, &orgsData{})
}

func (c *Console) showOrganizations(w http.ResponseWriter, r *http.Request, p *page, d *orgsData) error {
	orgs, err := c.svc.Organizations(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	d.Orgs = orgs
	p.Title, p.Section, p.Data = "Organizations", "organizations", d
	return c.render(w, p, "organizations")
}

// domains reads a list of email domains typed with commas, spaces or one
// a line.
func domains(s string) []string {
	out := []string{}
	for _, d := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == ';' }) {
		out = append(out, d)
	}
	return out
}

func (c *Console) createOrganization(w http.ResponseWriter, r *http.Request, p *page) error {
	name, doms := r.PostForm.Get("name"), r.PostForm.Get("domains")
	_, err := c.svc.CreateOrganization(r.Context(), actor(r, p), p.Tenant.ID, &directory.Organization{Name: name, Domains: domains(doms)})
	if err != nil {
		return refused(p, err, func() error { return c.showOrganizations(w, r, p, &orgsData{Name: name, Domains: doms}) })
	}
	return c.seeOther(w, r, p, "organizations", "org-created")
}

func (c *Console) updateOrganization(w http.ResponseWriter, r *http.Request, p *page) error {
	id, name, doms := r.PathValue("id"), r.PostForm.Get("name"), r.PostForm.Get("domains")
	_, err := c.svc.UpdateOrganization(r.Context(), actor(r, p), p.Tenant.ID, id, func(o *directory.Organization) error {
		o.Name, o.Domains = name, domains(doms)
		return nil
	})
	if err != nil {
		return refused(p, err, func() error {
			return c.showOrganizations(w, r, p, &orgsData{Editing: id, EditName: name, EditDomains: doms})
		})
	}
	return c.seeOther(w, r, p, "organizations", "org-saved")
}

func (c *Console) deleteOrganization(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := c.svc.DeleteOrganization(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id")); err != nil {
		return refused(p, err, func() error { return c.showOrganizations(w, r, p, &orgsData{}) })
	}
	return c.seeOther(w, r, p, "organizations", "org-deleted")
}

type customFieldsData struct {
	Fields []*directory.CustomField
	Types  []directory.CustomFieldType
	// The create form's values after a refused create.
	Name, Type, Options string
}

func (c *Console) customFields(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showCustomFields(w, r, p, &customFieldsData{Type: string(directory.CustomText)})
}

func (c *Console) showCustomFields(w http.ResponseWriter, r *http.Request, p *page, d *customFieldsData) error {
	defs, err := c.svc.CustomFields(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	d.Fields = defs
	d.Types = []directory.CustomFieldType{directory.CustomText, directory.CustomNumber, directory.CustomBool,
		directory.CustomDate, directory.CustomOptions}
	p.Title, p.Section, p.Data = "Custom fields", "custom-fields", d
	return c.render(w, p, "custom-fields")
}

func (c *Console) createCustomField(w http.ResponseWriter, r *http.Request, p *page) error {
	d := &customFieldsData{Name: strings.TrimSpace(r.PostForm.Get("name")), Type: r.PostForm.Get("type"), Options: r.PostForm.Get("options")}
	f := &directory.CustomField{Name: d.Name, Type: directory.CustomFieldType(d.Type)}
	for _, o := range strings.Split(d.Options, ",") {
		if o = strings.TrimSpace(o); o != "" {
			f.Options = append(f.Options, o)
		}
	}
	if _, err := c.svc.DefineCustomField(r.Context(), actor(r, p), p.Tenant.ID, f); err != nil {
		return refused(p, err, func() error { return c.showCustomFields(w, r, p, d) })
	}
	return c.seeOther(w, r, p, "custom-fields", "field-created")
}

func (c *Console) deleteCustomField(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := c.svc.DeleteCustomField(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("name")); err != nil {
		return refused(p, err, func() error { return c.showCustomFields(w, r, p, &customFieldsData{}) })
	}
	return c.seeOther(w, r, p, "custom-fields", "field-deleted")
}
