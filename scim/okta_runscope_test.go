package scim_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// Runscope's comparisons, property paths and the exports' scripts, for
// the Okta spec runner (okta_spec_test.go).

// runscopeCompare applies one of Runscope's comparisons.
func runscopeCompare(cmp string, actual any, present bool, target string) error {
	s := runscopeString(actual)
	switch cmp {
	case "equal":
		if !present || s != target {
			return fmt.Errorf("got %q", s)
		}
	case "equal_number", "is_less_than", "is_greater_than":
		got, err1 := strconv.ParseFloat(s, 64)
		want, err2 := strconv.ParseFloat(target, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("got %q, not numbers", s)
		}
		if (cmp == "equal_number" && got != want) || (cmp == "is_less_than" && got >= want) || (cmp == "is_greater_than" && got <= want) {
			return fmt.Errorf("got %v", got)
		}
	case "not_empty", "empty":
		if empty := !present || runscopeEmpty(actual); empty != (cmp == "empty") {
			return fmt.Errorf("got %q", s)
		}
	case "is_a_number":
		if _, ok := actual.(json.Number); !ok {
			return fmt.Errorf("got %q, not a JSON number", s)
		}
	case "contains":
		if arr, ok := actual.([]any); ok {
			for _, e := range arr {
				if strings.Contains(runscopeString(e), target) {
					return nil
				}
			}
			return fmt.Errorf("no element of %s contains it", s)
		}
		if !present || !strings.Contains(s, target) {
			return fmt.Errorf("got %q", s)
		}
	case "has_value":
		var vals []any
		switch x := actual.(type) {
		case []any:
			vals = x
		case map[string]any:
			for _, v := range x {
				vals = append(vals, v)
			}
		}
		for _, v := range vals {
			// With no target value the export asks that there be a value.
			if (target == "" && !runscopeEmpty(v)) || (target != "" && runscopeString(v) == target) {
				return nil
			}
		}
		return fmt.Errorf("%s has no such value", s)
	default:
		return fmt.Errorf("unsupported comparison %q", cmp)
	}
	return nil
}

// runscopeProperty reads a property in JavaScript notation
// (Resources[0].name.familyName). One extension: a name applied to an
// array reads it from each element, as the 2016 export's
// Resources[0].emails.value needs (emails is an array, as RFC 7643
// requires, so in plain JavaScript that assertion would fail everywhere).
func runscopeProperty(v any, path string) (any, bool) {
	for path != "" {
		var key string
		switch {
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			key, path = path[1:end], path[end+1:]
			if n, err := strconv.Atoi(key); err == nil {
				arr, ok := v.([]any)
				if !ok || n < 0 || n >= len(arr) {
					return nil, false
				}
				v = arr[n]
				continue
			}
			key = strings.Trim(key, `"'`)
		case path[0] == '.':
			path = path[1:]
			continue
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			key, path = path[:end], path[end:]
		}
		switch x := v.(type) {
		case map[string]any:
			val, ok := x[key]
			if !ok {
				return nil, false
			}
			v = val
		case []any:
			var out []any
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					if val, ok := m[key]; ok {
						out = append(out, val)
					}
				}
			}
			v = out
		default:
			return nil, false
		}
	}
	return v, true
}

// runscopeString is a value as Runscope compares it: strings as they are,
// numbers and booleans as their JSON text.
func runscopeString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func runscopeEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// runscopeScript runs a post-response script of the exports, translated
// to Go by hand (both are on the Groups step). A script the runner does
// not know fails the test rather than being skipped.
func runscopeScript(script string, res *runscopeResponse) error {
	data, ok := res.json.(map[string]any)
	if !ok {
		return fmt.Errorf("JSON.parse(response.body) fails")
	}
	total, _ := data["totalResults"].(json.Number)
	max, err := total.Int64()
	if err != nil {
		return fmt.Errorf("totalResults %v is not a number", data["totalResults"])
	}
	_, isArray := data["Resources"].([]any)
	switch {
	case strings.Contains(script, `if (max === 0)`):
		// 2024: no groups passes ("nogroups" is truthy); otherwise Resources
		// must be an array.
		if max >= 1 && !isArray {
			return fmt.Errorf("Resources is not an array")
		}
	case strings.Contains(script, `assert.ok(exists, "Resources is of type Array")`):
		// 2016: exists only if there is a group and Resources is an array.
		if max < 1 || !isArray {
			return fmt.Errorf("Resources is of type Array: totalResults %d", max)
		}
	default:
		return fmt.Errorf("no Go translation of this script:\n%s", script)
	}
	return nil
}

// TestRunscopeCompare keeps the runner honest: each comparison must also
// fail when it should.
func TestRunscopeCompare(t *testing.T) {
	doc := map[string]any{"totalResults": json.Number("0"), "active": true, "schemas": []any{"urn:a", "urn:b"},
		"emails": []any{map[string]any{"value": "x@y"}}, "name": map[string]any{"givenName": ""}}
	for _, tt := range []struct {
		name     string
		property string
		cmp      string
		target   string
		wantOK   bool
	}{
		{name: "equal number text", property: "totalResults", cmp: "equal", target: "0", wantOK: true},
		{name: "equal differs", property: "totalResults", cmp: "equal", target: "1"},
		{name: "equal bool", property: "active", cmp: "equal", target: "true", wantOK: true},
		{name: "equal missing", property: "nope", cmp: "equal", target: ""},
		{name: "equal_number", property: "totalResults", cmp: "equal_number", target: "0.0", wantOK: true},
		{name: "not_empty empty string", property: "name.givenName", cmp: "not_empty"},
		{name: "not_empty missing", property: "name.familyName", cmp: "not_empty"},
		{name: "not_empty bool", property: "active", cmp: "not_empty", wantOK: true},
		{name: "empty", property: "name.givenName", cmp: "empty", wantOK: true},
		{name: "has_value", property: "schemas", cmp: "has_value", target: "urn:b", wantOK: true},
		{name: "has_value absent", property: "schemas", cmp: "has_value", target: "urn:c"},
		{name: "has_value of each element", property: "emails.value", cmp: "has_value", wantOK: true},
		{name: "has_value of nothing", property: "emails.display", cmp: "has_value"},
		{name: "contains", property: "schemas", cmp: "contains", target: "urn:a", wantOK: true},
		{name: "contains not", property: "schemas", cmp: "contains", target: "urn:z"},
		{name: "is_a_number", property: "totalResults", cmp: "is_a_number", wantOK: true},
		{name: "is_a_number string", property: "emails[0].value", cmp: "is_a_number"},
		{name: "index out of range", property: "emails[1].value", cmp: "not_empty"},
		{name: "unknown comparison", property: "active", cmp: "matches_regex", target: "t"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := runscopeProperty(doc, tt.property)
			err := runscopeCompare(tt.cmp, v, ok, tt.target)
			if (err == nil) != tt.wantOK {
				t.Errorf("%s %s %q: err %v, want ok=%v", tt.property, tt.cmp, tt.target, err, tt.wantOK)
			}
		})
	}
}
