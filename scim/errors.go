package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/patch"
)

// Error is a SCIM error response (RFC 7644 §3.12). Detail is shown by Okta
// to the admin word for word, so it is written for that reader.
type Error struct {
	Status   int
	ScimType string
	Detail   string
	// RetryAfter, when not 0, is sent as Retry-After (seconds): with 429
	// and 503.
	RetryAfter int
}

func (e *Error) Error() string { return e.Detail }

// MarshalJSON writes the RFC's body: status as a string.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType,omitempty"`
		Detail   string   `json:"detail,omitempty"`
	}{[]string{ErrorSchema}, strconv.Itoa(e.Status), e.ScimType, e.Detail})
}

// SCIM error types (RFC 7644 §3.12, table 9).
const (
	TypeInvalidFilter = "invalidFilter"
	TypeTooMany       = "tooMany"
	TypeUniqueness    = "uniqueness"
	TypeMutability    = "mutability"
	TypeInvalidSyntax = "invalidSyntax"
	TypeInvalidPath   = "invalidPath"
	TypeNoTarget      = "noTarget"
	TypeInvalidValue  = "invalidValue"
	TypeInvalidVers   = "invalidVers"
	// RFC 9865 §5: a cursor this server did not give, or one that expired.
	TypeInvalidCursor = "invalidCursor"
)

func errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// errorFor decides what a client sees for err: the one place directory
// errors become SCIM responses.
func errorFor(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if e, ok := errors.AsType[*patch.Error](err); ok {
		return &Error{Status: http.StatusBadRequest, ScimType: e.ScimType, Detail: e.Detail}
	}
	if e, ok := errors.AsType[*filter.Error](err); ok {
		return &Error{Status: http.StatusBadRequest, ScimType: TypeInvalidFilter, Detail: e.Error()}
	}
	if e, ok := errors.AsType[*directory.ConflictError](err); ok {
		return &Error{Status: http.StatusConflict, ScimType: TypeUniqueness, Detail: e.Detail()}
	}
	if e, ok := errors.AsType[*directory.ValidationError](err); ok {
		if e.Field == "cursor" {
			return &Error{Status: http.StatusBadRequest, ScimType: TypeInvalidCursor, Detail: e.Detail}
		}
		return &Error{Status: http.StatusBadRequest, ScimType: TypeInvalidValue, Detail: e.Detail}
	}
	if e, ok := errors.AsType[*directory.InvariantError](err); ok {
		// A rule of the directory refused the change: the request was well
		// formed, so 409 with no scimType but a detail naming the rule.
		return &Error{Status: http.StatusConflict, Detail: e.Detail + " (rule: " + e.Rule + ")"}
	}
	if e, ok := errors.AsType[*directory.ReadOnlyError](err); ok {
		return &Error{Status: http.StatusBadRequest, ScimType: TypeMutability, Detail: e.Error()}
	}
	switch {
	case errors.Is(err, directory.ErrUnavailable):
		return unavailableError()
	case errors.Is(err, directory.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: "Resource not found."}
	case errors.Is(err, directory.ErrPrecondition):
		return &Error{Status: http.StatusPreconditionFailed, Detail: "The resource has changed since that version; read it again and retry."}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "Internal error; the request was not applied. Retry later."}
}

// writeError answers with err's SCIM error. Anything at 500 or above but
// 501 is logged, and its text never sent.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := errorFor(err)
	if e.Status >= 500 && e.Status != http.StatusNotImplemented { // 501 is an answer, not a failure
		h.log.ErrorContext(r.Context(), "scim request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scimd"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	setOutcome(r, e)
	writeJSON(w, e.Status, e)
}

// writeJSON writes v as application/scim+json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"schemas":["` + ErrorSchema + `"],"status":"500","detail":"Internal error."}`)
	}
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(status)
	w.Write(b)
}
