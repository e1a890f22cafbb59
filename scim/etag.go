package scim

import (
	"net/http"
	"strings"
)

// ifMatch reads If-Match (RFC 7232) as the version a write expects: 0 for
// none or "*". A tag that isn't one of ours can't match: -1, which no
// resource has, so the write answers 412.
func ifMatch(r *http.Request) int64 {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0
	}
	for _, tag := range strings.Split(h, ",") {
		if n, ok := parseETag(tag); ok {
			return n
		}
	}
	return -1
}

// notModified reports whether If-None-Match names the current version, so
// a GET can answer 304.
func notModified(r *http.Request, version int64) bool {
	h := strings.TrimSpace(r.Header.Get("If-None-Match"))
	if h == "" {
		return false
	}
	if h == "*" {
		return true
	}
	for _, tag := range strings.Split(h, ",") {
		if n, ok := parseETag(tag); ok && n == version {
			return true
		}
	}
	return false
}
