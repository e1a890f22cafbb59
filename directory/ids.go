package directory

import "github.com/google/uuid"

// NewID returns a new record id: a UUIDv7, so ids sort in the order records
// were made and new rows land at the end of indexes.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// CanonicalID returns id in its canonical form (lower-case, dashed) and
// whether it is a UUID at all. Stores look up only canonical ids, so a
// malformed id is simply not found on every backend.
func CanonicalID(id string) (string, bool) {
	if len(id) != 36 {
		return "", false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}
