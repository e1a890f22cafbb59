package scim_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// serverChosen are the keys whose values a server picks, so a recorded or
// documented response can't predict scimd's: ids, meta (created,
// lastModified, location, version), a member's $ref, and itemsPerPage,
// which RFC 7644 §3.4.2 makes the number of resources on the page while
// the recorded servers echo their page size (20 for one user).
var serverChosen = map[string]bool{"id": true, "meta": true, "$ref": true, "location": true, "itemsPerPage": true}

// looseMatch compares a response scimd gave (got) with one an identity
// provider's documentation or recording shows (want), and returns what
// differs. Every key of want must be in got with an equal value, except
// the server-chosen keys above and the paths in ignore ("name.formatted").
// Keys match in any case, as SCIM names do. Arrays match as sets of equal
// length. A null, "" or [] in want matches a missing, null or empty value:
// scimd leaves unassigned attributes out (RFC 7643 §2.5) where a document
// shows "middleName": "". In
// "schemas", an extension URN is not required when want has none of its
// attributes (the recording server listed it anyway).
func looseMatch(want, got any, ignore ...string) []string {
	m := &matcher{ignore: map[string]bool{}}
	for _, p := range ignore {
		m.ignore[strings.ToLower(p)] = true
	}
	m.match("", want, got)
	return m.diffs
}

// wantLoose fails t with every difference looseMatch finds.
func wantLoose(t *testing.T, want, got any, ignore ...string) {
	t.Helper()
	for _, d := range looseMatch(want, got, ignore...) {
		t.Error(d)
	}
}

type matcher struct {
	ignore map[string]bool
	diffs  []string
}

func (m *matcher) fail(path, format string, args ...any) {
	m.diffs = append(m.diffs, cmpOr(path, "(body)")+": "+fmt.Sprintf(format, args...))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (m *matcher) match(path string, want, got any) {
	if m.ignore[strings.ToLower(path)] {
		return
	}
	if want == nil || want == "" {
		if !isEmptyJSON(got) && got != "" {
			m.fail(path, "want null or nothing, got %v", got)
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			m.fail(path, "want an object, got %v", got)
			return
		}
		for k, wv := range w {
			if serverChosen[k] {
				continue
			}
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			gv, found := lookupFold(g, k)
			if k == "schemas" {
				m.schemas(sub, w, wv, gv)
				continue
			}
			if !found && !isEmptyJSON(wv) && wv != "" && !m.ignore[strings.ToLower(sub)] {
				m.fail(sub, "missing; want %v", wv)
				continue
			}
			m.match(sub, wv, gv)
		}
	case []any:
		g, _ := got.([]any)
		if len(g) != len(w) {
			m.fail(path, "want %d values %v, got %d: %v", len(w), w, len(g), got)
			return
		}
		used := make([]bool, len(g))
	next:
		for _, wv := range w {
			for i, gv := range g {
				if !used[i] && len(looseMatch(wv, gv)) == 0 {
					used[i] = true
					continue next
				}
			}
			m.fail(path, "no value matches %v in %v", wv, got)
		}
	case string, bool:
		if got != want {
			m.fail(path, "want %#v, got %#v", want, got)
		}
	case float64:
		if g, ok := got.(float64); !ok || g != w {
			m.fail(path, "want %v, got %#v", want, got)
		}
	default:
		m.fail(path, "unexpected %T in the expected body", want)
	}
}

// schemas checks the schemas attribute: every URN want lists must be in
// got, except an extension whose attributes want does not show.
func (m *matcher) schemas(path string, wantDoc map[string]any, want, got any) {
	w, _ := want.([]any)
	g, _ := got.([]any)
	for _, u := range w {
		urn, _ := u.(string)
		if slices.ContainsFunc(g, func(x any) bool { s, _ := x.(string); return strings.EqualFold(s, urn) }) {
			continue
		}
		if _, shown := lookupFold(wantDoc, urn); !shown && strings.Contains(urn, ":extension:") {
			continue
		}
		m.fail(path, "want %s among %v", urn, got)
	}
}

func lookupFold(m map[string]any, k string) (any, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v, true
		}
	}
	return nil, false
}

func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// TestLooseMatch keeps the matcher honest: it must catch what differs.
func TestLooseMatch(t *testing.T) {
	got := map[string]any{"schemas": []any{"urn:core", "urn:x:extension:scimd"}, "id": "1", "userName": "a",
		"name": map[string]any{"givenName": "G", "formatted": "G F"}, "active": false,
		"emails":       []any{map[string]any{"value": "a@x", "type": "work", "primary": true}, map[string]any{"value": "b@x"}},
		"totalResults": float64(1), "Resources": []any{}}
	for _, tt := range []struct {
		name   string
		want   map[string]any
		ignore []string
		wantOK bool
	}{
		{name: "subset", want: map[string]any{"userName": "a", "name": map[string]any{"givenName": "G"}}, wantOK: true},
		{name: "ids and meta differ", want: map[string]any{"id": "other", "meta": map[string]any{"location": "x"}}, wantOK: true},
		{name: "case of keys", want: map[string]any{"USERNAME": "a"}, wantOK: true},
		{name: "value differs", want: map[string]any{"userName": "b"}},
		{name: "bool differs", want: map[string]any{"active": true}},
		{name: "missing", want: map[string]any{"title": "CEO"}},
		{name: "null matches absent and empty", want: map[string]any{"roles": nil, "Resources": nil}, wantOK: true},
		{name: "null fails on a value", want: map[string]any{"userName": nil}},
		{name: "empty string matches absent", want: map[string]any{"name": map[string]any{"middleName": ""}}, wantOK: true},
		{name: "empty string fails on a value", want: map[string]any{"name": map[string]any{"givenName": ""}}},
		{name: "set order", want: map[string]any{"emails": []any{map[string]any{"value": "b@x"}, map[string]any{"value": "a@x", "primary": true}}}, wantOK: true},
		{name: "set size", want: map[string]any{"emails": []any{map[string]any{"value": "a@x"}}}},
		{name: "number", want: map[string]any{"totalResults": float64(2)}},
		{name: "ignored path", want: map[string]any{"name": map[string]any{"formatted": "X"}}, ignore: []string{"name.formatted"}, wantOK: true},
		{name: "unshown extension", want: map[string]any{"schemas": []any{"urn:core", "urn:x:extension:enterprise"}}, wantOK: true},
		{name: "missing core schema", want: map[string]any{"schemas": []any{"urn:group"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := looseMatch(tt.want, got, tt.ignore...)
			if (len(d) == 0) != tt.wantOK {
				t.Errorf("diffs %v, want ok=%v", d, tt.wantOK)
			}
		})
	}
}
