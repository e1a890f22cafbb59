package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/scim"
)

// The fuzz targets send what the fuzzer makes to one SQLite-backed scimd
// per target, in process (no sockets), and check what any SCIM client may
// rely on whatever it sends:
//
//   - never a 5xx, never a panic;
//   - every 4xx is a SCIM error: application/scim+json, the Error schema,
//     status as the code in a string, a non-empty detail;
//   - a request answered 4xx changed nothing.
//
// The seeds (run by the ordinary go test) are the Okta and Entra payloads
// of testdata and the documented examples. Fuzz with
//
//	go test -run '^$' -fuzz FuzzPatchUser -fuzztime 60s -fuzzminimizetime 10x ./scim
//
// Under the fuzzer's coverage instrumentation every request through the
// SQLite driver is much slower, and minimizing each large new input for
// the default 60s used up whole runs; hence -fuzzminimizetime.

// fuzzServer is a scimd SCIM handler over a SQLite store in a temporary
// directory, made once per fuzz target.
type fuzzServer struct {
	h     http.Handler
	token string
}

func newFuzzServer(f *testing.F) *fuzzServer {
	f.Helper()
	st, err := sqlite.Open(f.Context(), testdb.SQLite(f))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := st.Migrate(f.Context()); err != nil {
		f.Fatal(err)
	}
	svc := directory.NewService(st, nil)
	tn, err := svc.CreateTenant(f.Context(), directory.CLI, "fuzz", "Fuzz", 0)
	if err != nil {
		f.Fatal(err)
	}
	_, secret, err := svc.CreateToken(f.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	h := scim.NewHandler(scim.Config{Service: svc, Log: slog.New(slog.DiscardHandler), BaseURL: "https://scimd.example"})
	f.Cleanup(func() {
		h.Close(context.Background())
		st.Close()
	})
	return &fuzzServer{h: h, token: secret}
}

// do serves one request; target is the path and query under /scim/v2.
func (fs *fuzzServer) do(t testing.TB, method, target string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "https://scimd.example/scim/v2"+target, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+fs.token)
	if body != nil {
		req.Header.Set("Content-Type", scim.MediaType)
	}
	rec := httptest.NewRecorder()
	fs.h.ServeHTTP(rec, req)
	return rec
}

// mustDo serves a request the test itself makes and needs to succeed.
func (fs *fuzzServer) mustDo(t testing.TB, method, target string, body []byte, status int) map[string]any {
	t.Helper()
	rec := fs.do(t, method, target, body)
	if rec.Code != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, target, rec.Code, status, rec.Body)
	}
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
	}
	return out
}

// checkAnswer fails on a 5xx and on a 4xx that is not a SCIM error body.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d: %s", what, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		checkErrorBody(t, what, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
	}
}

func checkErrorBody(t *testing.T, what string, code int, contentType string, body []byte) {
	t.Helper()
	if contentType != "" && contentType != scim.MediaType {
		t.Fatalf("%s: %d with Content-Type %q", what, code, contentType)
	}
	var e struct {
		Schemas []string `json:"schemas"`
		Status  any      `json:"status"`
		Detail  string   `json:"detail"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: %d with a body that is not JSON: %s", what, code, body)
	}
	if len(e.Schemas) != 1 || e.Schemas[0] != scim.ErrorSchema || e.Status != strconv.Itoa(code) || strings.TrimSpace(e.Detail) == "" {
		t.Fatalf("%s: %d with a malformed SCIM error: %s", what, code, body)
	}
}

// fixtureRequests returns the request bodies of testdata/idp whose method
// and path prefix match.
func fixtureRequests(f *testing.F, method, pathPrefix string) [][]byte {
	files, _ := filepath.Glob("testdata/idp/*/*.json")
	var out [][]byte
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var fx idpFixture
		if err := json.Unmarshal(raw, &fx); err != nil {
			f.Fatal(err)
		}
		if fx.Method == method && strings.HasPrefix(fx.Path, pathPrefix) && len(fx.Request) > 0 {
			out = append(out, fx.Request)
		}
	}
	if len(out) == 0 {
		f.Fatalf("no %s %s fixtures", method, pathPrefix)
	}
	return out
}

// countOf returns totalResults of a list of kind ("Users", "Groups").
func (fs *fuzzServer) countOf(t testing.TB, kind string) float64 {
	n, _ := fs.mustDo(t, "GET", "/"+kind+"?count=0", nil, http.StatusOK)["totalResults"].(float64)
	return n
}

func FuzzCreateUser(f *testing.F) {
	fs := newFuzzServer(f)
	for _, b := range fixtureRequests(f, "POST", "/Users") {
		f.Add(b)
	}
	for _, b := range []string{
		validatorUser,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
			"externalId":"jyoung","userName":"jyoung@testuser.com","active":true,"addresses":null,"displayName":"Joy Young",
			"emails":[{"type":"work","value":"jyoung@Contoso.com","primary":true}],"meta":{"resourceType":"User"},
			"name":{"familyName":"Young","givenName":"Joy"},"phoneNumbers":null,"preferredLanguage":null,"title":null,"department":null,"manager":null}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"RunscopeUser@atko.com","name":{"givenName":"Runscope123","familyName":"Abcdefghi123"},
			"emails":[{"primary":true,"value":"RunscopeUser@atko.com","type":"work"}],"displayName":"Runscope123 Abcdefghi123","active":true}`,
		rfcUserBody,
		`{"userName":"x","active":"True","roles":[{"primary":"False","type":"WindowsAzureActiveDiroryRole","value":"Admin"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"not-an-id","department":7}}`,
		`{"userName":"y","urn:ietf:params:scim:schemas:extension:scimd:2.0:User":{"role":"admin","availability":"away","customFields":{"desk":"4B"}}}`,
	} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := fs.countOf(t, "Users")
		rec := fs.do(t, "POST", "/Users", body)
		checkAnswer(t, "POST /Users", rec)
		switch {
		case rec.Code == http.StatusCreated:
			var u map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil || u["id"] == "" || u["userName"] == "" {
				t.Fatalf("201 without a user: %s", rec.Body)
			}
			id, _ := u["id"].(string)
			got := fs.mustDo(t, "GET", "/Users/"+id, nil, http.StatusOK)
			if got["userName"] != u["userName"] {
				t.Fatalf("created %v, read %v", u["userName"], got["userName"])
			}
			// Delete it, to keep the table small, unless a directory rule
			// keeps it (the tenant's last admin): any proper answer will do.
			checkAnswer(t, "DELETE /Users/{id}", fs.do(t, "DELETE", "/Users/"+id, nil))
		case rec.Code >= 400:
			if after := fs.countOf(t, "Users"); after != before {
				t.Fatalf("POST answered %d but the user count went from %v to %v", rec.Code, before, after)
			}
		default:
			t.Fatalf("POST /Users answered %d: %s", rec.Code, rec.Body)
		}
	})
}

// fuzzPatchSeedUser is the user every PATCH applies to, reset after each
// successful PATCH so the seeds keep meaning something.
const fuzzPatchSeedUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","externalId":"bjensen",
	"name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"},"displayName":"Babs","title":"Guide","active":true,
	"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
	"phoneNumbers":[{"value":"555-555-8377","type":"work"}],"addresses":[{"type":"work","locality":"Hollywood","country":"US"}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"}}`

func FuzzPatchUser(f *testing.F) {
	fs := newFuzzServer(f)
	mgr := fs.mustDo(f, "POST", "/Users", []byte(`{"userName":"boss@example.com","displayName":"Boss"}`), http.StatusCreated)["id"].(string)
	id := fs.mustDo(f, "POST", "/Users", []byte(fuzzPatchSeedUser), http.StatusCreated)["id"].(string)
	fs.mustDo(f, "POST", "/Users", []byte(`{"userName":"taken@example.com"}`), http.StatusCreated)
	for _, b := range fixtureRequests(f, "PATCH", "/Users") {
		f.Add(b)
	}
	for _, ops := range []string{
		`[{"op":"Replace","path":"active","value":"False"}]`,
		`[{"op":"replace","path":"active","value":false}]`,
		`[{"op":"Add","path":"nickName","value":"Babs"}]`,
		`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
			{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]`,
		`[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department","value":"Sales"}]`,
		`[{"op":"Add","path":"manager","value":[{"$ref":null,"value":"` + mgr + `"}]}]`,
		`[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}]`,
		`[{"op":"replace","value":{"title":"","nickName":null,"name.middleName":""}}]`,
		`[{"op":"replace","path":"userName","value":"taken@example.com"}]`,
		`[{"op":"remove","path":"emails[type eq \"home\"]"},{"op":"add","path":"phoneNumbers","value":[{"value":"1","type":"mobile","primary":true}]}]`,
		`[{"op":"replace","path":"name","value":{"givenName":"Babs"}},{"op":"remove","path":"addresses[type eq \"work\"].locality"}]`,
		`[{"op":"replace","path":"title","value":"CEO"},{"op":"replace","path":"active","value":"maybe"}]`,
		`[{"op":"remove","path":"userName"}]`,
		`[{"op":"replace","path":"id","value":"x"}]`,
		`[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:scimd:2.0:User:customFields","value":{"desk":"4B"}}]`,
	} {
		f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + ops + `}`))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := fs.do(t, "GET", "/Users/"+id, nil)
		rec := fs.do(t, "PATCH", "/Users/"+id, body)
		checkAnswer(t, "PATCH /Users/{id}", rec)
		after := fs.do(t, "GET", "/Users/"+id, nil)
		switch {
		case rec.Code == http.StatusOK:
			if !bytes.Equal(rec.Body.Bytes(), after.Body.Bytes()) {
				t.Fatalf("PATCH answered one user, GET another:\n%s\n%s", rec.Body, after.Body)
			}
			fs.mustDo(t, "PUT", "/Users/"+id, []byte(fuzzPatchSeedUser), http.StatusOK)
		case rec.Code >= 400:
			if !bytes.Equal(before.Body.Bytes(), after.Body.Bytes()) {
				t.Fatalf("PATCH answered %d but changed the user:\n%s\n%s\n%s", rec.Code, rec.Body, before.Body, after.Body)
			}
		default:
			t.Fatalf("PATCH answered %d: %s", rec.Code, rec.Body)
		}
	})
}

func FuzzFilter(f *testing.F) {
	fs := newFuzzServer(f)
	fs.mustDo(f, "POST", "/Users", []byte(fuzzPatchSeedUser), http.StatusCreated)
	fs.mustDo(f, "POST", "/Users", []byte(rfcUserBody), http.StatusCreated)
	fs.mustDo(f, "POST", "/Users", []byte(`{"userName":"Test_User_dfeef4c5-5681-4387-b016-bdf221e82081","externalId":"7fce0092","active":false}`), http.StatusCreated)
	for _, s := range []string{
		`userName eq "test.user@okta.local"`, `userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"`, `externalId eq "jyoung"`,
		`externalId eq jyoung`, `displayName eq "displayName"`, `emails[type eq "work"].value eq "bjensen@example.com"`,
		`id eq "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1" and manager eq "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"`,
		`RUNSCOPE123ABCDEFGHI123@ATKO.COM`,
		// RFC 7644 §3.4.2.2.
		`userName Eq "john"`, `name.familyName co "O'Malley"`, `userName sw "J"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `title pr`, `meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`meta.lastModified ge "2011-05-13T04:42:34Z"`, `meta.lastModified lt "2011-05-13T04:42:34Z"`, `meta.lastModified le "2011-05-13T04:42:34Z"`,
		`title pr and userType eq "Employee"`, `title pr or userType eq "Intern"`,
		`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
		`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
		`userType eq "Employee" and (emails.type eq "work")`, `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
		`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		`meta.version eq W/"1"`, `active eq "True"`, `groups.value eq "x"`, `phoneNumbers[primary eq true]`, `userName eq null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		for _, rec := range []*httptest.ResponseRecorder{
			fs.do(t, "GET", "/Users?filter="+url.QueryEscape(filter), nil),
			fs.do(t, "POST", "/Users/.search", mustJSON(t, map[string]any{"filter": filter, "sortBy": "userName"})),
			fs.do(t, "GET", "/Groups?filter="+url.QueryEscape(filter), nil),
		} {
			checkAnswer(t, "filter "+strconv.Quote(filter), rec)
			if rec.Code == http.StatusOK {
				var l struct {
					TotalResults *int  `json:"totalResults"`
					Resources    []any `json:"Resources"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil || l.TotalResults == nil || *l.TotalResults < len(l.Resources) || l.Resources == nil {
					t.Fatalf("filter %q: not a ListResponse: %s", filter, rec.Body)
				}
			} else if rec.Code != http.StatusBadRequest {
				t.Fatalf("filter %q: %d: %s", filter, rec.Code, rec.Body)
			}
		}
	})
}

func FuzzBulk(f *testing.F) {
	fs := newFuzzServer(f)
	fs.mustDo(f, "POST", "/Users", []byte(fuzzPatchSeedUser), http.StatusCreated)
	f.Add([]byte(rfcBulkBody))
	for _, b := range fixtureRequests(f, "POST", "/Users") {
		f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"u","data":` +
			string(b) + `},{"method":"PATCH","path":"/Users/bulkId:u","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"active":false}}]}},{"method":"DELETE","path":"/Users/bulkId:u"}]}`))
	}
	f.Add([]byte(`{"failOnErrors":1,"Operations":[{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"G","members":[{"value":"bulkId:u"}]}},
		{"method":"POST","path":"/Users","bulkId":"u","data":{"userName":"bulk@x.example"}},
		{"method":"POST","path":"/Groups","bulkId":"c1","data":{"displayName":"C1","members":[{"value":"bulkId:c2"}]}},
		{"method":"POST","path":"/Groups","bulkId":"c2","data":{"displayName":"C2","members":[{"value":"bulkId:c1"}]}},
		{"method":"PUT","path":"/Groups/bulkId:g","version":"W/\"1\"","data":{"displayName":"G2"}},{"method":"GET","path":"/Users"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		users, groups := fs.countOf(t, "Users"), fs.countOf(t, "Groups")
		rec := fs.do(t, "POST", "/Bulk", body)
		checkAnswer(t, "POST /Bulk", rec)
		if rec.Code >= 400 {
			if fs.countOf(t, "Users") != users || fs.countOf(t, "Groups") != groups {
				t.Fatalf("Bulk answered %d but created or deleted resources: %s", rec.Code, rec.Body)
			}
			return
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("Bulk answered %d: %s", rec.Code, rec.Body)
		}
		var out struct {
			Schemas    []string `json:"schemas"`
			Operations []struct {
				Status   string          `json:"status"`
				Response json.RawMessage `json:"response"`
			} `json:"Operations"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Schemas) != 1 || out.Schemas[0] != scim.BulkResponseSchema {
			t.Fatalf("not a BulkResponse: %s", rec.Body)
		}
		for i, op := range out.Operations {
			code, err := strconv.Atoi(op.Status)
			if err != nil || code < 200 || code >= 500 {
				t.Fatalf("operation %d: status %q: %s", i, op.Status, rec.Body)
			}
			if code >= 400 {
				checkErrorBody(t, "bulk operation "+strconv.Itoa(i), code, "", op.Response)
			}
		}
	})
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
