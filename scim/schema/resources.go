package schema

// User is the core User schema (RFC 7643 §4.1).
var User = &Schema{
	ID: UserURN, Name: "User", Description: "User Account",
	Attributes: []*Attribute{
		attr("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Unique in the tenant, compared case-insensitively.",
			required, uniqueness(Server)),
		attr("name", "The components of the user's real name.", subs(
			attr("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
			attr("familyName", "The family name of the User."),
			attr("givenName", "The given name of the User."),
			attr("middleName", "The middle name(s) of the User."),
			attr("honorificPrefix", "The honorific prefix(es) of the User."),
			attr("honorificSuffix", "The honorific suffix(es) of the User."),
		)),
		attr("displayName", "The name of the User, suitable for display to end-users."),
		attr("nickName", "The casual way to address the user in real life."),
		attr("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", refs("external")),
		attr("title", "The user's title, such as \"Vice President\"."),
		attr("userType", "Used to identify the relationship between the organization and the user."),
		attr("preferredLanguage", "Indicates the User's preferred written or spoken language, e.g. en-US."),
		attr("locale", "Used to indicate the User's default location for localizing items, e.g. en-US."),
		attr("timezone", "The User's time zone in the IANA Time Zone database format, e.g. America/Los_Angeles."),
		attr("active", "The User's administrative status. false disables the user: they can't sign in, but stay in the directory.", typ(Boolean)),
		attr("password", "The User's cleartext password, accepted on write and never stored or returned as such.",
			mutability(WriteOnly), returned(Never)),
		multiValue("emails", "Email addresses for the user. An email belongs to one user in the tenant.",
			attr("value", "Email address for the User."), "work", "home", "other"),
		multiValue("phoneNumbers", "Phone numbers for the User.",
			attr("value", "Phone number of the User."), "work", "home", "mobile", "fax", "pager", "other"),
		multiValue("ims", "Instant messaging addresses for the User.",
			attr("value", "Instant messaging address for the User."), "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
		multiValue("photos", "URLs of photos of the User.",
			attr("value", "URL of a photo of the User.", refs("external")), "photo", "thumbnail"),
		attr("addresses", "A physical mailing address for this User.", multi, subs(
			attr("formatted", "The full mailing address, formatted for display or use with a mailing label."),
			attr("streetAddress", "The full street address component."),
			attr("locality", "The city or locality component."),
			attr("region", "The state or region component."),
			attr("postalCode", "The zip code or postal code component."),
			attr("country", "The country name component."),
			attr("type", "A label indicating the attribute's function.", canonical("work", "home", "other")),
			attr("primary", "Whether this is the primary address.", typ(Boolean)),
		)),
		attr("groups", "A list of groups to which the user belongs, either through direct membership or through nested groups.",
			multi, mutability(ReadOnly), subs(
				attr("value", "The identifier of the User's group.", mutability(ReadOnly)),
				attr("$ref", "The URI of the corresponding Group resource.", refs("User", "Group"), mutability(ReadOnly)),
				attr("display", "A human-readable name, primarily used for display purposes.", mutability(ReadOnly)),
				attr("type", "A label indicating the attribute's function.", canonical("direct", "indirect"), mutability(ReadOnly)),
			)),
		multiValue("entitlements", "A list of entitlements for the User that represent a thing the User has.",
			attr("value", "The value of an entitlement.")),
		multiValue("roles", "A list of roles for the User that collectively represent who the User is, e.g. 'Student', 'Faculty'.",
			attr("value", "The value of a role.")),
		multiValue("x509Certificates", "A list of certificates issued to the User.",
			attr("value", "The value of an X.509 certificate.", typ(Binary))),
	},
}

// Enterprise is the enterprise User extension (RFC 7643 §4.3).
var Enterprise = &Schema{
	ID: EnterpriseURN, Name: "EnterpriseUser", Description: "Enterprise User",
	Attributes: []*Attribute{
		attr("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
		attr("costCenter", "Identifies the name of a cost center."),
		attr("organization", "Identifies the name of an organization."),
		attr("division", "Identifies the name of a division."),
		attr("department", "Identifies the name of a department."),
		attr("manager", "The User's manager: another user of the tenant.", subs(
			attr("value", "The id of the SCIM resource representing the User's manager."),
			attr("$ref", "The URI of the SCIM resource representing the User's manager.", refs("User")),
			attr("displayName", "The displayName of the User's manager.", mutability(ReadOnly)),
		)),
	},
}

// Scimd is scimd's own User extension: what the help desk or phone system
// keeps about staff. An IdP may send these; what it does not send stays
// editable by the tenant's admins.
var Scimd = &Schema{
	ID: ScimdURN, Name: "ScimdUser", Description: "scimd staff attributes",
	Attributes: []*Attribute{
		attr("extension", "The user's phone extension: 1 to 15 digits, unique in the tenant.", uniqueness(Server)),
		attr("availability", "The user's presence, by which work is routed.", canonical("available", "away", "busy", "offline")),
		attr("role", "The user's role in the tenant. Owners and admins administer it; agents and collaborators take a seat; customers don't.",
			canonical("owner", "admin", "agent", "collaborator", "customer")),
		attr("customFields", "The tenant's custom fields, by name.", subs()),
	},
}

// Group is the core Group schema (RFC 7643 §4.2): what scimd calls a team.
var Group = &Schema{
	ID: GroupURN, Name: "Group", Description: "Group",
	Attributes: []*Attribute{
		attr("displayName", "A human-readable name for the Group, unique in the tenant.", required, uniqueness(Server)),
		attr("members", "A list of members of the Group.", multi, subs(
			attr("value", "Identifier of the member of this Group.", mutability(Immutable)),
			attr("$ref", "The URI corresponding to a SCIM resource that is a member of this Group.", refs("User", "Group"), mutability(Immutable)),
			attr("display", "A human-readable name for the member.", mutability(ReadOnly)),
			attr("type", "A label indicating the type of resource, e.g. 'User' or 'Group'.", canonical("User", "Group"), mutability(Immutable)),
		)),
	},
}

// Common holds the attributes every resource has (RFC 7643 §3.1). /Schemas
// does not list them; filters and PATCH paths still find them.
var Common = &Schema{
	ID: "urn:ietf:params:scim:schemas:core:2.0:Common", Name: "Common",
	Attributes: []*Attribute{
		attr("id", "A unique identifier for a SCIM resource as defined by the service provider.",
			caseExact, mutability(ReadOnly), returned(Always), uniqueness(Server)),
		attr("externalId", "A String that is an identifier for the resource as defined by the provisioning client.", caseExact),
		attr("meta", "A complex attribute containing resource metadata.", mutability(ReadOnly), subs(
			attr("resourceType", "The name of the resource type of the resource.", caseExact, mutability(ReadOnly)),
			attr("created", "The DateTime that the resource was added to the service provider.", typ(DateTime), mutability(ReadOnly)),
			attr("lastModified", "The most recent DateTime that the details of this resource were updated at the service provider.", typ(DateTime), mutability(ReadOnly)),
			attr("location", "The URI of the resource being returned.", refs("uri"), caseExact, mutability(ReadOnly)),
			attr("version", "The version of the resource being returned.", caseExact, mutability(ReadOnly)),
		)),
	},
}

// ResourceType describes an endpoint (RFC 7643 §6).
type ResourceType struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Endpoint   string      `json:"endpoint"`
	Desc       string      `json:"description"`
	Schema     string      `json:"schema"`
	Extensions []Extension `json:"schemaExtensions,omitempty"`
}

// Extension names a schema extension of a resource type.
type Extension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// UserType and GroupType are the two resource types.
var (
	UserType = &ResourceType{ID: "User", Name: "User", Endpoint: "/Users", Desc: "User Account", Schema: UserURN,
		Extensions: []Extension{{Schema: EnterpriseURN}, {Schema: ScimdURN}}}
	GroupType = &ResourceType{ID: "Group", Name: "Group", Endpoint: "/Groups", Desc: "Group (a team)", Schema: GroupURN}
)

// Resource is what a path is resolved against: a resource's core schema
// with its extensions.
type Resource struct {
	Core       *Schema
	Extensions []*Schema
}

// Users and Groups are the resources.
var (
	Users  = &Resource{Core: User, Extensions: []*Schema{Enterprise, Scimd}}
	Groups = &Resource{Core: Group}
)
