package scim_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// docStep is one exchange as an identity provider documents it: the
// request as the document shows it, the status, and the response body the
// document shows, compared loosely (looseMatch). Ids in paths and bodies
// are the document's; the runner maps them to the real ones.
type docStep struct {
	name   string
	method string
	path   string // as documented, query unencoded: /Users?filter=userName eq "x"
	body   string
	status int
	want   string   // the documented response, or the part that matters
	ignore []string // paths of want the document's server computed
	id     string   // for a create: the id the document gives the new resource
	check  func(t *testing.T, r *response)
}

// docRun runs documented exchanges against one server, mapping the
// document's ids to the real ones.
type docRun struct {
	s   *server
	ids map[string]string // documented id → real id
}

func newDocRun(s *server) *docRun { return &docRun{s: s, ids: map[string]string{}} }

// mapIDs replaces the document's ids with the real ones, longest first,
// so that an id inside another is not replaced in it.
func (d *docRun) mapIDs(s string) string {
	docs := slices.Collect(maps.Keys(d.ids))
	slices.SortFunc(docs, func(a, b string) int { return len(b) - len(a) })
	for _, doc := range docs {
		s = strings.ReplaceAll(s, doc, d.ids[doc])
	}
	return s
}

// seed creates what a documented exchange expects to exist.
func (d *docRun) seed(t *testing.T, seeds ...idpSeed) {
	t.Helper()
	for _, sd := range seeds {
		id := d.s.do("POST", "/scim/v2/"+sd.kind, d.mapIDs(sd.body)).want(t, http.StatusCreated).str("id")
		if sd.id != "" {
			d.ids[sd.id] = id
		}
	}
}

// steps runs the steps in order, each as a subtest.
func (d *docRun) steps(t *testing.T, steps ...docStep) {
	t.Helper()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) { d.step(t, st) })
	}
}

func (d *docRun) step(t *testing.T, st docStep) *response {
	t.Helper()
	var body any
	if st.body != "" {
		body = d.mapIDs(st.body)
	}
	r := d.s.do(st.method, "/scim/v2"+encodeQuery(d.mapIDs(st.path)), body)
	if r.status != st.status {
		t.Fatalf("%s %s: status %d, want %d: %s", st.method, st.path, r.status, st.status, r.raw)
	}
	if st.id != "" {
		d.ids[st.id] = r.str("id")
	}
	if st.want != "" {
		var want any
		if err := json.Unmarshal([]byte(d.mapIDs(st.want)), &want); err != nil {
			t.Fatalf("the expected body is not JSON: %v", err)
		}
		wantLoose(t, want, any(r.body), st.ignore...)
	}
	if r.status >= 400 {
		r.wantError(t, st.status, r.str("scimType"))
	}
	if st.check != nil {
		st.check(t, r)
	}
	return r
}

// encodeQuery percent-encodes a query written as documented
// (filter=userName eq "x"); one already encoded stays the same.
func encodeQuery(path string) string {
	base, query, ok := strings.Cut(path, "?")
	if !ok {
		return path
	}
	var parts []string
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.PathUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.PathUnescape(v); err == nil {
			v = uv
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return base + "?" + strings.Join(parts, "&")
}

// groupMembers returns the member ids of a group.
func (s *server) groupMembers(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	for _, m := range s.do("GET", "/scim/v2/Groups/"+id, nil).want(t, http.StatusOK).list2("members") {
		out = append(out, m["value"].(string))
	}
	return out
}
