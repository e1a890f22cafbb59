package scim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Okta's own SCIM 2.0 spec test, a Runscope export (testdata/okta), run
// for real: every request step is sent to a real scimd, variables are
// extracted as Runscope would, and every assertion of the export is
// evaluated. The 2016 export adds the discovery endpoints.
//
// Runscope's assertions on response_time ("is_less_than 600") are logged
// with the time measured, never enforced: the machine running the tests is
// shared and noisy, and this suite has no timed assertions.

// runscopeTest is the part of a Runscope export the runner reads.
type runscopeTest struct {
	Name  string         `json:"name"`
	Steps []runscopeStep `json:"steps"`
}

type runscopeStep struct {
	StepType   string                     `json:"step_type"`
	Skipped    bool                       `json:"skipped"`
	Note       string                     `json:"note"`
	Method     string                     `json:"method"`
	URL        string                     `json:"url"`
	Headers    map[string]json.RawMessage `json:"headers"` // ["v"] or, in 2016, "v"
	Body       string                     `json:"body"`
	Assertions []runscopeAssertion        `json:"assertions"`
	Variables  []runscopeVariable         `json:"variables"`
	Scripts    []string                   `json:"scripts"`
}

type runscopeAssertion struct {
	Source     string          `json:"source"`
	Property   string          `json:"property"`
	Comparison string          `json:"comparison"`
	Value      json.RawMessage `json:"value"` // a string, a number or null
}

type runscopeVariable struct {
	Source   string `json:"source"`
	Name     string `json:"name"`
	Property string `json:"property"`
}

func TestOktaSpec(t *testing.T) {
	for _, tt := range []struct {
		name string
		file string
	}{
		{name: "2024", file: "testdata/okta/Okta-SCIM-20-SPEC-Test.json"},
		{name: "2016", file: "testdata/okta/Okta-SCIM-20-SPEC-Test-2016-runscope-export.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var spec runscopeTest
			if err := json.Unmarshal(raw, &spec); err != nil {
				t.Fatal(err)
			}
			backends(t, func(t *testing.T, s *server) {
				// The first step reads Users?count=1&startIndex=1 and needs a
				// user with a name, active and an email. The 2016 export's
				// Groups step has a script that asserts a group exists.
				s.do("POST", "/scim/v2/Users", map[string]any{
					"userName": "seed.user@acme.example", "name": map[string]any{"givenName": "Seed", "familyName": "User"},
					"emails": []any{map[string]any{"value": "seed.user@acme.example", "type": "work", "primary": true}}, "active": true,
				}).want(t, 201)
				s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "Okta spec group"}).want(t, 201)
				r := &runscopeRun{t: t, s: s, vars: oktaInitialVariables(t)}
				r.vars["SCIMBaseURL"] = s.url + "/scim/v2"
				r.vars["auth"] = "Bearer " + s.token
				want := 0
				for _, st := range spec.Steps {
					if st.StepType == "request" && !st.Skipped {
						want += len(st.Assertions)
					}
				}
				for i, st := range spec.Steps {
					r.step(i, st)
				}
				if r.ran != want {
					t.Errorf("ran %d assertions, the export has %d", r.ran, want)
				}
				t.Logf("%s: %d assertions evaluated (%d on response time, logged only)", spec.Name, r.ran, r.timed)
			})
		})
	}
}

// oktaInitialVariables computes what Initial_Script_Spec.txt sets: the
// random names the JavaScript generates, generated the same way here, and
// the constants it sets, read from the script itself.
func oktaInitialVariables(t *testing.T) map[string]string {
	t.Helper()
	script, err := os.ReadFile("testdata/okta/Initial_Script_Spec.txt")
	if err != nil {
		t.Fatal(err)
	}
	pick := func(alphabet string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rand.IntN(len(alphabet))])
		}
		return b.String()
	}
	const lower, upper, digits = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
	first := "Runscope" + pick(digits, 3)                     // generate_firstname
	last := pick(upper, 1) + pick(lower, 8) + pick(digits, 3) // generate_lastname
	email := first + last + "@atko.com"                       // var email
	computed := map[string]string{"firstname": first, "lastname": last, "email": email}
	vars := map[string]string{}
	set := regexp.MustCompile(`variables\.set\("(\w+)",\s*(.+?)\);`)
	for _, m := range set.FindAllStringSubmatch(string(script), -1) {
		name, expr := m[1], strings.TrimSpace(m[2])
		switch {
		case strings.HasPrefix(expr, `"`):
			vars[name] = strings.Trim(expr, `"`)
		case computed[expr] != "":
			vars[name] = computed[expr]
		case expr == "email.toUpperCase()":
			vars[name] = strings.ToUpper(email)
		default:
			t.Fatalf("Initial_Script_Spec.txt sets %s to %s, which the runner does not compute", name, expr)
		}
	}
	if len(vars) != 7 {
		t.Fatalf("the initial script set %d variables, want 7: %v", len(vars), vars)
	}
	return vars
}

// runscopeRun is one run of an export against one server.
type runscopeRun struct {
	t     *testing.T
	s     *server
	vars  map[string]string
	ran   int // assertions evaluated
	timed int // of which on response_time
}

var runscopeVar = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// subst replaces {{name}} with the variable's value.
func (r *runscopeRun) subst(s string) string {
	return runscopeVar.ReplaceAllStringFunc(s, func(m string) string {
		name := runscopeVar.FindStringSubmatch(m)[1]
		v, ok := r.vars[name]
		if !ok {
			r.t.Errorf("variable %s is used before it is set", name)
		}
		return v
	})
}

// requestURL substitutes variables and percent-encodes the query, as
// Runscope does before sending: the export holds userName eq "x" raw.
func (r *runscopeRun) requestURL(raw string) string { return encodeQuery(r.subst(raw)) }

// runscopeResponse is what assertions and variables are read from.
type runscopeResponse struct {
	status int
	header http.Header
	raw    []byte
	json   any // nil if the body is not JSON
	took   time.Duration
}

func (r *runscopeRun) step(i int, st runscopeStep) {
	t := r.t
	if st.StepType != "request" {
		return // pause steps: nothing to wait for here
	}
	if st.Skipped {
		t.Logf("step %d (%s) is marked skipped in the export", i, st.Note)
		return
	}
	label := fmt.Sprintf("step %d %s %s (%s)", i, st.Method, st.URL, st.Note)
	var body io.Reader
	if st.Body != "" {
		body = strings.NewReader(r.subst(st.Body))
	}
	req, err := http.NewRequest(st.Method, r.requestURL(st.URL), body)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	for name, rv := range st.Headers {
		var vals []string
		if err := json.Unmarshal(rv, &vals); err != nil {
			var one string
			if err := json.Unmarshal(rv, &one); err != nil {
				t.Fatalf("%s: header %s is %s", label, name, rv)
			}
			vals = []string{one}
		}
		for _, v := range vals {
			req.Header.Add(name, r.subst(v))
		}
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	res := &runscopeResponse{status: resp.StatusCode, header: resp.Header, raw: raw, took: time.Since(start)}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&res.json) != nil {
		res.json = nil
	}
	// Runscope extracts variables, runs scripts, then asserts.
	for _, v := range st.Variables {
		if v.Source != "response_json" {
			t.Errorf("%s: variable %s from %s: unsupported source", label, v.Name, v.Source)
			continue
		}
		val, ok := runscopeProperty(res.json, v.Property)
		if !ok {
			t.Errorf("%s: variable %s: %s is not in the response: %s", label, v.Name, v.Property, raw)
		}
		r.vars[v.Name] = runscopeString(val)
	}
	for _, sc := range st.Scripts {
		if strings.TrimSpace(sc) != "" {
			if err := runscopeScript(sc, res); err != nil {
				t.Errorf("%s: script: %v: %s", label, err, raw)
			}
		}
	}
	for _, a := range st.Assertions {
		r.ran++
		if err := r.assert(a, res); err != nil {
			t.Errorf("%s: assertion %s %s %s %s: %v\nresponse %d: %s", label, a.Source, a.Property, a.Comparison, a.Value, err, res.status, raw)
		}
	}
}

// assert evaluates one assertion. Sources: response_status,
// response_json, response_headers, response_time (logged, not enforced).
func (r *runscopeRun) assert(a runscopeAssertion, res *runscopeResponse) error {
	var target string
	if len(a.Value) > 0 && string(a.Value) != "null" {
		if err := json.Unmarshal(a.Value, &target); err != nil {
			target = string(a.Value) // a bare number
		}
	}
	target = r.subst(target)
	var actual any
	present := true
	switch a.Source {
	case "response_status":
		actual = json.Number(strconv.Itoa(res.status))
	case "response_time":
		r.timed++
		r.t.Logf("response_time %v (the export asks %s %s ms; timing is not enforced)", res.took.Round(time.Millisecond), a.Comparison, target)
		return nil
	case "response_headers":
		vals := res.header.Values(a.Property)
		present = len(vals) > 0
		actual = strings.Join(vals, ", ")
	case "response_json":
		if res.json == nil {
			return fmt.Errorf("the body is not JSON")
		}
		actual, present = runscopeProperty(res.json, a.Property)
	default:
		return fmt.Errorf("unsupported source %q", a.Source)
	}
	return runscopeCompare(a.Comparison, actual, present, target)
}
