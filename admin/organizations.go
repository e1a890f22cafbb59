package admin

import (
	"net/http"

	"github.com/scimd/scimd/directory"
)

// orgJSON is a customer organization. Domains place new customers: one
// whose primary email is at a domain here joins the organization when it
// is created.
type orgJSON struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Created string   `json:"created"`
	Updated string   `json:"updated"`
}

func orgView(o *directory.Organization) *orgJSON {
	out := &orgJSON{ID: o.ID, Name: o.Name, Domains: o.Domains, Created: timeJSON(o.Created), Updated: timeJSON(o.Updated)}
	if out.Domains == nil {
		out.Domains = []string{}
	}
	return out
}

func (h *handler) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.svc.Organizations(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	out := struct {
		Organizations []*orgJSON `json:"organizations"`
	}{make([]*orgJSON, len(orgs))}
	for i, o := range orgs {
		out.Organizations[i] = orgView(o)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) getOrganization(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Organization(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orgView(o))
	return nil
}

// createOrganization adds one: {"name": "Initech", "domains":
// ["initech.example"]}.
func (h *handler) createOrganization(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "name", "domains"); err != nil {
		return err
	}
	var o directory.Organization
	if o.Name, err = str(doc, "name"); err != nil {
		return err
	}
	if o.Domains, err = strList(doc, "domains"); err != nil {
		return err
	}
	created, err := h.svc.CreateOrganization(r.Context(), actorOf(r), tenantOf(r), &o)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/organizations/"+created.ID)
	writeJSON(w, http.StatusCreated, orgView(created))
	return nil
}

// patchOrganization renames an organization or sets its domains (the
// whole list): a JSON merge. Customers already placed stay where they
// are; domains place new ones.
func (h *handler) patchOrganization(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "name", "domains"); err != nil {
		return err
	}
	name, err := str(doc, "name")
	if err != nil {
		return err
	}
	domains, err := strList(doc, "domains")
	if err != nil {
		return err
	}
	_, setName := doc["name"]
	_, setDomains := doc["domains"]
	o, err := h.svc.UpdateOrganization(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"), func(o *directory.Organization) error {
		if setName {
			o.Name = name
		}
		if setDomains {
			o.Domains = domains
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orgView(o))
	return nil
}

// deleteOrganization removes an organization; its customers stay, in no
// organization.
func (h *handler) deleteOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteOrganization(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// customFieldJSON defines a field the tenant adds to its users.
type customFieldJSON struct {
	Name    string                    `json:"name"`
	Type    directory.CustomFieldType `json:"type"`
	Options []string                  `json:"options"`
	Created string                    `json:"created"`
}

func customFieldView(f *directory.CustomField) *customFieldJSON {
	out := &customFieldJSON{Name: f.Name, Type: f.Type, Options: f.Options, Created: timeJSON(f.Created)}
	if out.Options == nil {
		out.Options = []string{}
	}
	return out
}

func (h *handler) listCustomFields(w http.ResponseWriter, r *http.Request) error {
	defs, err := h.svc.CustomFields(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	out := struct {
		CustomFields []*customFieldJSON `json:"customFields"`
	}{make([]*customFieldJSON, len(defs))}
	for i, d := range defs {
		out.CustomFields[i] = customFieldView(d)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createCustomField defines one: {"name": "tier", "type": "select",
// "options": ["gold", "silver"]}; type is text, number, bool, date or
// select.
func (h *handler) createCustomField(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "name", "type", "options"); err != nil {
		return err
	}
	var f directory.CustomField
	if f.Name, err = str(doc, "name"); err != nil {
		return err
	}
	typ, err := str(doc, "type")
	if err != nil {
		return err
	}
	f.Type = directory.CustomFieldType(typ)
	if f.Options, err = strList(doc, "options"); err != nil {
		return err
	}
	created, err := h.svc.DefineCustomField(r.Context(), actorOf(r), tenantOf(r), &f)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/custom-fields/"+created.Name)
	writeJSON(w, http.StatusCreated, customFieldView(created))
	return nil
}

// deleteCustomField removes a definition and every user's value for it.
func (h *handler) deleteCustomField(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteCustomField(r.Context(), actorOf(r), tenantOf(r), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
