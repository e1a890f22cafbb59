// Package patch implements SCIM PATCH (RFC 7644 §3.5.2) on a resource's
// JSON document, as the RFC says and as Okta and Microsoft Entra ID
// really send it.
//
// Parse reads a PatchOp request body into Ops. A User handler renders
// the stored user as the map[string]any that GET returns, calls Apply on
// a DeepCopy of it and decodes the result; a Group handler first takes
// the member operations off with MemberOps, so that it never loads a
// group's members, and applies the rest to a small {displayName,
// externalId} document. Every error is an *Error carrying the SCIM
// scimType for an HTTP 400 and a detail written for the IdP's admin.
//
// # Rules
//
// Attribute names, sub-attribute names and schema URNs are
// case-insensitive everywhere ("Name.GivenName", "EMAILS"); what Apply
// writes goes under the schema's canonical spelling, and a key the
// document held in another spelling is moved there. Extension attributes
// live under their schema URN ({"urn:...:enterprise:2.0:User":
// {"department": "x"}}); an unqualified name that only an extension
// defines ("manager", "employeeNumber") resolves to that extension.
//
// add (§3.5.2.1) sets a single-valued attribute; merges the sub-attributes
// it is given into a complex one; and appends to a multi-valued one the
// values it doesn't have yet. A value is already there when it has the
// same value and type (the value compared by its caseExact rule, type
// case-insensitively; for addresses, every sub-attribute but primary);
// such a value is merged into its twin instead. Without a path, the
// value is an object whose keys are attribute names, dotted names
// (name.givenName), full paths (urn:...:enterprise:2.0:User:manager,
// emails[type eq "work"].value) or schema URNs holding an object of that
// schema's attributes; each key is applied as if it were the path.
//
// replace (§3.5.2.3) does the same, except that a multi-valued
// attribute without a filter gets exactly the given values, and a filter
// without a sub-attribute replaces the selected values whole. A complex
// single-valued attribute is merged as the RFC says: "sub-attributes that
// are not specified in the value parameter are left unchanged".
//
// remove (§3.5.2.2) needs a path (noTarget without one). It removes the
// attribute, the sub-attribute, or the values a filter selects, or a
// sub-attribute of them. A value left without its "value" sub-attribute
// goes too: an email without an address, or a manager without an id, is
// none.
//
// Setting primary to true on one value of a multi-valued attribute sets
// it to false on the others (RFC 7643 §2.4); if one operation makes
// several values primary, the last wins.
//
// Value filters are evaluated in Go against the values (see checkFilter
// and compare): every operator, and, or, not and pr, with the
// sub-attribute's type and caseExact rule.
//
// # Errors where the RFC asks for them
//
//   - A path naming an unknown attribute or schema: invalidPath, naming it.
//   - A path naming a read-only attribute or sub-attribute (id, meta,
//     groups, manager.displayName): mutability. Changing an immutable
//     attribute that has a value: mutability.
//   - Removing or emptying a required attribute (userName, a Group's
//     displayName): mutability, as §3.5.2.2 says ("If an attribute is
//     removed or becomes unassigned and is defined as a required
//     attribute or a read-only attribute ... mutability").
//   - A value of the wrong type (an object for a text attribute, "yes"
//     for a boolean, two values for a single-valued one, an object
//     nested where the schema has a simple sub-attribute, a
//     sub-attribute the schema doesn't define): invalidValue, naming the
//     attribute.
//   - More than MaxOperations operations: invalidValue.
//
// # Leniency, where identity providers depart from the RFC
//
//   - Operation names in any case ("Replace": Entra).
//   - Booleans as strings in any case ({"path": "active", "value":
//     "False"}: Entra without aadOptscim062020).
//   - null or "" as a value clears the target, for add and replace alike
//     (Entra's SCIM validator tests this).
//   - A bare string for a complex attribute that has a value
//     sub-attribute stands for {"value": string} (Entra's manager id); a
//     list of one value for a single-valued attribute stands for that
//     value (Entra's "manager": [{"$ref": null, "value": "id"}]). A number
//     for a text attribute is kept as its text.
//   - Read-only attributes inside add or replace values (id, meta,
//     manager.displayName, members.display) are skipped, as RFC 7644 §3.3
//     does for POST: Okta and Entra echo "id" in path-less replaces.
//     Keys of schemas this resource doesn't have (Entra's
//     "http://schemas.microsoft.com/...", unknown "urn:..."), and
//     "schemas", are skipped too.
//   - When a filter selects nothing in an add or replace, the RFC answers
//     noTarget; but Entra sends replace emails[type eq "work"].value for
//     users who have no work email yet, expecting one to be made. When
//     the filter is only eq comparisons joined by "and", the value is
//     created from them ({"type": "work", "value": ...}); other filters
//     still fail with noTarget. Clearing something absent succeeds.
//   - A remove whose filter selects nothing succeeds and changes
//     nothing: the client's intent already holds.
//   - A remove with a list of values (Entra's members) removes the stored
//     values that have every sub-attribute of one of them.
//   - The pre-2019 Entra spelling urn:...:enterprise:2.0:User.department
//     is read as urn:...:enterprise:2.0:User:department.
package patch
