package sqlstore

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// kind is the type of a column as filters see it.
type kind int

const (
	kText kind = iota
	kID        // a uuid: compared exactly, a malformed value matches nothing
	kBool
	kTime
	kInt
	kNum // a decimal
)

// column is how an attribute reads in SQL. With via, the attribute is
// matched through a subquery: via is "<outer> IN (SELECT ... WHERE %s)"
// with the condition on expr placed at %s.
type column struct {
	expr     string
	kind     kind
	nullable bool
	via      string
}

// scope is the attributes of one kind of record, with the table alias and
// its base condition.
type scope struct {
	table string // "users u"
	alias string // "u"
	attrs map[directory.Attr]column
}

var userScope = &scope{table: "users u", alias: "u", attrs: map[directory.Attr]column{
	directory.AttrID:                {expr: "u.id", kind: kID},
	directory.AttrUserName:          {expr: "u.user_name", kind: kText},
	directory.AttrExternalID:        {expr: "u.external_id", kind: kText, nullable: true},
	directory.AttrNameFormatted:     {expr: "u.name_formatted", kind: kText, nullable: true},
	directory.AttrFamilyName:        {expr: "u.family_name", kind: kText, nullable: true},
	directory.AttrGivenName:         {expr: "u.given_name", kind: kText, nullable: true},
	directory.AttrMiddleName:        {expr: "u.middle_name", kind: kText, nullable: true},
	directory.AttrHonorificPrefix:   {expr: "u.honorific_prefix", kind: kText, nullable: true},
	directory.AttrHonorificSuffix:   {expr: "u.honorific_suffix", kind: kText, nullable: true},
	directory.AttrDisplayName:       {expr: "u.display_name", kind: kText, nullable: true},
	directory.AttrNickName:          {expr: "u.nick_name", kind: kText, nullable: true},
	directory.AttrProfileURL:        {expr: "u.profile_url", kind: kText, nullable: true},
	directory.AttrTitle:             {expr: "u.title", kind: kText, nullable: true},
	directory.AttrUserType:          {expr: "u.user_type", kind: kText, nullable: true},
	directory.AttrPreferredLanguage: {expr: "u.preferred_language", kind: kText, nullable: true},
	directory.AttrLocale:            {expr: "u.locale", kind: kText, nullable: true},
	directory.AttrTimezone:          {expr: "u.timezone", kind: kText, nullable: true},
	directory.AttrActive:            {expr: "u.active", kind: kBool},
	directory.AttrRole:              {expr: "u.role", kind: kText},
	directory.AttrSource:            {expr: "u.source", kind: kText},
	directory.AttrExtension:         {expr: "u.extension", kind: kText, nullable: true},
	directory.AttrAvailability:      {expr: "u.availability", kind: kText},
	directory.AttrOrganizationID:    {expr: "u.organization_id", kind: kID, nullable: true},
	directory.AttrEmployeeNumber:    {expr: "u.employee_number", kind: kText, nullable: true},
	directory.AttrCostCenter:        {expr: "u.cost_center", kind: kText, nullable: true},
	directory.AttrOrganization:      {expr: "u.organization", kind: kText, nullable: true},
	directory.AttrDivision:          {expr: "u.division", kind: kText, nullable: true},
	directory.AttrDepartment:        {expr: "u.department", kind: kText, nullable: true},
	directory.AttrManagerID:         {expr: "u.manager_id", kind: kID, nullable: true},
	directory.AttrBreakGlass:        {expr: "u.break_glass", kind: kBool},
	directory.AttrCreated:           {expr: "u.created_at", kind: kTime},
	directory.AttrUpdated:           {expr: "u.updated_at", kind: kTime},
	directory.AttrVersion:           {expr: "u.version", kind: kInt},
	directory.AttrGroupID: {expr: "m.team_id", kind: kID,
		via: "u.id IN (SELECT m.user_id FROM memberships m JOIN teams t ON t.id = m.team_id AND t.deleted_at IS NULL WHERE m.tenant_id = $1 AND %s)"},
	directory.AttrGroupName: {expr: "t.display_name", kind: kText,
		via: "u.id IN (SELECT m.user_id FROM memberships m JOIN teams t ON t.id = m.team_id AND t.deleted_at IS NULL WHERE m.tenant_id = $1 AND %s)"},
}}

var teamScope = &scope{table: "teams t", alias: "t", attrs: map[directory.Attr]column{
	directory.AttrID:          {expr: "t.id", kind: kID},
	directory.AttrDisplayName: {expr: "t.display_name", kind: kText},
	directory.AttrExternalID:  {expr: "t.external_id", kind: kText, nullable: true},
	directory.AttrSource:      {expr: "t.source", kind: kText},
	directory.AttrCreated:     {expr: "t.created_at", kind: kTime},
	directory.AttrUpdated:     {expr: "t.updated_at", kind: kTime},
	directory.AttrVersion:     {expr: "t.version", kind: kInt},
	directory.AttrMemberID: {expr: "m.user_id", kind: kID,
		via: "t.id IN (SELECT m.team_id FROM memberships m WHERE m.tenant_id = $1 AND %s)"},
}}

// identityScope is the attributes inside directory.Any.
var identityScope = &scope{table: "identities i", alias: "i", attrs: map[directory.Attr]column{
	directory.AttrIdentityValue:    {expr: "i.value", kind: kText},
	directory.AttrIdentityType:     {expr: "i.type", kind: kText, nullable: true},
	directory.AttrIdentityDisplay:  {expr: "i.display", kind: kText, nullable: true},
	directory.AttrIdentityPrimary:  {expr: "i.is_primary", kind: kBool},
	directory.AttrIdentityVerified: {expr: "i.verified", kind: kBool},
}}

// compiler turns a directory.Expr into SQL text and arguments. $1 is
// always the tenant.
type compiler struct {
	d    *Dialect
	args []any
}

func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

func badFilter(format string, args ...any) error {
	return &directory.ValidationError{Field: "filter", Detail: fmt.Sprintf(format, args...)}
}

// where compiles e in the attributes attrs. With neg, it compiles NOT e,
// pushed down to the comparisons so that a missing value reads as "not
// equal" rather than SQL's unknown.
func (c *compiler) where(e directory.Expr, sc *scope, neg bool) (string, error) {
	switch e := e.(type) {
	case nil, directory.True:
		if neg {
			return "FALSE", nil
		}
		return "TRUE", nil
	case directory.False:
		return c.where(directory.True{}, sc, !neg)
	case directory.Not:
		return c.where(e.X, sc, !neg)
	case directory.And:
		return c.junction(e.Left, e.Right, sc, neg, "AND")
	case directory.Or:
		return c.junction(e.Left, e.Right, sc, neg, "OR")
	case directory.Present:
		col, err := c.lookup(sc, e.Attr, nil)
		if err != nil {
			return "", err
		}
		return c.viaWrap(col, presentSQL(col), neg)
	case directory.Cmp:
		col, err := c.lookup(sc, e.Attr, e.Value)
		if err != nil {
			return "", err
		}
		cond, err := c.cmp(col, e)
		if err != nil {
			return "", err
		}
		return c.viaWrap(col, cond, neg)
	case directory.Any:
		if sc != userScope || !e.Kind.Valid() {
			return "", badFilter("a filter can't look inside identities here")
		}
		inner := "TRUE"
		if e.Where != nil {
			var err error
			if inner, err = c.where(e.Where, identityScope, false); err != nil {
				return "", err
			}
		}
		op := "IN"
		if neg {
			op = "NOT IN"
		}
		// kind is one of three constants: literal SQL, so the partial
		// index on live emails applies.
		return fmt.Sprintf("u.id %s (SELECT i.user_id FROM identities i WHERE i.tenant_id = $1 AND i.kind = '%s' AND i.deleted_at IS NULL AND (%s))",
			op, e.Kind, inner), nil
	}
	return "", badFilter("unsupported filter %T", e)
}

func (c *compiler) junction(l, r directory.Expr, sc *scope, neg bool, op string) (string, error) {
	if neg { // De Morgan
		if op == "AND" {
			op = "OR"
		} else {
			op = "AND"
		}
	}
	a, err := c.where(l, sc, neg)
	if err != nil {
		return "", err
	}
	b, err := c.where(r, sc, neg)
	if err != nil {
		return "", err
	}
	return "(" + a + " " + op + " " + b + ")", nil
}

// lookup finds how an attribute reads in SQL. A custom field is read
// from the user's custom document, as the type of the value it is
// compared with (text when there is none).
func (c *compiler) lookup(sc *scope, a directory.Attr, value any) (column, error) {
	if name, ok := strings.CutPrefix(string(a), "custom."); ok && sc == userScope {
		if !directory.ValidCustomName(name) {
			return column{}, badFilter("%q is not a custom field name", name)
		}
		key := c.arg(name)
		switch value.(type) {
		case float64, int64, int:
			return column{expr: c.d.JSONNumber("u.custom", key), kind: kNum, nullable: true}, nil
		case bool:
			return column{expr: c.d.JSONBool("u.custom", key), kind: kBool, nullable: true}, nil
		}
		return column{expr: c.d.JSONText("u.custom", key), kind: kText, nullable: true}, nil
	}
	col, ok := sc.attrs[a]
	if !ok {
		return column{}, badFilter("%s can't be used in a filter", a)
	}
	return col, nil
}

// viaWrap negates cond and, for an attribute reached through a subquery,
// puts it inside.
func (c *compiler) viaWrap(col column, cond string, neg bool) (string, error) {
	if col.via != "" {
		s := fmt.Sprintf(col.via, cond)
		if neg {
			s = strings.Replace(s, " IN (", " NOT IN (", 1)
		}
		return s, nil
	}
	if !neg {
		return cond, nil
	}
	if col.nullable {
		return "(" + col.expr + " IS NULL OR NOT (" + cond + "))", nil
	}
	return "NOT (" + cond + ")", nil
}

func presentSQL(col column) string {
	if col.kind == kText {
		return "(" + col.expr + " IS NOT NULL AND " + col.expr + " <> '')"
	}
	return col.expr + " IS NOT NULL"
}

// cmp compiles one comparison, checking the value fits the column.
func (c *compiler) cmp(col column, e directory.Cmp) (string, error) {
	ordered := e.Op == directory.OpGt || e.Op == directory.OpGe || e.Op == directory.OpLt || e.Op == directory.OpLe
	switch col.kind {
	case kText:
		s, ok := e.Value.(string)
		if !ok {
			return "", badFilter("%s takes a string value", e.Attr)
		}
		x, p := col.expr, c.arg(s)
		if e.Fold {
			x, p = "lower("+x+")", "lower("+p+")"
		}
		switch e.Op {
		case directory.OpEq:
			return x + " = " + p, nil
		case directory.OpNe:
			if col.nullable {
				return "(" + col.expr + " IS NULL OR " + x + " <> " + p + ")", nil
			}
			return x + " <> " + p, nil
		case directory.OpCo, directory.OpSw, directory.OpEw:
			pattern := likeEscape(s)
			switch e.Op {
			case directory.OpCo:
				pattern = "%" + pattern + "%"
			case directory.OpSw:
				pattern += "%"
			default:
				pattern = "%" + pattern
			}
			c.args[len(c.args)-1] = pattern
			return x + " LIKE " + p + ` ESCAPE '\'`, nil
		}
		return x + " " + sqlOp(e.Op) + " " + p, nil
	case kID:
		s, ok := e.Value.(string)
		if !ok {
			return "", badFilter("%s takes a string value", e.Attr)
		}
		if e.Op != directory.OpEq && e.Op != directory.OpNe {
			return "", badFilter("%s can only be compared with eq or ne", e.Attr)
		}
		id, valid := canonical(s)
		if !valid { // no row has a malformed id
			if e.Op == directory.OpEq {
				return "FALSE", nil
			}
			return "TRUE", nil
		}
		if e.Op == directory.OpNe {
			return "(" + col.expr + " IS NULL OR " + col.expr + " <> " + c.arg(id) + ")", nil
		}
		return col.expr + " = " + c.arg(id), nil
	case kBool:
		b, ok := e.Value.(bool)
		if !ok {
			return "", badFilter("%s takes true or false", e.Attr)
		}
		if e.Op != directory.OpEq && e.Op != directory.OpNe {
			return "", badFilter("%s can only be compared with eq or ne", e.Attr)
		}
		return col.expr + " " + sqlOp(e.Op) + " " + c.arg(b), nil
	case kTime:
		t, ok := e.Value.(time.Time)
		if !ok {
			return "", badFilter("%s takes a date and time such as 2026-01-02T15:04:05Z", e.Attr)
		}
		if !ordered && e.Op != directory.OpEq && e.Op != directory.OpNe {
			return "", badFilter("%s can't be compared with %s", e.Attr, e.Op)
		}
		return col.expr + " " + sqlOp(e.Op) + " " + c.arg(directory.TimeValue(t)), nil
	case kNum:
		f, ok := floatValue(e.Value)
		if !ok {
			return "", badFilter("%s takes a number", e.Attr)
		}
		if !ordered && e.Op != directory.OpEq && e.Op != directory.OpNe {
			return "", badFilter("%s can't be compared with %s", e.Attr, e.Op)
		}
		return col.expr + " " + sqlOp(e.Op) + " " + c.arg(f), nil
	case kInt:
		n, ok := intValue(e.Value)
		if !ok {
			return "", badFilter("%s takes a whole number", e.Attr)
		}
		if !ordered && e.Op != directory.OpEq && e.Op != directory.OpNe {
			return "", badFilter("%s can't be compared with %s", e.Attr, e.Op)
		}
		return col.expr + " " + sqlOp(e.Op) + " " + c.arg(n), nil
	}
	return "", badFilter("%s can't be used in a filter", e.Attr)
}

func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

func floatValue(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

func sqlOp(op directory.Op) string {
	switch op {
	case directory.OpEq:
		return "="
	case directory.OpNe:
		return "<>"
	case directory.OpGt:
		return ">"
	case directory.OpGe:
		return ">="
	case directory.OpLt:
		return "<"
	case directory.OpLe:
		return "<="
	}
	return "="
}

// likeEscape escapes LIKE's wildcards with a backslash.
func likeEscape(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '\\' || r == '%' || r == '_' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// listSQL is a compiled list query: rest follows "SELECT <columns>, sortKey
// FROM <table>"; count is a whole statement.
type listSQL struct {
	rest      string
	args      []any
	sortKey   string
	count     string
	countArgs []any
}

// totalFrom tells the total from a page when it can: a first page that
// isn't full holds every match. A cursor page can't tell.
func (l *listSQL) totalFrom(q directory.Query, rows int) (int, bool) {
	if q.After == nil && q.Offset == 0 && q.Limit > 0 && rows < min(q.Limit, maxPage) {
		return rows, true
	}
	return 0, false
}

// maxPage bounds a page, whatever a caller asks.
const maxPage = 10000

// compileList compiles q for sc: its filter, order, keyset or offset and
// limit.
func (s *Store) compileList(sc *scope, tenant int64, q directory.Query) (*listSQL, error) {
	c := &compiler{d: s.d, args: []any{tenant}}
	cond, err := c.where(q.Filter, sc, false)
	if err != nil {
		return nil, err
	}
	base := "WHERE " + sc.alias + ".tenant_id = $1"
	if !q.IncludeDeleted {
		base += " AND " + sc.alias + ".deleted_at IS NULL"
	}
	if cond != "TRUE" {
		base += " AND " + cond
	}
	out := &listSQL{
		count:     "SELECT count(*) FROM " + sc.table + " " + base,
		countArgs: append([]any(nil), c.args...),
	}
	id := sc.alias + ".id"
	key := id
	var keyKind kind = kID
	if q.SortBy != "" && q.SortBy != directory.AttrID {
		col, ok := sc.attrs[q.SortBy]
		if !ok || col.via != "" {
			return nil, &directory.ValidationError{Field: "sortBy", Detail: fmt.Sprintf("results can't be sorted by %s", q.SortBy)}
		}
		key, keyKind = col.expr, col.kind
		if col.kind == kText {
			if col.nullable {
				key = "COALESCE(" + key + ", '')"
			}
			if q.SortFold {
				key = "lower(" + key + ")"
			}
		}
	}
	dir, cmp := "ASC", ">"
	if q.SortDesc {
		dir, cmp = "DESC", "<"
	}
	where := base
	if q.After != nil {
		after, ok := canonical(q.After.ID)
		if !ok {
			return nil, &directory.ValidationError{Field: "cursor", Detail: "the cursor is not one this server gave"}
		}
		if key == id {
			where += " AND " + id + " " + cmp + " " + c.arg(after)
		} else {
			v, err := cursorArg(q.After.Value, keyKind)
			if err != nil {
				return nil, err
			}
			pv := c.arg(v)
			// The first bound is implied by the second; it is there
			// for the planner, which can start an index scan at it
			// (an OR alone makes PostgreSQL read the index from the
			// start, so a deep page would cost its depth).
			where += fmt.Sprintf(" AND %s %s= %s AND (%s %s %s OR (%s = %s AND %s %s %s))", key, cmp, pv, key, cmp, pv, key, pv, id, cmp, c.arg(after))
		}
	}
	order := " ORDER BY " + id + " " + dir
	if key != id {
		order = " ORDER BY " + key + " " + dir + ", " + id + " " + dir
	}
	limit := min(max(q.Limit, 0), maxPage)
	out.rest = where + order + " LIMIT " + c.arg(limit)
	if q.After == nil && q.Offset > 0 {
		out.rest += " OFFSET " + c.arg(q.Offset)
	}
	out.args = c.args
	out.sortKey = key
	return out, nil
}

// cursorArg turns a cursor's value back into the type of the sort key.
func cursorArg(v any, k kind) (any, error) {
	bad := &directory.ValidationError{Field: "cursor", Detail: "the cursor is not one this server gave"}
	switch k {
	case kText, kID:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		if n, ok := intValue(v); ok { // SQLite gives booleans back as 0 and 1
			return n != 0, nil
		}
	case kInt:
		if n, ok := intValue(v); ok {
			return n, nil
		}
	case kTime:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return directory.TimeValue(t), nil
			}
		}
	}
	return nil, bad
}
