package directory

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// SessionKind says how a session began.
type SessionKind string

// The session kinds.
const (
	SessionSSO        SessionKind = "sso"        // through a connection to the tenant's identity provider
	SessionBreakGlass SessionKind = "breakglass" // a break-glass account's password and TOTP
)

// Session is a signed-in browser: a server-side row that the browser
// names with a random secret in a cookie. Only the secret's SHA-256 is
// kept. The user's role is not part of it: it is read from the directory
// on every request, so a role change applies on the next one.
type Session struct {
	ID           string
	TenantID     int64
	UserID       string
	Kind         SessionKind
	ConnectionID string // the connection signed in through, for SessionSSO
	Hash         []byte
	Created      time.Time
	LastSeen     time.Time
	// IdleExpires moves on with use; Expires never does.
	IdleExpires time.Time
	Expires     time.Time
	Ended       *time.Time
	// EndReason says why it ended: "signout", "user disabled",
	// "user deleted", "connection disabled", ...
	EndReason string
}

// SessionPolicy bounds sessions: Idle is how long one lasts unused,
// Absolute how long it lasts at all.
type SessionPolicy struct {
	Idle     time.Duration
	Absolute time.Duration
}

// DefaultSessionPolicy is what serve uses unless configured otherwise.
var DefaultSessionPolicy = SessionPolicy{Idle: 2 * time.Hour, Absolute: 12 * time.Hour}

// sessionTouchEvery is how stale a session's last-seen time may get before
// a request writes it again: a session in use costs a write every few
// minutes, not one per request.
func (p SessionPolicy) touchEvery() time.Duration {
	return min(p.Idle/10, time.Minute)
}

// live reports whether s may still be used at now.
func (s *Session) live(now time.Time) bool {
	return s.Ended == nil && now.Before(s.Expires) && now.Before(s.IdleExpires)
}

// sessionPrefix marks session secrets, as tokenPrefix marks tokens.
const sessionPrefix = "scimds_"

// newSessionSecret returns 32 random bytes, base64url-encoded after a
// prefix.
func newSessionSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return sessionPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewSecret returns a random URL-safe value of 32 bytes: a state, a
// nonce, a browser binding.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
