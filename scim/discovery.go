package scim

import (
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/schema"
)

// Discovery (RFC 7644 §4): what this server supports, its resource types
// and its schemas, with the tenant's custom fields in scimd's extension.

const (
	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeSchema          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

type supported struct {
	Supported bool `json:"supported"`
}

func (h *handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) error {
	cfg := map[string]any{
		"schemas":          []string{ServiceProviderConfigSchema},
		"documentationUri": "https://github.com/scimd/scimd/blob/main/docs/okta.md",
		"patch":            supported{true},
		"bulk":             map[string]any{"supported": true, "maxOperations": maxBulkOperations, "maxPayloadSize": maxBulkPayload},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   supported{true},
		"sort":             supported{true},
		"etag":             supported{true},
		// RFC 9865 cursor paging.
		"pagination": map[string]any{
			"cursor": true, "index": true, "defaultPaginationMethod": "index",
			"defaultPageSize": defaultCount, "maxPageSize": maxCount, "cursorTimeout": 0,
		},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Bearer token",
			"description": "A tenant's SCIM token, made with `scimd token create --tenant T --scope scim`, as Authorization: Bearer <token>.",
			"primary":     true,
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": h.base + "/ServiceProviderConfig"},
	}
	writeJSON(w, http.StatusOK, cfg)
	return nil
}

type resourceTypeJSON struct {
	Schemas []string `json:"schemas"`
	*schema.ResourceType
	Meta map[string]string `json:"meta"`
}

func (h *handler) resourceType(rt *schema.ResourceType) resourceTypeJSON {
	return resourceTypeJSON{Schemas: []string{ResourceTypeSchema}, ResourceType: rt,
		Meta: map[string]string{"resourceType": "ResourceType", "location": h.base + "/ResourceTypes/" + rt.ID}}
}

func (h *handler) resourceTypes(w http.ResponseWriter, r *http.Request) error {
	list := []any{h.resourceType(schema.UserType), h.resourceType(schema.GroupType)}
	writeJSON(w, http.StatusOK, &listResponse{Schemas: []string{ListResponseSchema}, TotalResults: len(list), StartIndex: 1, ItemsPerPage: len(list), Resources: list})
	return nil
}

func (h *handler) resourceTypeByID(w http.ResponseWriter, r *http.Request) error {
	for _, rt := range []*schema.ResourceType{schema.UserType, schema.GroupType} {
		if strings.EqualFold(rt.ID, r.PathValue("id")) {
			writeJSON(w, http.StatusOK, h.resourceType(rt))
			return nil
		}
	}
	return errorf(http.StatusNotFound, "", "There is no resource type %q; there are User and Group.", r.PathValue("id"))
}

type schemaJSON struct {
	Schemas []string `json:"schemas"`
	*schema.Schema
	Meta map[string]string `json:"meta"`
}

// schemas returns the schemas, scimd's extension listing the tenant's
// custom fields as sub-attributes of customFields.
func (h *handler) schemas(r *http.Request) ([]schemaJSON, error) {
	fields, err := h.svc.CustomFields(r.Context(), tenantOf(r))
	if err != nil {
		return nil, err
	}
	var out []schemaJSON
	for _, s := range []*schema.Schema{schema.User, schema.Enterprise, withCustomFields(fields), schema.Group} {
		out = append(out, schemaJSON{Schemas: []string{SchemaSchema}, Schema: s,
			Meta: map[string]string{"resourceType": "Schema", "location": h.base + "/Schemas/" + s.ID}})
	}
	return out, nil
}

// withCustomFields returns scimd's extension schema with the tenant's
// custom fields described.
func withCustomFields(fields []*directory.CustomField) *schema.Schema {
	s := *schema.Scimd
	s.Attributes = make([]*schema.Attribute, len(schema.Scimd.Attributes))
	for i, a := range schema.Scimd.Attributes {
		if a.Name != "customFields" {
			s.Attributes[i] = a
			continue
		}
		c := *a
		c.SubAttributes = nil
		for _, f := range fields {
			sub := &schema.Attribute{Name: f.Name, Type: schema.String, Description: "Custom field " + f.Name + " (" + string(f.Type) + ")",
				Mutability: schema.ReadWrite, Returned: schema.Default, Uniqueness: schema.None, CanonicalValues: f.Options}
			switch f.Type {
			case directory.CustomNumber:
				sub.Type = schema.Decimal
			case directory.CustomBool:
				sub.Type = schema.Boolean
			}
			c.SubAttributes = append(c.SubAttributes, sub)
		}
		s.Attributes[i] = &c
	}
	return &s
}

func (h *handler) listSchemas(w http.ResponseWriter, r *http.Request) error {
	list, err := h.schemas(r)
	if err != nil {
		return err
	}
	res := make([]any, len(list))
	for i := range list {
		res[i] = list[i]
	}
	writeJSON(w, http.StatusOK, &listResponse{Schemas: []string{ListResponseSchema}, TotalResults: len(res), StartIndex: 1, ItemsPerPage: len(res), Resources: res})
	return nil
}

func (h *handler) schemaByID(w http.ResponseWriter, r *http.Request) error {
	list, err := h.schemas(r)
	if err != nil {
		return err
	}
	for _, s := range list {
		if strings.EqualFold(s.ID, r.PathValue("id")) {
			writeJSON(w, http.StatusOK, s)
			return nil
		}
	}
	return errorf(http.StatusNotFound, "", "There is no schema %q.", r.PathValue("id"))
}
