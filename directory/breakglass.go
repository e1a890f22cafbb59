package directory

import (
	"net/netip"
	"strconv"
	"time"
)

// Break-glass accounts get a tenant's admins back in when its SSO breaks:
// a few local owner accounts, never the identity provider's, that sign in
// with a password and a TOTP code (or a single-use recovery code) at a
// page of their own, for a short session that can only repair sign-in.
// The numbers below are the ones docs/break-glass.md states.
const (
	// MaxBreakGlass is how many active break-glass accounts a tenant may
	// have: enough for two people and a spare, few enough to watch.
	MaxBreakGlass = 3
	// EnrollTTL is how long an enrollment link works.
	EnrollTTL = 24 * time.Hour
	// DefaultRecoverTTL is how long a link from scimd recover works unless
	// the operator says otherwise; MinRecoverTTL and MaxRecoverTTL bound
	// what the operator may say.
	DefaultRecoverTTL = 15 * time.Minute
	MinRecoverTTL     = time.Minute
	MaxRecoverTTL     = 24 * time.Hour
	// BreakGlassSession is the longest a break-glass session lasts, used
	// or not.
	BreakGlassSession = time.Hour
	// MinPasswordLength is the shortest break-glass password, in
	// characters.
	MinPasswordLength = 14
	// RecoveryCodeCount is how many recovery codes an enrollment makes.
	RecoveryCodeCount = 10
	// TOTPPeriod is the TOTP time step (RFC 6238's default); a code is
	// accepted one step early or late, for clocks that drift.
	TOTPPeriod = 30
	TOTPSkew   = 1
)

// ScopeBreakGlass is the scope of a user acting in a break-glass session:
// only what recovery needs (the admin API enforces the list). It is no
// token's scope.
const ScopeBreakGlass Scope = "breakglass"

// BreakGlassSettings are a tenant's break-glass choices.
type BreakGlassSettings struct {
	// AlertWebhook, when set, receives a JSON POST for every break-glass
	// sign-in and recover link used: an https URL (plain http only on
	// localhost).
	AlertWebhook string `json:"alertWebhook,omitempty"`
}

// LinkPurpose says what a break-glass link does.
type LinkPurpose string

// The link purposes.
const (
	PurposeEnroll  LinkPurpose = "enroll"  // sets up a break-glass account's password and TOTP
	PurposeRecover LinkPurpose = "recover" // opens a break-glass session (scimd recover)
)

// BreakGlassLink is an enrollment link or a recover link: a random secret
// in a URL, of which only the SHA-256 is kept, that works once and until
// Expires.
type BreakGlassLink struct {
	Hash     []byte
	TenantID int64
	UserID   string
	Purpose  LinkPurpose
	Created  time.Time
	Expires  time.Time
	Used     *time.Time
}

// BreakGlassCredentials are what a break-glass account signs in with.
type BreakGlassCredentials struct {
	TenantID int64
	UserID   string
	// PasswordHash is an argon2id PHC string (internal/password).
	PasswordHash string
	// TOTPSecret is the TOTP key, sealed (internal/secretbox) to
	// TOTPContext; the directory opens it only to check a code.
	TOTPSecret []byte
	// TOTPLastStep is the time step of the last code accepted: a code of
	// that step or an earlier one is refused, so a code seen over a
	// shoulder can't be used again within its window.
	TOTPLastStep int64
	// Enrolled is when enrollment finished; until then the account can't
	// sign in.
	Enrolled   *time.Time
	LastSignIn *time.Time
	Updated    time.Time
	// CodesLeft counts the unused recovery codes; filled in on read.
	CodesLeft int
}

// TOTPContext is what an account's TOTP secret is sealed to, so a sealed
// secret copied to another account's row does not open.
func TOTPContext(tenant int64, user string) string {
	return "breakglass-totp tenant=" + strconv.FormatInt(tenant, 10) + " user=" + user
}

// BreakGlassAccount is a break-glass account as operators and admins list
// it: the user and the state of its credentials, never the credentials.
type BreakGlassAccount struct {
	User       *User
	Enrolled   *time.Time
	LastSignIn *time.Time
	CodesLeft  int
	// LockedUntil is set while failed attempts lock the account.
	LockedUntil *time.Time
	// EnrollExpires is when the account's open enrollment link expires,
	// if it has one.
	EnrollExpires *time.Time
}

// Throttle counts the failed break-glass sign-ins of one key (an account's
// userName, or a source address) of a tenant. It lives in the database, so
// that every replica counts the same attempts.
type Throttle struct {
	TenantID    int64
	Key         string
	Failures    int
	LastFailure time.Time
	LockedUntil *time.Time
}

// ThrottlePolicy says when failures lock a key and for how long: from
// Threshold failures on, each failure locks the key for Base, doubled for
// every failure past Threshold, at most Max. Failures are forgotten Forget
// after the last one; a successful sign-in forgets an account's at once.
// Attempts while locked are refused without looking at the password and
// do not count, so a lockout ends when it says.
type ThrottlePolicy struct {
	Threshold int
	Base      time.Duration
	Max       time.Duration
	Forget    time.Duration
}

// The throttles break-glass sign-in applies. With AccountThrottle, the 5th
// failure in a row locks the account for 1 minute, the 6th for 2, the 7th
// for 4, ... the 11th and later for an hour.
var (
	AccountThrottle = ThrottlePolicy{Threshold: 5, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
	AddressThrottle = ThrottlePolicy{Threshold: 20, Base: time.Minute, Max: time.Hour, Forget: 24 * time.Hour}
)

// LockFor is how long the failures-th failure locks its key: 0 below the
// threshold.
func (p ThrottlePolicy) LockFor(failures int) time.Duration {
	if failures < p.Threshold {
		return 0
	}
	d := p.Base
	for range failures - p.Threshold {
		d *= 2
		if d >= p.Max {
			return p.Max
		}
	}
	return min(d, p.Max)
}

// locked reports whether th is locked at now.
func (th *Throttle) locked(now time.Time) bool {
	return th.LockedUntil != nil && now.Before(*th.LockedUntil)
}

// fail counts one more failure at now under p.
func (th *Throttle) fail(p ThrottlePolicy, now time.Time) {
	if now.Sub(th.LastFailure) >= p.Forget {
		th.Failures = 0
	}
	th.Failures++
	th.LastFailure = now
	th.LockedUntil = nil
	if d := p.LockFor(th.Failures); d > 0 {
		until := now.Add(d)
		th.LockedUntil = &until
	}
}

// undo takes back one failure counted at the start of an attempt that
// then succeeded.
func (th *Throttle) undo(p ThrottlePolicy) {
	th.Failures = max(th.Failures-1, 0)
	if th.Failures < p.Threshold {
		th.LockedUntil = nil
	}
}

// Throttle keys.
func accountKey(userName string) string { return "account:" + truncateText(foldKey(userName), 300) }

// addressKey keys an IPv6 address by its /64, which one host or network
// usually has whole; an IPv4 address by itself.
func addressKey(addr string) string {
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() && !a.Is4In6() {
		p, _ := a.Prefix(64)
		return "address:" + p.String()
	}
	return "address:" + truncateText(addr, 100)
}
