package directory

import "time"

// ActorKind says what kind of actor made a change.
type ActorKind string

// The actor kinds.
const (
	ActorToken  ActorKind = "token"  // a bearer token: an IdP over SCIM, or an admin API client
	ActorUser   ActorKind = "user"   // a signed-in user
	ActorCLI    ActorKind = "cli"    // an operator at the server's shell
	ActorSystem ActorKind = "system" // scimd itself (retention, migrations)
)

// Actor is who asks for a change. It decides which rules apply: an IdP may
// write what it owns; a local actor may not.
type Actor struct {
	Kind ActorKind
	ID   string // the token id or user id; "" for the CLI and system
	// Scope is the token's scope when Kind is ActorToken.
	Scope Scope
	// Role is the user's role when Kind is ActorUser.
	Role      Role
	RequestID string
}

// IdP reports whether the actor is the tenant's identity provider: a SCIM
// token.
func (a Actor) IdP() bool { return a.Kind == ActorToken && a.Scope == ScopeSCIM }

// CLI is the operator at the server's shell.
var CLI = Actor{Kind: ActorCLI}

// System is scimd itself.
var System = Actor{Kind: ActorSystem}

// Outcomes of an audited action.
const (
	OutcomeSuccess = "success"
	OutcomeDenied  = "denied"
	OutcomeFailure = "failure"
)

// AuditEvent is one entry of a tenant's append-only audit log. Changes are
// written in the same transaction as the change they record; a refused
// change is recorded, when it is, as its own event with outcome denied.
type AuditEvent struct {
	ID         int64
	TenantID   int64
	At         time.Time
	Actor      Actor
	Action     string // e.g. "user.create", "team.members", "token.revoke"
	TargetKind string // "user", "team", "token", "tenant", ...
	TargetID   string
	TargetName string
	Changes    []Change
	Outcome    string
	Reason     string // for a denied or failed action, why
	RequestID  string
}

// AuditQuery selects audit events, newest first.
type AuditQuery struct {
	ActorKind ActorKind // "cli", "token", "user", "system", or "" for any
	ActorID   string
	TargetID  string
	Action    string // an exact action, or a prefix ending in "." such as "user."
	Since     time.Time
	Until     time.Time
	// Before pages backwards: only events with an id below it.
	Before int64
	Limit  int
}

// ProvisioningEntry records one SCIM request: what the IdP asked and what it
// was answered. Admins read it to learn why a sync failed.
type ProvisioningEntry struct {
	ID         int64
	TenantID   int64
	At         time.Time
	TokenID    string
	RequestID  string
	Method     string
	Path       string
	ResourceID string
	Status     int
	SCIMType   string
	Detail     string
	Duration   time.Duration
}
