package patch

import (
	"strconv"
	"strings"
	"testing"

	"github.com/scimd/scimd/scim/schema"
)

// entraUpdate is a typical Entra user update: the default shape with
// capitalised ops, a filtered email, dotted names and an extension.
const entraUpdate = `[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
	{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
	{"op":"Replace","path":"active","value":"False"},
	{"op":"Add","path":"externalId","value":"6c75de36-30fa-4d2d-a196-6bdcdb6b6539"},
	{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","` + ent + `:employeeNumber":"Aklq","` + ent + `:manager":"26118915-6090-4610-87e4-49d8ca9f808d"}}]`

// BenchmarkApplyEntra parses a typical Entra PATCH and applies it to a
// copy of a realistic user, as the User handler does.
func BenchmarkApplyEntra(b *testing.B) {
	user := decode(b, fuzzUser)
	req := body(entraUpdate)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		ops, err := Parse(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Apply(DeepCopy(user), ops, schema.Users); err != nil {
			b.Fatal(err)
		}
	}
}

// membersBody is a request adding n members, as Okta and Entra list them.
func membersBody(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`[{"op":"add","path":"members","value":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"value":"2819c223-7f76-453a-919d-`)
		sb.WriteString(strconv.Itoa(100000000000 + i))
		sb.WriteString(`","display":"user`)
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(`@example.com"}`)
	}
	sb.WriteString(`]}]`)
	return body(sb.String())
}

func benchMembers(b *testing.B, n int) {
	req := membersBody(n)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		ops, err := Parse(req)
		if err != nil {
			b.Fatal(err)
		}
		members, _, err := MemberOps(ops)
		if err != nil || len(members[0].IDs) != n {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseMembers parses and splits a group PATCH adding 10,000
// members; 100,000 shows the cost grows linearly.
func BenchmarkParseMembers10k(b *testing.B)  { benchMembers(b, 10_000) }
func BenchmarkParseMembers100k(b *testing.B) { benchMembers(b, 100_000) }

// BenchmarkApplyMembers10k adds 10,000 members to a group document that
// has 10,000, through Apply: de-duplication is linear, not quadratic.
func BenchmarkApplyMembers10k(b *testing.B) {
	ops, err := Parse(membersBody(10_000))
	if err != nil {
		b.Fatal(err)
	}
	existing, err := Parse(membersBody(10_000))
	if err != nil {
		b.Fatal(err)
	}
	doc := map[string]any{"displayName": "g", "members": existing[0].Value}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(DeepCopy(doc), ops, schema.Groups); err != nil {
			b.Fatal(err)
		}
	}
}
