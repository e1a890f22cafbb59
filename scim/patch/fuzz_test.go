package patch

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/scimd/scimd/scim/schema"
)

// fuzzUser is a realistic user, as the User handler would render it.
const fuzzUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "` + ent + `", "urn:ietf:params:scim:schemas:extension:scimd:2.0:User"],
	"id": "2819c223-7f76-453a-919d-413861904646",
	"externalId": "701984",
	"userName": "bjensen@example.com",
	"name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara", "middleName": "Jane"},
	"displayName": "Babs Jensen",
	"title": "Tour Guide",
	"active": true,
	"emails": [
		{"value": "bjensen@example.com", "type": "work", "primary": true},
		{"value": "babs@jensen.org", "type": "home"}],
	"phoneNumbers": [{"value": "555-555-5555", "type": "work"}, {"value": "555-555-4444", "type": "mobile"}],
	"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA", "primary": true}],
	"groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "$ref": "../Groups/e9e30dba", "display": "Tour Guides", "type": "direct"}],
	"roles": [{"value": "agent"}],
	"` + ent + `": {"employeeNumber": "701984", "department": "Tour Operations",
		"manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915", "displayName": "John Smith"}},
	"urn:ietf:params:scim:schemas:extension:scimd:2.0:User": {"extension": "4130", "availability": "available", "role": "agent", "customFields": {"desk": "4B"}},
	"meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff591\""}
}`

const fuzzGroup = `{"displayName": "Tour Guides", "externalId": "g1"}`

// seedOps lists the Operations arrays of every table test.
func seedOps() []string {
	var seeds []string
	for _, table := range [][]applyTest{semanticsTests, valueTests, typeTests, rfcTests, idpTests} {
		for _, tt := range table {
			if len(tt.ops) < 4096 {
				seeds = append(seeds, tt.ops)
			}
		}
	}
	return seeds
}

// seedBodies lists whole request bodies: the tables' and the fixtures'.
func seedBodies(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, ops := range seedOps() {
		seeds = append(seeds, body(ops))
	}
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ex struct{ Request json.RawMessage }
		if err := json.Unmarshal(raw, &ex); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, ex.Request)
	}
	return seeds
}

// checkFuzzErr fails unless err is nil or a well-formed *Error.
func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	pe, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("error %T %v is not *Error", err, err)
	}
	checkDetail(t, pe)
}

// FuzzParse checks, for any body: no panic; errors are *Error; what
// Parse accepts goes through MemberOps and Apply without panicking.
func FuzzParse(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b)
	}
	user, group := decode(f, fuzzUser), decode(f, fuzzGroup)
	f.Fuzz(func(t *testing.T, b []byte) {
		ops, err := Parse(b)
		checkFuzzErr(t, err)
		if err != nil {
			return
		}
		if len(ops) == 0 {
			t.Fatal("Parse accepted no operations")
		}
		for _, op := range ops {
			if op.Op != Add && op.Op != Replace && op.Op != Remove || op.Op == Remove && op.Path == nil {
				t.Fatalf("bad op %+v", op)
			}
		}
		_, err = Apply(DeepCopy(user), ops, schema.Users)
		checkFuzzErr(t, err)
		_, rest, err := MemberOps(ops)
		checkFuzzErr(t, err)
		if err == nil {
			_, err = Apply(DeepCopy(group), rest, schema.Groups)
			checkFuzzErr(t, err)
		}
	})
}

// FuzzApply applies Operations arrays to fuzzUser and checks: no panic;
// errors are *Error; the input document is never changed; the outcome is
// deterministic; the result is still JSON.
func FuzzApply(f *testing.F) {
	for _, ops := range seedOps() {
		f.Add(ops)
	}
	user := decode(f, fuzzUser)
	f.Fuzz(func(t *testing.T, in string) {
		ops, err := Parse(body(in))
		if err != nil {
			return
		}
		a, b := DeepCopy(user), DeepCopy(user)
		ta, errA := Apply(a, ops, schema.Users)
		checkFuzzErr(t, errA)
		if !reflect.DeepEqual(user, decode(t, fuzzUser)) {
			t.Fatal("Apply changed the document it was not given")
		}
		tb, errB := Apply(b, ops, schema.Users)
		if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
			t.Fatalf("two runs disagree: %v, %v", errA, errB)
		}
		if errA != nil {
			return
		}
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(ta, tb) {
			t.Fatalf("two runs disagree:\n%s %q\n%s %q", jsonText(a), ta, jsonText(b), tb)
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("result is not JSON: %v", err)
		}
	})
}
