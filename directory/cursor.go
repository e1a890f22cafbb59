package directory

import (
	"encoding/base64"
	"encoding/json"
)

// Encode returns the cursor as an opaque token for a client (RFC 9865's
// nextCursor): base64url of a small JSON array of the sort value and id.
func (c *Cursor) Encode() string {
	if c == nil {
		return ""
	}
	b, _ := json.Marshal([]any{c.Value, c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a token Encode made. Anything else is a
// ValidationError on "cursor"; a store checks the id and value further.
func ParseCursor(s string) (*Cursor, error) {
	bad := invalid("cursor", "the cursor is not one this server gave; start again without it")
	if len(s) > 1024 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var parts []any
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != 2 {
		return nil, bad
	}
	id, ok := parts[1].(string)
	if !ok {
		return nil, bad
	}
	return &Cursor{Value: parts[0], ID: id}, nil
}
