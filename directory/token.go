package directory

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Scope says where a token may be used.
type Scope string

// The token scopes.
const (
	ScopeSCIM  Scope = "scim"  // an identity provider's provisioning token, for /scim/v2
	ScopeAdmin Scope = "admin" // the tenant's admin API, for /api/v1
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeSCIM || s == ScopeAdmin }

// Token is a bearer token of one tenant. Only the SHA-256 of its secret is
// kept: the secret is shown once, when it is made.
type Token struct {
	ID          string
	TenantID    int64
	Scope       Scope
	Hash        []byte
	Description string
	Created     time.Time
	LastUsed    *time.Time
	Revoked     *time.Time
}

// tokenPrefix marks scimd secrets, so secret scanners and people recognize
// one in a paste.
const tokenPrefix = "scimd_"

// newTokenSecret returns a new secret: 32 random bytes, base64url-encoded
// after a recognizable prefix.
func newTokenSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of a token secret: what stores keep and
// look tokens up by. A secret is high-entropy, so a fast hash is right
// here; a password would need argon2id.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return h[:]
}
