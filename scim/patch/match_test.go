package patch

import (
	"strings"
	"testing"

	"github.com/scimd/scimd/scim/schema"
)

// thing is a made-up resource whose multi-valued attribute has a
// sub-attribute of every type, to test filters and mutability on more
// than the User schema has.
var thing = &schema.Resource{Core: &schema.Schema{
	ID: "urn:example:params:scim:schemas:core:2.0:Thing", Name: "Thing",
	Attributes: []*schema.Attribute{
		{Name: "tags", Type: schema.Complex, MultiValued: true, Mutability: schema.ReadWrite, SubAttributes: []*schema.Attribute{
			{Name: "value", Type: schema.String, CaseExact: true, Mutability: schema.ReadWrite},
			{Name: "label", Type: schema.String, Mutability: schema.ReadWrite},
			{Name: "weight", Type: schema.Integer, Mutability: schema.ReadWrite},
			{Name: "score", Type: schema.Decimal, Mutability: schema.ReadWrite},
			{Name: "since", Type: schema.DateTime, Mutability: schema.ReadWrite},
			{Name: "on", Type: schema.Boolean, Mutability: schema.ReadWrite},
			{Name: "blob", Type: schema.Binary, Mutability: schema.ReadWrite},
		}},
		{Name: "badge", Type: schema.String, Mutability: schema.Immutable},
		{Name: "count", Type: schema.Integer, Mutability: schema.ReadWrite},
		{Name: "ratio", Type: schema.Decimal, Mutability: schema.ReadWrite},
		{Name: "born", Type: schema.DateTime, Mutability: schema.ReadWrite},
	},
}}

const tagsDoc = `{"tags":[
	{"value":"Alpha","label":"First","weight":1,"score":0.5,"since":"2019-06-01T00:00:00Z","on":true},
	{"value":"beta","label":"second","weight":5,"score":2.25,"since":"2021-01-01T00:00:00Z","on":false},
	{"value":"gamma","weight":10,"since":"2021-01-01T10:00:00+10:00"}]}`

// TestFilterEvaluation removes tags[filter] from tagsDoc and lists the
// values that remain.
func TestFilterEvaluation(t *testing.T) {
	tests := []struct {
		name, filter string
		remain       string // the values left, comma-separated
		wantErr      string
	}{
		{"caseExact eq differs in case", `value eq "alpha"`, "Alpha,beta,gamma", ""},
		{"caseExact eq", `value eq "Alpha"`, "beta,gamma", ""},
		{"case-insensitive eq", `label eq "FIRST"`, "beta,gamma", ""},
		{"ne, absent counts as not equal", `label ne "first"`, "Alpha", ""},
		{"co", `label co "ECON"`, "Alpha,gamma", ""},
		{"sw", `label sw "fir"`, "beta,gamma", ""},
		{"ew", `label ew "ND"`, "Alpha,gamma", ""},
		{"integer gt", `weight gt 1`, "Alpha", ""},
		{"integer ge", `weight ge 5`, "Alpha", ""},
		{"integer lt", `weight lt 5`, "beta,gamma", ""},
		{"integer le", `weight le 5`, "gamma", ""},
		{"decimal gt", `score gt 1`, "Alpha,gamma", ""},
		{"dateTime lt", `since lt "2020-01-01T00:00:00Z"`, "beta,gamma", ""},
		{"dateTime gt across zones", `since gt "2020-12-31T23:00:00Z"`, "Alpha", ""},
		{"dateTime eq is the same instant", `since eq "2021-01-01T00:00:00Z"`, "Alpha", ""},
		{"dateTime sw is textual", `since sw "2019"`, "beta,gamma", ""},
		{"boolean eq true", `on eq true`, "beta,gamma", ""},
		{"boolean eq false", `on eq false`, "Alpha,gamma", ""},
		{"boolean ne", `on ne true`, "Alpha", ""},
		{"boolean as a string", `on eq "TRUE"`, "beta,gamma", ""},
		{"pr", `label pr`, "gamma", ""},
		{"not pr", `not (label pr)`, "Alpha,beta", ""},
		{"eq null", `label eq null`, "Alpha,beta", ""},
		{"ne null", `label ne null`, "gamma", ""},
		{"and", `weight gt 1 and on eq false`, "Alpha,gamma", ""},
		{"or", `value eq "Alpha" or weight eq 10`, "beta", ""},
		{"not or", `not (value eq "Alpha" or weight eq 10)`, "Alpha,gamma", ""},
		{"nested", `(weight lt 2 or weight gt 9) and not (on pr)`, "Alpha,beta", ""},
		{"number for text", `value eq 5`, "Alpha,beta,gamma", ""},
		{"boolean ordered", `on gt true`, "", invalidFilter},
		{"boolean against text", `on eq "yes"`, "", invalidFilter},
		{"number co", `weight co "1"`, "", invalidFilter},
		{"number against text", `weight eq "five"`, "", invalidFilter},
		{"bad dateTime", `since gt "yesterday"`, "", invalidFilter},
		{"binary ordered", `blob lt "x"`, "", invalidFilter},
		{"null ordered", `label gt null`, "", invalidFilter},
		{"unknown sub-attribute", `nope eq "x"`, "", invalidPath},
		{"unknown sub-attribute in pr", `nope pr`, "", invalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := Parse(body(`[{"op":"remove","path":` + jsonText("tags["+tt.filter+"]") + `}]`))
			if err != nil {
				t.Fatal(err)
			}
			doc := decode(t, tagsDoc)
			_, err = Apply(doc, ops, thing)
			if tt.wantErr != "" {
				checkErr(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, e := range asList(doc["tags"]) {
				left = append(left, e.(map[string]any)["value"].(string))
			}
			if got := strings.Join(left, ","); got != tt.remain {
				t.Errorf("after removing tags[%s]: %s left, want %s", tt.filter, got, tt.remain)
			}
		})
	}
}

var typeTests = []applyTest{
	{name: "immutable set when empty", res: thing, doc: `{}`,
		ops: `[{"op":"add","path":"badge","value":"B1"}]`, want: `{"badge":"B1"}`},
	{name: "immutable set to the same value", res: thing, doc: `{"badge":"B1"}`,
		ops: `[{"op":"replace","path":"badge","value":"b1"}]`, want: `{"badge":"b1"}`},
	{name: "immutable changed", res: thing, doc: `{"badge":"B1"}`, ops: `[{"op":"replace","path":"badge","value":"B2"}]`, wantErr: mutability},
	{name: "immutable removed", res: thing, doc: `{"badge":"B1"}`, ops: `[{"op":"remove","path":"badge"}]`, wantErr: mutability},
	{name: "integer", res: thing, doc: `{}`, ops: `[{"op":"add","path":"count","value":42}]`, want: `{"count":42}`},
	{name: "integer with a fraction", res: thing, doc: `{}`, ops: `[{"op":"add","path":"count","value":4.2}]`, wantErr: invalidValue},
	{name: "integer as text", res: thing, doc: `{}`, ops: `[{"op":"add","path":"count","value":"42"}]`, wantErr: invalidValue},
	{name: "decimal", res: thing, doc: `{}`, ops: `[{"op":"add","path":"ratio","value":1e-3}]`, want: `{"ratio":1e-3}`},
	{name: "decimal out of range", res: thing, doc: `{}`, ops: `[{"op":"add","path":"ratio","value":1e999}]`, wantErr: invalidValue},
	{name: "dateTime", res: thing, doc: `{}`, ops: `[{"op":"add","path":"born","value":"2011-08-01T18:29:49.793Z"}]`, want: `{"born":"2011-08-01T18:29:49.793Z"}`},
	{name: "bad dateTime", res: thing, doc: `{}`, ops: `[{"op":"add","path":"born","value":"August 2011"}]`, wantErr: invalidValue},
	{name: "filtered sub-attribute typed", res: thing, doc: tagsDoc,
		ops: `[{"op":"replace","path":"tags[value eq \"gamma\"].on","value":"yes"}]`, wantErr: invalidValue},
	{name: "created from a boolean filter", res: thing, doc: `{}`,
		ops:  `[{"op":"add","path":"tags[value eq \"d\" and on eq true].weight","value":3}]`,
		want: `{"tags":[{"value":"d","on":true,"weight":3}]}`},
	{name: "replace keeps values distinct by case when caseExact", res: thing, doc: `{"tags":[{"value":"A"}]}`,
		ops:  `[{"op":"add","path":"tags","value":[{"value":"a"},{"value":"A","label":"x"}]}]`,
		want: `{"tags":[{"value":"A","label":"x"},{"value":"a"}]}`},
}

func TestApplyTypes(t *testing.T) { runApply(t, typeTests) }
