package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
)

// Error codes: the "error" member of every error body. Clients branch on
// them; the message is for people.
const (
	CodeInvalid            = "invalid"             // 400: a malformed value, body, filter or parameter
	CodeUnauthenticated    = "unauthenticated"     // 401: no credentials, or unknown ones
	CodeForbidden          = "forbidden"           // 403: good credentials, not for this API
	CodeNotFound           = "not_found"           // 404
	CodeMethodNotAllowed   = "method_not_allowed"  // 405
	CodeReadOnly           = "read_only"           // 409: the field is the identity provider's
	CodeConflict           = "conflict"            // 409: a value another record has
	CodeInvariant          = "invariant"           // 409: a directory rule refused the change
	CodePreconditionFailed = "precondition_failed" // 412: If-Match names an older version
	CodeTooLarge           = "too_large"           // 413
	CodeUnsupportedMedia   = "unsupported_media"   // 415
	CodeInternal           = "internal"            // 500
)

// Error is an error answer: its status and the JSON body clients read.
// Every error a handler returns becomes one in errorFor, the one place
// directory errors are translated for this API.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalidf is a 400 naming the field (or parameter) at fault.
func invalidf(field, format string, args ...any) *Error {
	e := errorf(http.StatusBadRequest, CodeInvalid, format, args...)
	e.Field = field
	return e
}

// internalMessage is all a client learns of a failure on our side: the
// error itself goes to the log, never into an answer.
const internalMessage = "Something went wrong on our side and the request may not have been applied; read the record again before retrying. If this persists, ask your scimd operator to check the server log."

// errorFor decides what a client sees for err. Directory messages are
// already written for the admin who reads them, so they pass through as
// they are; anything unknown is a 500 with a generic message.
func errorFor(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if e, ok := errors.AsType[*directory.ReadOnlyError](err); ok {
		return &Error{Status: http.StatusConflict, Code: CodeReadOnly, Field: e.Field, Owner: e.Owner, Message: e.Error()}
	}
	if e, ok := errors.AsType[*directory.ConflictError](err); ok {
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Field: e.Field, Value: e.Value, Message: e.Detail()}
	}
	if e, ok := errors.AsType[*directory.InvariantError](err); ok {
		return &Error{Status: http.StatusConflict, Code: CodeInvariant, Rule: e.Rule, Field: e.Field, Message: e.Detail}
	}
	if e, ok := errors.AsType[*directory.ValidationError](err); ok {
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Field: e.Field, Message: e.Detail}
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return errorf(http.StatusRequestEntityTooLarge, CodeTooLarge, "The request body is larger than %d bytes (1 MiB).", maxBody)
	}
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return errorf(http.StatusNotFound, CodeNotFound, "Not found: it does not exist, was deleted, or belongs to another tenant.")
	case errors.Is(err, directory.ErrPrecondition):
		return errorf(http.StatusPreconditionFailed, CodePreconditionFailed, "It changed since the version If-Match names; read it again, reapply your change and retry.")
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: internalMessage}
}

// writeError answers with err's error body. A 500 is logged with the
// error, which the client never sees.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := errorFor(err)
	if e.Status >= 500 {
		h.log.ErrorContext(r.Context(), "admin API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scimd"`)
	}
	writeJSON(w, e.Status, e)
}

// MediaType is the content type of every answer.
const MediaType = "application/json"

// writeJSON writes v as the answer's JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(&Error{Code: CodeInternal, Message: internalMessage})
	}
	w.Header().Set("Content-Type", MediaType)
	w.Header().Set("Cache-Control", "no-store") // tenant data: no cache keeps it
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// PanicBody is what a crash under Prefix answers, so that a client of this
// API gets a JSON error like every other (httpx.Recover logs the panic).
func PanicBody() httpx.PanicBody {
	b, _ := json.Marshal(&Error{Code: CodeInternal, Message: internalMessage})
	return httpx.PanicBody{Prefix: Prefix + "/", ContentType: MediaType, Body: string(b) + "\n"}
}
