// Package password hashes passwords with argon2id and checks them, keeping
// the parameters in each hash (the PHC string format), so that hashes made
// with older parameters still verify and can be told apart.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default is OWASP's argon2id configuration (19 MiB, 2 passes, 1 lane):
// costly for an attacker, yet a server can hash a few at a time without its
// memory growing by hundreds of megabytes under a provisioning burst.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MaxLength bounds what is hashed, so a megabyte "password" can't
	// be used to burn CPU.
	MaxLength = 1024
)

// ErrMismatch is a password that does not match its hash.
var ErrMismatch = errors.New("password does not match")

// Hash returns the PHC string of password hashed with p:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>.
func Hash(password string, p Params) (string, error) {
	if len(password) > MaxLength {
		return "", fmt.Errorf("password is longer than %d bytes", MaxLength)
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify checks password against hash in constant time and returns the
// parameters the hash was made with, so callers can rehash weak ones. It
// returns ErrMismatch, or an error for a malformed hash.
func Verify(password, hash string) (Params, error) {
	p, salt, key, err := parse(hash)
	if err != nil {
		return Params{}, err
	}
	if len(password) > MaxLength {
		return p, ErrMismatch
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return p, ErrMismatch
	}
	return p, nil
}

func parse(hash string) (Params, []byte, []byte, error) {
	bad := fmt.Errorf("password: not an argon2id hash")
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, bad
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, bad
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, bad
	}
	// Refuse parameters no hash of ours has, so a planted hash can't make
	// a sign-in allocate gigabytes.
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return Params{}, nil, nil, bad
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return Params{}, nil, nil, bad
	}
	return p, salt, key, nil
}
