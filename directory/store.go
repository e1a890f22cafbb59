package directory

import (
	"context"
	"time"
)

// Store keeps the directory. Reads run on their own; every write runs in
// one transaction through Write, so a change and its audit event land
// together or not at all. Implementations: directory/postgres and
// directory/sqlite; directory/storetest checks both the same way.
//
// Ids are compared in canonical form; a malformed id is ErrNotFound. Every
// method takes the tenant and never returns another tenant's rows.
type Store interface {
	// Tenant returns the tenant with id. It returns ErrNotFound.
	Tenant(ctx context.Context, id int64) (*Tenant, error)
	// TenantBySlug returns the tenant named slug. It returns ErrNotFound.
	TenantBySlug(ctx context.Context, slug string) (*Tenant, error)
	// Tenants returns every tenant, by slug.
	Tenants(ctx context.Context) ([]*Tenant, error)
	// CountSeats counts the tenant's live, active staff.
	CountSeats(ctx context.Context, tenant int64) (int, error)

	// User returns a live user. It returns ErrNotFound for a missing,
	// deleted or malformed id.
	User(ctx context.Context, tenant int64, id string, withGroups bool) (*User, error)
	// Users returns a page of users matching q.
	Users(ctx context.Context, tenant int64, q Query) (*UserPage, error)
	// Team returns a live team. It returns ErrNotFound.
	Team(ctx context.Context, tenant int64, id string, withMembers bool) (*Team, error)
	// Teams returns a page of teams matching q.
	Teams(ctx context.Context, tenant int64, q Query) (*TeamPage, error)
	// Organizations returns the tenant's organizations, by name.
	Organizations(ctx context.Context, tenant int64) ([]*Organization, error)
	// CustomFields returns the tenant's custom field definitions, by name.
	CustomFields(ctx context.Context, tenant int64) ([]*CustomField, error)
	// Organization returns one organization with its domains. It returns
	// ErrNotFound, also for a malformed id.
	Organization(ctx context.Context, tenant int64, id string) (*Organization, error)
	// TeamMembers returns a page of a team's members in user id order,
	// reading only that page's membership rows, so that a team of 100,000
	// pages as cheaply as a team of ten. It does not check that the team is
	// live; callers do.
	TeamMembers(ctx context.Context, tenant int64, team string, q MemberQuery) (*MemberPage, error)

	// TokenByHash returns the token whose secret hashes to hash, revoked or
	// not. It returns ErrNotFound.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// Tokens returns the tenant's tokens, newest first.
	Tokens(ctx context.Context, tenant int64) ([]*Token, error)
	// TouchTokens records when tokens were last used; a time earlier than
	// the one stored is ignored.
	TouchTokens(ctx context.Context, lastUsed map[string]time.Time) error

	// AuditEvents returns the tenant's audit events matching q, newest
	// first.
	AuditEvents(ctx context.Context, tenant int64, q AuditQuery) ([]*AuditEvent, error)
	// AuditEventsAfter returns the tenant's audit events matching q
	// (Before aside) whose id is above after, oldest first: the order an
	// export to a SIEM wants, resumable from the last id it wrote.
	AuditEventsAfter(ctx context.Context, tenant int64, after int64, q AuditQuery) ([]*AuditEvent, error)
	// LogProvisioning appends entries to the provisioning log.
	LogProvisioning(ctx context.Context, entries []ProvisioningEntry) error
	// ProvisioningLog returns the tenant's provisioning log entries
	// matching q, newest first.
	ProvisioningLog(ctx context.Context, tenant int64, q ProvisioningQuery) ([]*ProvisioningEntry, error)

	// Connections returns the tenant's sign-in connections, by name.
	Connections(ctx context.Context, tenant int64) ([]*Connection, error)
	// Connection returns one connection. It returns ErrNotFound, also for
	// a malformed id.
	Connection(ctx context.Context, tenant int64, id string) (*Connection, error)
	// LinksOfUser returns the links to a user, oldest first.
	LinksOfUser(ctx context.Context, tenant int64, user string) ([]*Link, error)
	// SessionByHash returns the session whose secret hashes to hash,
	// ended or not, of any tenant. It returns ErrNotFound.
	SessionByHash(ctx context.Context, hash []byte) (*Session, error)

	// BreakGlassCredentials returns a break-glass account's credentials
	// with CodesLeft filled in. It returns ErrNotFound when the account has
	// none (it was never enrolled, or was reset).
	BreakGlassCredentials(ctx context.Context, tenant int64, user string) (*BreakGlassCredentials, error)
	// BreakGlassLink returns the link whose secret hashes to hash, used or
	// expired or not. It returns ErrNotFound.
	BreakGlassLink(ctx context.Context, tenant int64, hash []byte) (*BreakGlassLink, error)
	// BreakGlassLinks returns a user's unused links of a purpose, newest
	// first.
	BreakGlassLinks(ctx context.Context, tenant int64, user string, purpose LinkPurpose) ([]*BreakGlassLink, error)
	// Throttles returns the throttles of keys that have one.
	Throttles(ctx context.Context, tenant int64, keys []string) ([]*Throttle, error)
	// RequestCounter keeps the rate limit's windows (ratelimit.go).
	RequestCounter

	// Write runs fn in one transaction, committed if fn returns nil and
	// rolled back otherwise. fn may run more than once if the database
	// asks for a retry, so it must not have other effects.
	Write(ctx context.Context, fn func(Tx) error) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// Tx is the write side of a Store, inside one transaction. Its methods do
// no rule checking beyond the database's own constraints: that is
// Service's job. Unique violations come back as *ConflictError naming the
// field.
type Tx interface {
	// InsertTenant adds t and sets t.ID. It returns a ConflictError on the
	// slug.
	InsertTenant(ctx context.Context, t *Tenant) error
	// UpdateTenant saves t's name, seats, seats used and settings.
	UpdateTenant(ctx context.Context, t *Tenant) error
	// LockTenant returns the tenant, locked until the transaction ends, so
	// that rules counting across the tenant (the last admin) see a settled
	// state. It returns ErrNotFound.
	LockTenant(ctx context.Context, tenant int64) (*Tenant, error)
	// LockSeats returns the tenant locked against seat changes, waiting
	// for writers that move seats to finish and keeping new ones out until
	// the transaction ends, so that a new seat limit can count who is
	// there. It returns ErrNotFound.
	LockSeats(ctx context.Context, tenant int64) (*Tenant, error)
	// AddSeats moves the tenant's count of seats used by delta. While the
	// tenant's seats are limited, going over the limit returns an
	// *InvariantError with RuleSeats; while unlimited, it counts nothing.
	// It writes without reading, so a store may send it with the writes
	// around it in one round trip; only LockSeats waits for it.
	AddSeats(ctx context.Context, tenant int64, delta int) error
	// CountSeats counts the live, active staff.
	CountSeats(ctx context.Context, tenant int64) (int, error)
	// CountAdmins counts the live, active owners and admins.
	CountAdmins(ctx context.Context, tenant int64) (int, error)

	// UserForUpdate returns a live user, locked until the transaction ends.
	// It returns ErrNotFound.
	UserForUpdate(ctx context.Context, tenant int64, id string) (*User, error)
	// InsertUser adds u with its identities.
	InsertUser(ctx context.Context, u *User) error
	// UpdateUser saves u if the stored version is still prev; with
	// identities, it also replaces the user's identities with
	// u.Identities. When u.Deleted is set, the user's identities are
	// tombstoned with it, freeing its emails. It returns ErrPrecondition if
	// the version moved, ErrNotFound if the user is gone.
	UpdateUser(ctx context.Context, u *User, prev int64, identities bool) error
	// UsersExist returns which of ids are live users of the tenant.
	UsersExist(ctx context.Context, tenant int64, ids []string) ([]string, error)

	// TeamForUpdate returns a live team (without members), locked. It
	// returns ErrNotFound.
	TeamForUpdate(ctx context.Context, tenant int64, id string) (*Team, error)
	// InsertTeam adds t.
	InsertTeam(ctx context.Context, t *Team) error
	// UpdateTeam saves t if the stored version is still prev. It returns
	// ErrPrecondition or ErrNotFound.
	UpdateTeam(ctx context.Context, t *Team, prev int64) error
	// TouchTeam moves a live team's version on and its update time to now,
	// without reading its members, and returns the team. If ifVersion is
	// not 0 and the stored version differs, it returns ErrPrecondition. It
	// returns ErrNotFound.
	TouchTeam(ctx context.Context, tenant int64, id string, ifVersion int64, now time.Time) (*Team, error)
	// AddMembers adds users to a team and returns those that were not
	// members already. Callers check that the users exist.
	AddMembers(ctx context.Context, tenant int64, team string, users []string, now time.Time) ([]string, error)
	// RemoveMembers removes users from a team and returns those that were
	// members.
	RemoveMembers(ctx context.Context, tenant int64, team string, users []string) ([]string, error)
	// RetainMembers removes every member of a team who is not in keep and
	// returns them.
	RetainMembers(ctx context.Context, tenant int64, team string, keep []string) ([]string, error)
	// RemoveFromAllTeams removes a user from every team, as when the user
	// is deleted, and returns the teams' ids.
	RemoveFromAllTeams(ctx context.Context, tenant int64, user string, now time.Time) ([]string, error)

	// InsertToken adds t.
	InsertToken(ctx context.Context, t *Token) error
	// RevokeToken marks a token revoked. It returns ErrNotFound, also for a
	// token already revoked.
	RevokeToken(ctx context.Context, tenant int64, id string, at time.Time) (*Token, error)

	// InsertOrganization adds o with its domains. A domain another
	// organization has is a ConflictError.
	InsertOrganization(ctx context.Context, o *Organization) error
	// OrganizationByDomain returns the organization that has domain. It
	// returns ErrNotFound.
	OrganizationByDomain(ctx context.Context, tenant int64, domain string) (*Organization, error)
	// OrganizationForUpdate returns an organization with its domains,
	// locked until the transaction ends. It returns ErrNotFound.
	OrganizationForUpdate(ctx context.Context, tenant int64, id string) (*Organization, error)
	// UpdateOrganization saves o's name and update time and replaces its
	// domains with o.Domains. A name or domain another organization has
	// is a ConflictError.
	UpdateOrganization(ctx context.Context, o *Organization) error
	// DeleteOrganization removes an organization and its domains, and
	// takes its live users out of it (moving their version on), and
	// returns how many users it took out. It returns ErrNotFound.
	DeleteOrganization(ctx context.Context, tenant int64, id string, now time.Time) (int, error)
	// InsertCustomField adds f. A name already defined is a ConflictError.
	InsertCustomField(ctx context.Context, f *CustomField) error
	// CustomFields returns the tenant's custom field definitions.
	CustomFields(ctx context.Context, tenant int64) ([]*CustomField, error)
	// DeleteCustomField removes the definition named name (exactly as
	// defined) and its value from every live user that has one (moving
	// their version on), and returns how many users had one. It returns
	// ErrNotFound.
	DeleteCustomField(ctx context.Context, tenant int64, name string, now time.Time) (int, error)

	// InsertAudit appends events to the audit log.
	InsertAudit(ctx context.Context, events ...*AuditEvent) error

	// InsertConnection adds c. A name another connection of the tenant
	// has (in any case) is a ConflictError.
	InsertConnection(ctx context.Context, c *Connection) error
	// ConnectionForUpdate returns a connection, locked until the
	// transaction ends. It returns ErrNotFound.
	ConnectionForUpdate(ctx context.Context, tenant int64, id string) (*Connection, error)
	// UpdateConnection saves c's name, enabled flag, config, secret and
	// update time. It returns ErrNotFound or a ConflictError on the name.
	UpdateConnection(ctx context.Context, c *Connection) error
	// DeleteConnection removes a connection with its links and pending
	// sign-ins. It returns ErrNotFound.
	DeleteConnection(ctx context.Context, tenant int64, id string) error

	// LinkBySubject returns the link of subject at a connection. It
	// returns ErrNotFound.
	LinkBySubject(ctx context.Context, tenant int64, connection, subject string) (*Link, error)
	// InsertLink adds l. It returns a ConflictError (Field "subject" or
	// "user") when the subject or the user is linked at the connection
	// already.
	InsertLink(ctx context.Context, l *Link) error
	// TouchLink records a sign-in through a link.
	TouchLink(ctx context.Context, tenant int64, connection, subject string, at time.Time) error

	// InsertPendingSignIn adds p.
	InsertPendingSignIn(ctx context.Context, p *PendingSignIn) error
	// TakePendingSignIn deletes the pending sign-in whose state hashes to
	// hash and returns it, expired or not: of two transactions taking
	// the same one, one gets it and the other ErrNotFound.
	TakePendingSignIn(ctx context.Context, tenant int64, hash []byte) (*PendingSignIn, error)
	// DeleteExpired removes pending sign-ins that expired before now and
	// sessions that ended or expired before purgeBefore, of every tenant,
	// and returns how many rows it removed.
	DeleteExpired(ctx context.Context, now, purgeBefore time.Time) (int, error)

	// UseAssertion records that the SAML assertion id, from the IdP of a
	// connection, was accepted, and keeps it until expires. It reports
	// false when the id is kept already and has not expired by now (a
	// replay): of two transactions using the same id, one gets true.
	UseAssertion(ctx context.Context, tenant int64, connection, id string, now, expires time.Time) (bool, error)
	// DeleteExpiredAssertions removes the assertion ids that expired
	// before now, of every tenant, and returns how many.
	DeleteExpiredAssertions(ctx context.Context, now time.Time) (int, error)

	// InsertSession adds s.
	InsertSession(ctx context.Context, s *Session) error
	// TouchSession records use of a live session: its last-seen time and
	// its new idle expiry.
	TouchSession(ctx context.Context, id string, lastSeen, idleExpires time.Time) error
	// EndSession ends a live session. It returns ErrNotFound when it is
	// unknown or ended already.
	EndSession(ctx context.Context, tenant int64, id string, at time.Time, reason string) error
	// EndUserSessions ends every live session of a user. It writes without
	// reading, so a store may send it with the writes around it.
	EndUserSessions(ctx context.Context, tenant int64, user string, at time.Time, reason string) error
	// EndConnectionSessions ends every live session begun through a
	// connection, and returns how many.
	EndConnectionSessions(ctx context.Context, tenant int64, connection string, at time.Time, reason string) (int, error)

	// CountBreakGlass counts the tenant's live, active break-glass
	// accounts.
	CountBreakGlass(ctx context.Context, tenant int64) (int, error)
	// BreakGlassCredentialsForUpdate returns an account's credentials,
	// locked until the transaction ends. It returns ErrNotFound.
	BreakGlassCredentialsForUpdate(ctx context.Context, tenant int64, user string) (*BreakGlassCredentials, error)
	// SaveBreakGlassCredentials adds or replaces c.
	SaveBreakGlassCredentials(ctx context.Context, c *BreakGlassCredentials) error
	// DeleteBreakGlassCredentials removes an account's credentials, its
	// recovery codes and its unused links. Removing none is no error.
	DeleteBreakGlassCredentials(ctx context.Context, tenant int64, user string) error
	// ReplaceRecoveryCodes replaces an account's recovery codes with
	// hashes (each the SHA-256 of a code).
	ReplaceRecoveryCodes(ctx context.Context, tenant int64, user string, hashes [][]byte) error
	// UseRecoveryCode marks the unused code that hashes to hash used. It
	// returns ErrNotFound when there is none: unknown, or used already.
	UseRecoveryCode(ctx context.Context, tenant int64, user string, hash []byte, at time.Time) error
	// UseTOTPStep records step as the account's last TOTP step if it is
	// later than the one recorded. It returns ErrNotFound when it is not
	// (a code replayed) or the account has no credentials.
	UseTOTPStep(ctx context.Context, tenant int64, user string, step int64) error
	// InsertBreakGlassLink adds l.
	InsertBreakGlassLink(ctx context.Context, l *BreakGlassLink) error
	// UseBreakGlassLink marks the unused link that hashes to hash used at
	// at and returns it, expired or not: of two transactions using the
	// same link, one gets it and the other ErrNotFound.
	UseBreakGlassLink(ctx context.Context, tenant int64, hash []byte, at time.Time) (*BreakGlassLink, error)
	// DeleteBreakGlassLinks removes a user's unused links of a purpose.
	DeleteBreakGlassLinks(ctx context.Context, tenant int64, user string, purpose LinkPurpose) error
	// ThrottleForUpdate returns the throttle of key, locked until the
	// transaction ends, made with no failures if key has none.
	ThrottleForUpdate(ctx context.Context, tenant int64, key string) (*Throttle, error)
	// SaveThrottle adds or replaces th.
	SaveThrottle(ctx context.Context, th *Throttle) error
	// SweepBreakGlass removes, of every tenant, links that expired before
	// before and throttles that are unlocked and whose last failure was
	// before before, and returns how many rows it removed.
	SweepBreakGlass(ctx context.Context, before time.Time) (int, error)
}
