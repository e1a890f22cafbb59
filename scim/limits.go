package scim

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimd/scimd/directory"
)

// unavailableRetry is the Retry-After of a 503: long enough for a
// database failover, short enough that an IdP's retry lands soon after.
const unavailableRetry = 10

// unavailableError answers a request the database could not serve. It is
// 503, not 500: the request may be retried as is, and Okta and Entra
// retry a 503 with back-off rather than counting it as a failed record.
func unavailableError() *Error {
	return &Error{Status: http.StatusServiceUnavailable, RetryAfter: unavailableRetry,
		Detail: "The directory's database is unavailable; the request may not have been applied. Retry later."}
}

// limit applies the per-token rate limit: 429 with Retry-After once the
// token has made its share of requests in the current window.
func (h *handler) limit(r *http.Request, tok *directory.Token) error {
	if h.rate == nil {
		return nil
	}
	ok, retry, err := h.rate.Allow(r.Context(), tok.ID)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	return &Error{Status: http.StatusTooManyRequests, RetryAfter: max(1, int(math.Ceil(retry.Seconds()))),
		Detail: "This token has sent more than " + strconv.Itoa(h.rate.Limit()) + " requests in the current window; slow down and retry after the time in Retry-After."}
}

// identityEncoding refuses a compressed body. net/http never inflates a
// request body, and neither does scimd: a body is read as sent, so a
// small gzip bomb can't grow past the body limit.
func identityEncoding(r *http.Request) *Error {
	ce := strings.TrimSpace(r.Header.Get("Content-Encoding"))
	if ce == "" || strings.EqualFold(ce, "identity") {
		return nil
	}
	return errorf(http.StatusUnsupportedMediaType, "", "Send the body uncompressed: Content-Encoding %s is not accepted.", ce)
}
