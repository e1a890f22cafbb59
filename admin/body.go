package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxBody bounds every request body: 1 MiB, far above any one record.
const maxBody = 1 << 20

// readObject reads a request body of at most maxBody bytes as one JSON
// object, numbers as float64. An empty body is an empty object, so that
// POST .../disable needs none.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		if mt = strings.ToLower(strings.TrimSpace(mt)); mt != "application/json" {
			return nil, errorf(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "Send the body as application/json, not %s.", mt)
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, err
		}
		return nil, errorf(http.StatusBadRequest, CodeInvalid, "The request body could not be read.")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	if !utf8.Valid(b) {
		return nil, errorf(http.StatusBadRequest, CodeInvalid, "The request body is not valid UTF-8.")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return nil, errorf(http.StatusBadRequest, CodeInvalid, "The request body is not valid JSON (at byte %d: %s).", se.Offset, se.Error())
		}
		return nil, errorf(http.StatusBadRequest, CodeInvalid, "The request body must be a JSON object.")
	}
	if doc == nil {
		return nil, errorf(http.StatusBadRequest, CodeInvalid, "The request body must be a JSON object.")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, CodeInvalid, "The request body holds more than one JSON value.")
	}
	return doc, nil
}

// fields reads doc against the members it may have, refusing any other so
// that a typo ("extention") is an error rather than a silent no-op.
func fields(doc map[string]any, allowed ...string) error {
	for _, k := range sortedKeys(doc) {
		if !slices.Contains(allowed, k) {
			return invalidf(k, "%s is not a member this request takes; it takes %s.", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// str reads the member name of doc as text: "" when absent or null.
func str(doc map[string]any, name string) (string, error) {
	switch v := doc[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", invalidf(name, "%s must be text.", name)
}

// strList reads the member name of doc as a list of text; nil when
// absent or null.
func strList(doc map[string]any, name string) ([]string, error) {
	v, ok := doc[name]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, invalidf(name, "%s must be a list of text.", name)
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, invalidf(name, "%s must be a list of text.", name)
		}
		out = append(out, s)
	}
	return out, nil
}

// etag is a record's weak entity tag: its version.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch reads If-Match as the version a write expects: 0 for none or
// "*". A tag that isn't one of ours can't match: -1, which no record has,
// so the write answers 412.
func ifMatch(r *http.Request) int64 {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0
	}
	for _, tag := range strings.Split(h, ",") {
		tag = strings.Trim(strings.TrimPrefix(strings.TrimSpace(tag), "W/"), `"`)
		if n, err := strconv.ParseInt(tag, 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return -1
}
