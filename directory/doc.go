// Package directory is the domain of scimd: tenants, users, their identities,
// teams, organizations, custom fields, tokens and the audit log, and the
// rules that hold between them.
//
// Every writer (SCIM, the admin API, the console, the CLI) goes through
// [Service], the only place the rules are enforced. Storage sits behind the
// [Store] interface; directory/postgres and directory/sqlite implement it and
// directory/storetest is the conformance suite both must pass. This package
// knows nothing of HTTP, SCIM or SQL: its errors are typed, and each edge maps
// them once to what its clients see.
package directory
