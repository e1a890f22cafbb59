package scim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// rfcBulkBody is the BulkRequest of RFC 7644 §3.7.1, with one erratum
// fixed: the RFC's PATCH data is `{[ ...operations... ]}`, which is not
// JSON; here it is the PatchOp those operations make.
const rfcBulkBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
	{"method":"POST","path":"/Users","bulkId":"qwerty","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Alice"}},
	{"method":"PUT","path":"/Users/b7c14771-226c-4d05-8860-134711653041","version":"W\/\"3694e05e9dff591\"",
		"data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"b7c14771-226c-4d05-8860-134711653041","userName":"Bob"}},
	{"method":"PATCH","path":"/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc","version":"W/\"edac3253e2c0ef2\"",
		"data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"nickName"},{"op":"add","path":"userName","value":"Dave"}]}},
	{"method":"DELETE","path":"/Users/e9025315-6bea-44e1-899c-1e07454e468b","version":"W\/\"0ee8add0a938e1a\""}]}`

// bulkResult is one operation of a BulkResponse.
type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId"`
	Location string          `json:"location"`
	Version  string          `json:"version"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response"`
}

func (s *server) bulk(t *testing.T, body string) []bulkResult {
	t.Helper()
	r := s.do("POST", "/scim/v2/Bulk", body).want(t, http.StatusOK)
	var out struct {
		Schemas    []string     `json:"schemas"`
		Operations []bulkResult `json:"Operations"`
	}
	if err := json.Unmarshal([]byte(r.raw), &out); err != nil || len(out.Schemas) != 1 || out.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:BulkResponse" {
		t.Fatalf("not a BulkResponse: %s", r.raw)
	}
	return out.Operations
}

// RFC 7644 §3.7.1 to §3.7.4.
func TestRFCBulk(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		d := newDocRun(s)
		d.seed(t,
			idpSeed{"Users", "b7c14771-226c-4d05-8860-134711653041", `{"userName":"Robert"}`},
			idpSeed{"Users", "5d8d29d3-342c-4b5f-8683-a3cb6763ffcc", `{"userName":"David","nickName":"Dave"}`},
			idpSeed{"Users", "e9025315-6bea-44e1-899c-1e07454e468b", `{"userName":"Eve"}`})
		// The RFC's versions are those of the seeded users: W/"1".
		for _, v := range []string{"3694e05e9dff591", "edac3253e2c0ef2", "0ee8add0a938e1a"} {
			d.ids[v] = "1"
		}
		t.Run("3.7.1 POST, PUT, PATCH, DELETE", func(t *testing.T) {
			ops := s.bulk(t, d.mapIDs(rfcBulkBody))
			want := []struct{ method, status, path string }{
				{"POST", "201", ""}, {"PUT", "200", "/Users/" + d.ids["b7c14771-226c-4d05-8860-134711653041"]},
				{"PATCH", "200", "/Users/" + d.ids["5d8d29d3-342c-4b5f-8683-a3cb6763ffcc"]},
				{"DELETE", "204", "/Users/" + d.ids["e9025315-6bea-44e1-899c-1e07454e468b"]},
			}
			if len(ops) != len(want) {
				t.Fatalf("%d results: %+v", len(ops), ops)
			}
			for i, w := range want {
				op := ops[i]
				if op.Method != w.method || op.Status != w.status || !strings.HasPrefix(op.Location, s.url+"/scim/v2/Users/") ||
					(w.path != "" && op.Location != s.url+"/scim/v2"+w.path) || (w.method != "DELETE" && op.Version == "") {
					t.Errorf("operation %d: %+v, want %s %s at %s", i, op, w.method, w.status, w.path)
				}
			}
			if ops[0].BulkID != "qwerty" {
				t.Errorf("POST without its bulkId: %+v", ops[0])
			}
			alice := s.do("GET", strings.TrimPrefix(ops[0].Location, s.url), nil).want(t, http.StatusOK)
			bob := s.do("GET", "/scim/v2"+want[1].path, nil).want(t, http.StatusOK)
			dave := s.do("GET", "/scim/v2"+want[2].path, nil).want(t, http.StatusOK)
			if alice.str("userName") != "Alice" || bob.str("userName") != "Bob" || dave.str("userName") != "Dave" || dave.str("nickName") != "" {
				t.Errorf("after the bulk: %s %s %s", alice.raw, bob.raw, dave.raw)
			}
			s.do("GET", "/scim/v2"+want[3].path, nil).wantError(t, http.StatusNotFound, "")
			// §3.7 and §3.14: a version that no longer matches fails that
			// operation with 412.
			stale := s.bulk(t, `{"Operations":[{"method":"PUT","path":"`+want[1].path+`","version":"W/\"1\"","data":{"userName":"Bobby"}}]}`)
			if len(stale) != 1 || stale[0].Status != "412" {
				t.Errorf("stale version: %+v", stale)
			}
		})
		t.Run("3.7.2 bulkId reference", func(t *testing.T) {
			ops := s.bulk(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
				{"method":"POST","path":"/Users","bulkId":"qwerty","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Alice2"}},
				{"method":"POST","path":"/Groups","bulkId":"ytrewq","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
					"displayName":"Tour Guides","members":[{"type":"User","value":"bulkId:qwerty"}]}}]}`)
			if len(ops) != 2 || ops[0].Status != "201" || ops[1].Status != "201" {
				t.Fatalf("%+v", ops)
			}
			userID := ops[0].Location[strings.LastIndexByte(ops[0].Location, '/')+1:]
			groupID := ops[1].Location[strings.LastIndexByte(ops[1].Location, '/')+1:]
			if m := s.groupMembers(t, groupID); len(m) != 1 || m[0] != userID {
				t.Errorf("members %v, want [%s]", m, userID)
			}
		})
		t.Run("3.7.2 circular references", func(t *testing.T) {
			// "The service provider MUST try to resolve circular cross-
			// references ... but MAY stop after a failed attempt and instead
			// return HTTP status code 409 (Conflict)": groups don't nest here.
			ops := s.bulk(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
				{"method":"POST","path":"/Groups","bulkId":"qwerty","data":{"displayName":"Group A","members":[{"type":"Group","value":"bulkId:ytrewq"}]}},
				{"method":"POST","path":"/Groups","bulkId":"ytrewq","data":{"displayName":"Group B","members":[{"type":"Group","value":"bulkId:qwerty"}]}}]}`)
			for _, op := range ops {
				if op.Status != "409" {
					t.Errorf("%+v", op)
				}
				checkErrorBody(t, "circular", 409, "", op.Response)
			}
		})
		t.Run("3.7.3 failOnErrors", func(t *testing.T) {
			before := s.do("GET", "/scim/v2/Users?count=0", nil).want(t, http.StatusOK).str("totalResults")
			ops := s.bulk(t, `{"failOnErrors":1,"Operations":[
				{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"no userName"}},
				{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"not-created"}}]}`)
			if len(ops) != 1 || ops[0].Status != "400" || ops[0].BulkID != "a" {
				t.Errorf("failOnErrors 1: %+v", ops)
			}
			checkErrorBody(t, "failOnErrors 1", 400, "", ops[0].Response)
			ops = s.bulk(t, `{"failOnErrors":2,"Operations":[
				{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"Alice"}},
				{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":""}},
				{"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"not-created"}}]}`)
			if len(ops) != 2 || ops[0].Status != "409" || ops[1].Status != "400" {
				t.Errorf("failOnErrors 2: %+v", ops)
			}
			var e map[string]any
			if json.Unmarshal(ops[0].Response, &e); e["scimType"] != "uniqueness" {
				t.Errorf("409 without uniqueness: %s", ops[0].Response)
			}
			if after := s.do("GET", "/scim/v2/Users?count=0", nil).want(t, http.StatusOK).str("totalResults"); after != before {
				t.Errorf("users %s → %s: an operation after the limit ran", before, after)
			}
		})
		t.Run("3.7.4 limits", func(t *testing.T) {
			big := `{"Operations":[{"method":"POST","path":"/Users","bulkId":"x","data":{"userName":"big","title":"` + strings.Repeat("x", 5<<20) + `"}}]}`
			s.do("POST", "/scim/v2/Bulk", big).wantError(t, http.StatusRequestEntityTooLarge, "")
			cfg := s.do("GET", "/scim/v2/ServiceProviderConfig", nil).want(t, http.StatusOK)
			if cfg.str("bulk", "supported") != "true" || cfg.str("bulk", "maxPayloadSize") != "4194304" {
				t.Errorf("bulk config: %s", cfg.str("bulk"))
			}
		})
	})
}
