package scim

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// target is where a SCIM attribute lives in the directory: an attribute,
// its type as filters see it, whether strings compare case-insensitively
// (caseExact false), and, for emails and phone numbers, the kind of
// identity it is read through.
type target struct {
	attr     directory.Attr
	typ      schema.Type
	fold     bool
	identity directory.IdentityKind
}

// queryable maps "<schema URN>:<attr>[.<sub>]", lower-cased, to the
// directory. An attribute missing here can't be filtered or sorted on.
var userTargets = func() map[string]target {
	core := func(name string) string { return strings.ToLower(schema.UserURN + ":" + name) }
	ent := func(name string) string { return strings.ToLower(schema.EnterpriseURN + ":" + name) }
	ext := func(name string) string { return strings.ToLower(schema.ScimdURN + ":" + name) }
	common := func(name string) string { return strings.ToLower(schema.Common.ID + ":" + name) }
	s := func(a directory.Attr) target { return target{attr: a, typ: schema.String, fold: true} }
	exact := func(a directory.Attr) target { return target{attr: a, typ: schema.String} }
	m := map[string]target{
		common("id"):                 exact(directory.AttrID),
		common("externalId"):         exact(directory.AttrExternalID),
		common("meta.created"):       {attr: directory.AttrCreated, typ: schema.DateTime},
		common("meta.lastModified"):  {attr: directory.AttrUpdated, typ: schema.DateTime},
		common("meta.version"):       {attr: directory.AttrVersion, typ: schema.Integer},
		core("userName"):             s(directory.AttrUserName),
		core("name.formatted"):       s(directory.AttrNameFormatted),
		core("name.familyName"):      s(directory.AttrFamilyName),
		core("name.givenName"):       s(directory.AttrGivenName),
		core("name.middleName"):      s(directory.AttrMiddleName),
		core("name.honorificPrefix"): s(directory.AttrHonorificPrefix),
		core("name.honorificSuffix"): s(directory.AttrHonorificSuffix),
		core("displayName"):          s(directory.AttrDisplayName),
		core("nickName"):             s(directory.AttrNickName),
		core("profileUrl"):           s(directory.AttrProfileURL),
		core("title"):                s(directory.AttrTitle),
		core("userType"):             s(directory.AttrUserType),
		core("preferredLanguage"):    s(directory.AttrPreferredLanguage),
		core("locale"):               s(directory.AttrLocale),
		core("timezone"):             s(directory.AttrTimezone),
		core("active"):               {attr: directory.AttrActive, typ: schema.Boolean},
		core("groups.value"):         exact(directory.AttrGroupID),
		core("groups.display"):       s(directory.AttrGroupName),
		ent("employeeNumber"):        s(directory.AttrEmployeeNumber),
		ent("costCenter"):            s(directory.AttrCostCenter),
		ent("organization"):          s(directory.AttrOrganization),
		ent("division"):              s(directory.AttrDivision),
		ent("department"):            s(directory.AttrDepartment),
		ent("manager.value"):         exact(directory.AttrManagerID),
		ext("extension"):             exact(directory.AttrExtension),
		ext("availability"):          s(directory.AttrAvailability),
		ext("role"):                  s(directory.AttrRole),
	}
	for _, c := range []struct {
		name string
		kind directory.IdentityKind
	}{{"emails", directory.KindEmail}, {"phoneNumbers", directory.KindPhone}} {
		m[core(c.name+".value")] = target{attr: directory.AttrIdentityValue, typ: schema.String, fold: c.kind == directory.KindEmail, identity: c.kind}
		m[core(c.name+".type")] = target{attr: directory.AttrIdentityType, typ: schema.String, fold: true, identity: c.kind}
		m[core(c.name+".display")] = target{attr: directory.AttrIdentityDisplay, typ: schema.String, fold: true, identity: c.kind}
		m[core(c.name+".primary")] = target{attr: directory.AttrIdentityPrimary, typ: schema.Boolean, identity: c.kind}
	}
	return m
}()

var groupTargets = func() map[string]target {
	core := func(name string) string { return strings.ToLower(schema.GroupURN + ":" + name) }
	common := func(name string) string { return strings.ToLower(schema.Common.ID + ":" + name) }
	return map[string]target{
		common("id"):                {attr: directory.AttrID, typ: schema.String},
		common("externalId"):        {attr: directory.AttrExternalID, typ: schema.String},
		common("meta.created"):      {attr: directory.AttrCreated, typ: schema.DateTime},
		common("meta.lastModified"): {attr: directory.AttrUpdated, typ: schema.DateTime},
		common("meta.version"):      {attr: directory.AttrVersion, typ: schema.Integer},
		core("displayName"):         {attr: directory.AttrDisplayName, typ: schema.String, fold: true},
		core("members.value"):       {attr: directory.AttrMemberID, typ: schema.String},
	}
}()

// queryCompiler compiles SCIM filters and sort keys of one resource type.
type queryCompiler struct {
	res     *schema.Resource
	targets map[string]target
	kind    string // "User" or "Group", for meta.resourceType
}

var (
	userQuery  = &queryCompiler{res: schema.Users, targets: userTargets, kind: "User"}
	groupQuery = &queryCompiler{res: schema.Groups, targets: groupTargets, kind: "Group"}
)

func invalidFilter(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, TypeInvalidFilter, format, args...)
}

// resolve finds the attribute a path names. Multi-valued complex
// attributes without a sub-attribute stand for their value (RFC 7644
// §3.4.2.2: "emails co ..." filters on emails.value).
func (qc *queryCompiler) resolve(p filter.AttrPath) (*schema.Resolved, string, error) {
	r := qc.res.Resolve(p.URN, p.Name, p.Sub)
	if r == nil {
		return nil, "", invalidFilter("%s is not an attribute of a %s", p, qc.kind)
	}
	key := r.Schema.ID + ":" + r.Attr.Name
	if r.Sub != nil {
		key += "." + r.Sub.Name
	} else if r.Attr.Type == schema.Complex && r.Attr.MultiValued && r.Attr.Sub("value") != nil {
		key += ".value"
	} else if r.Attr.Name == "manager" {
		key += ".value"
	}
	return r, strings.ToLower(key), nil
}

func (qc *queryCompiler) target(p filter.AttrPath) (target, error) {
	if t, ok := qc.customTarget(p); ok {
		return t, nil
	}
	r, key, err := qc.resolve(p)
	if err != nil {
		return target{}, err
	}
	t, ok := qc.targets[key]
	if !ok {
		if r.Attr.Type == schema.Complex && r.Sub == nil {
			return target{}, invalidFilter("%s is complex: filter on one of its sub-attributes, such as %s.%s", p, p.Name, firstSub(r.Attr))
		}
		return target{}, invalidFilter("filtering on %s is not supported", p)
	}
	return t, nil
}

// customTarget reads customFields.<name> of scimd's extension: a custom
// field, whose type the compared value tells (dynamic: the tenant defines
// them). Text compares case-insensitively.
func (qc *queryCompiler) customTarget(p filter.AttrPath) (target, bool) {
	if qc.kind != "User" || !strings.EqualFold(p.Name, "customFields") || p.Sub == "" ||
		(p.URN != "" && !strings.EqualFold(p.URN, schema.ScimdURN)) {
		return target{}, false
	}
	return target{attr: directory.CustomAttr(p.Sub), typ: "", fold: true}, true
}

func firstSub(a *schema.Attribute) string {
	if len(a.SubAttributes) > 0 {
		return a.SubAttributes[0].Name
	}
	return "value"
}

// compile turns a SCIM filter into a directory filter.
func (qc *queryCompiler) compile(e filter.Expr) (directory.Expr, error) {
	switch e := e.(type) {
	case filter.And:
		l, err := qc.compile(e.Left)
		if err != nil {
			return nil, err
		}
		r, err := qc.compile(e.Right)
		if err != nil {
			return nil, err
		}
		return directory.And{Left: l, Right: r}, nil
	case filter.Or:
		l, err := qc.compile(e.Left)
		if err != nil {
			return nil, err
		}
		r, err := qc.compile(e.Right)
		if err != nil {
			return nil, err
		}
		return directory.Or{Left: l, Right: r}, nil
	case filter.Not:
		x, err := qc.compile(e.X)
		if err != nil {
			return nil, err
		}
		return directory.Not{X: x}, nil
	case filter.Present:
		if isResourceType(e.Path) || isSchemas(e.Path) {
			return directory.True{}, nil
		}
		t, err := qc.target(e.Path)
		if err != nil {
			return nil, err
		}
		return wrapIdentity(t, directory.Present{Attr: t.attr}), nil
	case filter.Compare:
		if isResourceType(e.Path) {
			return qc.resourceType(e)
		}
		if isSchemas(e.Path) {
			return qc.schemas(e)
		}
		t, err := qc.target(e.Path)
		if err != nil {
			return nil, err
		}
		x, err := comparison(t, e.Path, e.Op, e.Value)
		if err != nil {
			return nil, err
		}
		return wrapIdentity(t, x), nil
	case filter.ValuePath:
		return qc.valuePath(e)
	}
	return nil, invalidFilter("this filter is not supported")
}

func isResourceType(p filter.AttrPath) bool {
	return strings.EqualFold(p.Name, "meta") && strings.EqualFold(p.Sub, "resourceType")
}

func (qc *queryCompiler) resourceType(e filter.Compare) (directory.Expr, error) {
	if e.Value.Kind != filter.String || (e.Op != filter.Eq && e.Op != filter.Ne) {
		return nil, invalidFilter("meta.resourceType can only be compared with eq or ne to a string")
	}
	if strings.EqualFold(e.Value.Str, qc.kind) == (e.Op == filter.Eq) {
		return directory.True{}, nil
	}
	return directory.False{}, nil
}

// isSchemas reports a filter on the schemas attribute, as RFC 7644
// §3.4.2.2 shows: filter=schemas eq "urn:...:enterprise:2.0:User".
func isSchemas(p filter.AttrPath) bool {
	return p.URN == "" && p.Sub == "" && strings.EqualFold(p.Name, "schemas")
}

// schemas compiles a comparison with schemas. It is not stored: a
// resource lists its core schema and scimd's extension always, and the
// enterprise extension when it has one of its attributes (userResource).
func (qc *queryCompiler) schemas(e filter.Compare) (directory.Expr, error) {
	if e.Value.Kind != filter.String || (e.Op != filter.Eq && e.Op != filter.Ne) {
		return nil, invalidFilter("schemas can only be compared with eq or ne to a schema URN")
	}
	var x directory.Expr = directory.False{}
	switch urn := e.Value.Str; {
	case strings.EqualFold(urn, qc.res.Core.ID), qc.kind == "User" && strings.EqualFold(urn, schema.ScimdURN):
		x = directory.True{}
	case qc.kind == "User" && strings.EqualFold(urn, schema.EnterpriseURN):
		for _, a := range []directory.Attr{directory.AttrEmployeeNumber, directory.AttrCostCenter, directory.AttrOrganization,
			directory.AttrDivision, directory.AttrDepartment, directory.AttrManagerID} {
			if x == (directory.False{}) {
				x = directory.Present{Attr: a}
			} else {
				x = directory.Or{Left: x, Right: directory.Present{Attr: a}}
			}
		}
	}
	if e.Op == filter.Ne {
		switch x.(type) {
		case directory.True:
			return directory.False{}, nil
		case directory.False:
			return directory.True{}, nil
		}
		return directory.Not{X: x}, nil
	}
	return x, nil
}

// wrapIdentity puts a condition on an email or phone inside Any.
func wrapIdentity(t target, x directory.Expr) directory.Expr {
	if t.identity == "" {
		return x
	}
	if _, ok := x.(directory.Present); ok && t.attr == directory.AttrIdentityValue {
		return directory.Any{Kind: t.identity}
	}
	return directory.Any{Kind: t.identity, Where: x}
}

// valuePath compiles attr[filter]: the inner filter is about one value of
// the attribute at a time.
func (qc *queryCompiler) valuePath(e filter.ValuePath) (directory.Expr, error) {
	r := qc.res.Resolve(e.Path.URN, e.Path.Name, "")
	if r == nil || !r.Attr.MultiValued || r.Attr.Type != schema.Complex {
		return nil, invalidFilter("%s[...] needs a multi-valued attribute such as emails", e.Path)
	}
	var identity directory.IdentityKind
	switch strings.ToLower(r.Attr.Name) {
	case "emails":
		identity = directory.KindEmail
	case "phonenumbers":
		identity = directory.KindPhone
	}
	inner := &queryCompiler{res: qc.res, kind: qc.kind, targets: map[string]target{}}
	prefix := strings.ToLower(r.Schema.ID + ":" + r.Attr.Name + ".")
	for k, t := range qc.targets {
		if sub, ok := strings.CutPrefix(k, prefix); ok {
			t.identity = ""
			inner.targets[sub] = t
		}
	}
	x, err := inner.compileInner(e.Filter, r.Attr)
	if err != nil {
		return nil, err
	}
	if identity != "" {
		return directory.Any{Kind: identity, Where: x}, nil
	}
	// groups[...] and members[...] hold one kind of value: a filter on
	// one value is a filter on the attribute, if it names one sub-attribute.
	if _, ok := e.Filter.(filter.Compare); !ok {
		return nil, invalidFilter("%s[...] takes a single comparison here, such as %s[value eq \"...\"]", e.Path, e.Path.Name)
	}
	return x, nil
}

// compileInner compiles a filter inside brackets, whose paths name
// sub-attributes of parent.
func (qc *queryCompiler) compileInner(e filter.Expr, parent *schema.Attribute) (directory.Expr, error) {
	sub := func(p filter.AttrPath) (target, error) {
		if p.URN != "" || p.Sub != "" || parent.Sub(p.Name) == nil {
			return target{}, invalidFilter("%s is not a sub-attribute of %s", p, parent.Name)
		}
		t, ok := qc.targets[strings.ToLower(parent.Sub(p.Name).Name)]
		if !ok {
			return target{}, invalidFilter("filtering on %s.%s is not supported", parent.Name, p.Name)
		}
		return t, nil
	}
	switch e := e.(type) {
	case filter.And:
		l, err := qc.compileInner(e.Left, parent)
		if err != nil {
			return nil, err
		}
		r, err := qc.compileInner(e.Right, parent)
		if err != nil {
			return nil, err
		}
		return directory.And{Left: l, Right: r}, nil
	case filter.Or:
		l, err := qc.compileInner(e.Left, parent)
		if err != nil {
			return nil, err
		}
		r, err := qc.compileInner(e.Right, parent)
		if err != nil {
			return nil, err
		}
		return directory.Or{Left: l, Right: r}, nil
	case filter.Not:
		x, err := qc.compileInner(e.X, parent)
		if err != nil {
			return nil, err
		}
		return directory.Not{X: x}, nil
	case filter.Present:
		t, err := sub(e.Path)
		if err != nil {
			return nil, err
		}
		return directory.Present{Attr: t.attr}, nil
	case filter.Compare:
		t, err := sub(e.Path)
		if err != nil {
			return nil, err
		}
		return comparison(t, e.Path, e.Op, e.Value)
	}
	return nil, invalidFilter("%s[...] can't hold another value filter", parent.Name)
}

var ops = map[filter.Op]directory.Op{
	filter.Eq: directory.OpEq, filter.Ne: directory.OpNe, filter.Co: directory.OpCo, filter.Sw: directory.OpSw,
	filter.Ew: directory.OpEw, filter.Gt: directory.OpGt, filter.Ge: directory.OpGe, filter.Lt: directory.OpLt, filter.Le: directory.OpLe,
}

// comparison converts a comparison's value to the attribute's type. A
// comparison with null is a presence test: "eq null" is "not pr".
func comparison(t target, p filter.AttrPath, op filter.Op, v filter.Value) (directory.Expr, error) {
	if v.Kind == filter.Null {
		switch op {
		case filter.Eq:
			return directory.Not{X: directory.Present{Attr: t.attr}}, nil
		case filter.Ne:
			return directory.Present{Attr: t.attr}, nil
		}
		return nil, invalidFilter("%s can only be compared with null using eq or ne", p)
	}
	c := directory.Cmp{Attr: t.attr, Op: ops[op], Fold: t.fold}
	typ := t.typ
	if typ == "" { // a custom field: the value says
		switch v.Kind {
		case filter.Number:
			typ = schema.Decimal
		case filter.Bool:
			typ = schema.Boolean
		default:
			typ = schema.String
		}
	}
	switch typ {
	case schema.Decimal:
		f, err := v.Float()
		if err != nil {
			return nil, invalidFilter("%s: %s is not a number we can compare", p, v)
		}
		if op == filter.Co || op == filter.Sw || op == filter.Ew {
			return nil, invalidFilter("%s is a number: compare it with eq, ne, gt, ge, lt or le", p)
		}
		c.Value = f
	case schema.String:
		if v.Kind != filter.String {
			return nil, invalidFilter("%s is a string: compare it with a quoted value, not %s", p, v)
		}
		c.Value = v.Str
	case schema.Boolean:
		b, ok := boolValue(v)
		if !ok {
			return nil, invalidFilter("%s is true or false, not %s", p, v)
		}
		if op != filter.Eq && op != filter.Ne {
			return nil, invalidFilter("%s is true or false: compare it with eq or ne", p)
		}
		c.Value = b
	case schema.DateTime:
		if v.Kind != filter.String {
			return nil, invalidFilter("%s is a date and time such as \"2026-01-02T15:04:05Z\", not %s", p, v)
		}
		at, err := time.Parse(time.RFC3339Nano, v.Str)
		if err != nil {
			return nil, invalidFilter("%s is a date and time such as \"2026-01-02T15:04:05Z\", not %q", p, v.Str)
		}
		if op == filter.Co || op == filter.Sw || op == filter.Ew {
			return nil, invalidFilter("%s is a date and time: compare it with eq, ne, gt, ge, lt or le", p)
		}
		c.Value = at
	case schema.Integer: // meta.version: W/"3" or 3
		n, ok := versionValue(v)
		if !ok {
			return nil, invalidFilter("%s is a version such as W/\"3\", not %s", p, v)
		}
		if op == filter.Co || op == filter.Sw || op == filter.Ew {
			return nil, invalidFilter("%s is a version: compare it with eq, ne, gt, ge, lt or le", p)
		}
		c.Value = n
	}
	return c, nil
}

func boolValue(v filter.Value) (bool, bool) {
	switch v.Kind {
	case filter.Bool:
		return v.Bool, true
	case filter.String: // Entra sometimes quotes booleans
		switch strings.ToLower(v.Str) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func versionValue(v filter.Value) (int64, bool) {
	switch v.Kind {
	case filter.Number:
		n, err := v.Int()
		return n, err == nil
	case filter.String:
		return parseETag(v.Str)
	}
	return 0, false
}

// parseETag reads W/"3", "3" or 3.
func parseETag(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	s = strings.Trim(s, `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// sortKey resolves sortBy (RFC 7644 §3.4.2.3) to a single-valued attribute.
func (qc *queryCompiler) sortKey(s string) (directory.Attr, bool, error) {
	p, err := filter.ParsePath(s)
	if err != nil || p.Filter != nil {
		return "", false, errorf(http.StatusBadRequest, TypeInvalidValue, "sortBy %q is not an attribute path", s)
	}
	t, err := qc.target(p.Attr)
	if err != nil || t.identity != "" || t.attr == directory.AttrGroupID || t.attr == directory.AttrGroupName || t.attr == directory.AttrMemberID {
		return "", false, errorf(http.StatusBadRequest, TypeInvalidValue, "results can't be sorted by %s", s)
	}
	return t.attr, t.fold, nil
}

// UserFilter compiles a SCIM filter on users (RFC 7644 §3.4.2.2) into a
// directory filter, for other APIs that let admins search in the same
// language. An error is a *Error (400, invalidFilter) whose Detail reads
// well as is.
func UserFilter(f string) (directory.Expr, error) {
	e, err := filter.Parse(f)
	if err != nil {
		return nil, invalidFilter("%s", err.Error())
	}
	return userQuery.compile(e)
}

// UserSort resolves a SCIM sortBy on users to a directory attribute and
// whether it sorts case-insensitively. An error is a *Error.
func UserSort(s string) (directory.Attr, bool, error) { return userQuery.sortKey(s) }
