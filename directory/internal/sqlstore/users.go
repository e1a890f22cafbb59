package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// userColumns are read in this order by scanUser. manager_name is the
// manager's display name, read with the user.
const userColumns = `u.id, u.tenant_id, u.user_name, u.external_id,
	u.name_formatted, u.family_name, u.given_name, u.middle_name, u.honorific_prefix, u.honorific_suffix,
	u.display_name, u.nick_name, u.profile_url, u.title, u.user_type, u.preferred_language, u.locale, u.timezone,
	u.active, u.role, u.source, u.idp_owned, u.organization_id, u.extension, u.availability, u.custom,
	u.employee_number, u.cost_center, u.organization, u.division, u.department, u.manager_id,
	(SELECT mu.display_name FROM users mu WHERE mu.id = u.manager_id AND mu.tenant_id = u.tenant_id AND mu.deleted_at IS NULL),
	u.multi, u.password_hash, u.break_glass, u.version, u.created_at, u.updated_at, u.deleted_at`

// selectUsers returns "SELECT <columns>" for users: userColumns, the
// user's identities and, withGroups, its live teams, each as one JSON
// array, so that a page of users is one query and one round trip.
func (s *Store) selectUsers(withGroups bool) string {
	sel := "SELECT " + userColumns + ",\n\t(SELECT " +
		s.d.JSONRows("i.id, i.kind, i.value, i.type, i.display, i.is_primary, i.verified, i.registered", "i.position") +
		" FROM identities i WHERE i.user_id = u.id)"
	if withGroups {
		sel += ",\n\t(SELECT " + s.d.JSONRows("t.id, t.display_name", "t.display_name, t.id") +
			" FROM memberships m JOIN teams t ON t.id = m.team_id AND t.deleted_at IS NULL WHERE m.user_id = u.id)"
	}
	return sel
}

// scanUser reads selectUsers(withGroups), plus extra destinations after
// them.
func scanUser(r Row, withGroups bool, extra ...any) (*directory.User, error) {
	var u directory.User
	var idpOwned, custom, multi, identities, groups string
	dest := []any{&u.ID, &u.TenantID, &u.UserName, scanText(&u.ExternalID),
		scanText(&u.Name.Formatted), scanText(&u.Name.FamilyName), scanText(&u.Name.GivenName),
		scanText(&u.Name.MiddleName), scanText(&u.Name.HonorificPrefix), scanText(&u.Name.HonorificSuffix),
		scanText(&u.DisplayName), scanText(&u.NickName), scanText(&u.ProfileURL), scanText(&u.Title),
		scanText(&u.UserType), scanText(&u.PreferredLanguage), scanText(&u.Locale), scanText(&u.Timezone),
		&u.Active, &u.Role, &u.Source, &idpOwned, scanText(&u.OrganizationID), scanText(&u.Extension),
		&u.Availability, &custom,
		scanText(&u.Enterprise.EmployeeNumber), scanText(&u.Enterprise.CostCenter), scanText(&u.Enterprise.Organization),
		scanText(&u.Enterprise.Division), scanText(&u.Enterprise.Department), scanText(&u.Enterprise.ManagerID),
		scanText(&u.Enterprise.ManagerName),
		&multi, scanText(&u.PasswordHash), &u.BreakGlass, &u.Version,
		scanTime(&u.Created), scanTime(&u.Updated), scanNullTime(&u.Deleted), scanText(&identities)}
	if withGroups {
		dest = append(dest, scanText(&groups))
	}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(idpOwned), &u.IdPOwned); err != nil {
		return nil, fmt.Errorf("user %s idp_owned: %w", u.ID, err)
	}
	if err := json.Unmarshal([]byte(custom), &u.Custom); err != nil {
		return nil, fmt.Errorf("user %s custom: %w", u.ID, err)
	}
	if len(u.Custom) == 0 {
		u.Custom = nil
	}
	if err := json.Unmarshal([]byte(multi), &u.Multi); err != nil {
		return nil, fmt.Errorf("user %s multi: %w", u.ID, err)
	}
	if err := decodeIdentities(identities, &u); err != nil {
		return nil, fmt.Errorf("user %s identities: %w", u.ID, err)
	}
	if withGroups {
		if err := decodeGroups(groups, &u); err != nil {
			return nil, fmt.Errorf("user %s groups: %w", u.ID, err)
		}
	}
	return &u, nil
}

// jsonBool reads a boolean from a JSON array built by SQL: true/false from
// PostgreSQL, 1/0 from SQLite.
func jsonBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x != 0
	}
	return false
}

func jsonString(v any) string {
	s, _ := v.(string)
	return s
}

func decodeIdentities(text string, u *directory.User) error {
	if text == "" || text == "[]" {
		return nil
	}
	var rows [][]any
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return err
	}
	u.Identities = make([]directory.Identity, 0, len(rows))
	for _, r := range rows {
		if len(r) != 8 {
			return fmt.Errorf("identity of %d fields", len(r))
		}
		u.Identities = append(u.Identities, directory.Identity{
			ID: jsonString(r[0]), Kind: directory.IdentityKind(jsonString(r[1])), Value: jsonString(r[2]),
			Type: jsonString(r[3]), Display: jsonString(r[4]),
			Primary: jsonBool(r[5]), Verified: jsonBool(r[6]), Registered: jsonBool(r[7]),
		})
	}
	return nil
}

func decodeGroups(text string, u *directory.User) error {
	u.Groups = []directory.GroupRef{}
	if text == "" || text == "[]" {
		return nil
	}
	var rows [][]any
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return err
	}
	for _, r := range rows {
		if len(r) != 2 {
			return fmt.Errorf("group of %d fields", len(r))
		}
		u.Groups = append(u.Groups, directory.GroupRef{ID: jsonString(r[0]), DisplayName: jsonString(r[1])})
	}
	return nil
}

// userValues are the values of every stored column but id, tenant and
// created_at, in the order of userSet.
func userValues(u *directory.User) []any {
	owned := u.IdPOwned
	if owned == nil {
		owned = directory.FieldSet{}
	}
	custom := u.Custom
	if custom == nil {
		custom = map[string]any{}
	}
	return []any{u.UserName, null(u.ExternalID),
		null(u.Name.Formatted), null(u.Name.FamilyName), null(u.Name.GivenName), null(u.Name.MiddleName),
		null(u.Name.HonorificPrefix), null(u.Name.HonorificSuffix),
		null(u.DisplayName), null(u.NickName), null(u.ProfileURL), null(u.Title), null(u.UserType),
		null(u.PreferredLanguage), null(u.Locale), null(u.Timezone),
		u.Active, string(u.Role), string(u.Source), jsonText(owned), null(u.OrganizationID), null(u.Extension),
		string(u.Availability), jsonText(custom),
		null(u.Enterprise.EmployeeNumber), null(u.Enterprise.CostCenter), null(u.Enterprise.Organization),
		null(u.Enterprise.Division), null(u.Enterprise.Department), null(u.Enterprise.ManagerID),
		jsonText(u.Multi), null(u.PasswordHash), u.BreakGlass, u.Version, u.Updated, nullTime(u.Deleted)}
}

// userSet names the columns of userValues.
var userSet = []string{"user_name", "external_id",
	"name_formatted", "family_name", "given_name", "middle_name", "honorific_prefix", "honorific_suffix",
	"display_name", "nick_name", "profile_url", "title", "user_type", "preferred_language", "locale", "timezone",
	"active", "role", "source", "idp_owned", "organization_id", "extension", "availability", "custom",
	"employee_number", "cost_center", "organization", "division", "department", "manager_id",
	"multi", "password_hash", "break_glass", "version", "updated_at", "deleted_at"}

// managerName reads the display name of a written user's manager back
// with the write.
const managerName = `(SELECT mu.display_name FROM users mu WHERE mu.id = users.manager_id AND mu.tenant_id = users.tenant_id AND mu.deleted_at IS NULL)`

var (
	insertUserSQL = fmt.Sprintf(`INSERT INTO users (id, tenant_id, created_at, %s) VALUES %s RETURNING %s`,
		strings.Join(userSet, ", "), placeholders(1, len(userSet)+3), managerName)
	updateUserSQL = func() string {
		set := make([]string, len(userSet))
		for i, c := range userSet {
			set[i] = fmt.Sprintf("%s = $%d", c, i+4)
		}
		return fmt.Sprintf(`UPDATE users SET %s WHERE tenant_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL RETURNING %s`,
			strings.Join(set, ", "), managerName)
	}()
)

// User returns a live user.
func (s *Store) User(ctx context.Context, tenant int64, id string, withGroups bool) (*directory.User, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	u, err := scanUser(s.db.QueryRow(ctx, s.selectUsers(withGroups)+` FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.deleted_at IS NULL`, tenant, id), withGroups)
	if err != nil {
		return nil, s.mapError(err)
	}
	return u, nil
}

func (t *tx) UserForUpdate(ctx context.Context, tenant int64, id string) (*directory.User, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	u, err := scanUser(t.db.QueryRow(ctx, t.s.selectUsers(false)+` FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.deleted_at IS NULL`+t.s.d.ForUpdate, tenant, id), false)
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return u, nil
}

func (t *tx) InsertUser(ctx context.Context, u *directory.User) error {
	args := append([]any{u.ID, u.TenantID, u.Created}, userValues(u)...)
	// Only a manager's name needs reading back; without one the insert
	// goes unchecked, so a create can commit in its own round trip.
	var check func(Rows) error
	if u.Enterprise.ManagerID != "" {
		check = scanManagerName(u)
	}
	if err := t.db.Queue(ctx, insertUserSQL, args, check); err != nil {
		return t.s.mapError(err)
	}
	return t.insertIdentities(ctx, u)
}

func (t *tx) UpdateUser(ctx context.Context, u *directory.User, prev int64, identities bool) error {
	// The caller read the user FOR UPDATE in this transaction, so a
	// version that moved can only be a caller's mistake: ErrPrecondition.
	args := append([]any{u.TenantID, u.ID, prev}, userValues(u)...)
	if err := t.db.Queue(ctx, updateUserSQL, args, scanManagerName(u)); err != nil {
		return t.s.mapError(err)
	}
	if u.Deleted != nil {
		return t.s.mapError(t.db.Queue(ctx, `UPDATE identities SET deleted_at = $2 WHERE user_id = $1 AND deleted_at IS NULL`,
			[]any{u.ID, *u.Deleted}, nil))
	}
	if !identities {
		return nil
	}
	if err := t.db.Queue(ctx, `DELETE FROM identities WHERE user_id = $1`, []any{u.ID}, nil); err != nil {
		return t.s.mapError(err)
	}
	return t.insertIdentities(ctx, u)
}

// scanManagerName reads the manager's display name a user write returns;
// no row means the write matched nothing: the version moved.
func scanManagerName(u *directory.User) func(Rows) error {
	return func(rows Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return directory.ErrPrecondition
		}
		return rows.Scan(scanText(&u.Enterprise.ManagerName))
	}
}

// missingOrMoved tells why a versioned update matched no row: the record is
// gone (ErrNotFound) or its version moved (ErrPrecondition).
func (t *tx) missingOrMoved(ctx context.Context, table string, tenant int64, id string) error {
	var n int
	err := t.db.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, tenant, id).Scan(&n)
	if err != nil {
		return t.s.mapError(err)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	return directory.ErrPrecondition
}

const identityInsertColumns = 11

// insertIdentities writes u's identities in one statement. An email that
// another live user has violates identities_email_live: a ConflictError
// on emails, whose value the Service finds.
func (t *tx) insertIdentities(ctx context.Context, u *directory.User) error {
	if len(u.Identities) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO identities (id, tenant_id, user_id, position, kind, value, type, display, is_primary, verified, registered) VALUES `)
	args := make([]any, 0, len(u.Identities)*identityInsertColumns)
	for i, id := range u.Identities {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(placeholders(len(args)+1, identityInsertColumns))
		args = append(args, id.ID, u.TenantID, u.ID, i, string(id.Kind), id.Value, null(id.Type), null(id.Display), id.Primary, id.Verified, id.Registered)
	}
	return t.s.mapError(t.db.Queue(ctx, b.String(), args, nil))
}

func (t *tx) UsersExist(ctx context.Context, tenant int64, list []string) ([]string, error) {
	rows, err := t.db.Query(ctx, `SELECT id FROM users WHERE tenant_id = $1 AND deleted_at IS NULL AND id IN `+t.s.d.IDRows("$2"), tenant, ids(list))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return collectIDs(rows, t.s)
}

func collectIDs(rows Rows, s *Store) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.mapError(err)
		}
		out = append(out, id)
	}
	return out, s.mapError(rows.Err())
}

// Users returns a page of users matching q: one query, and a count only
// when the page can't tell the total (a lookup by userName is one round
// trip).
func (s *Store) Users(ctx context.Context, tenant int64, q directory.Query) (*directory.UserPage, error) {
	sel, err := s.compileList(userScope, tenant, q)
	if err != nil {
		return nil, err
	}
	page := &directory.UserPage{}
	if q.Limit > 0 {
		rows, err := s.db.Query(ctx, s.selectUsers(q.WithGroups)+`, `+sel.sortKey+` FROM users u `+sel.rest, sel.args...)
		if err != nil {
			return nil, s.mapError(err)
		}
		defer rows.Close()
		var last any
		for rows.Next() {
			u, err := scanUser(rows, q.WithGroups, &last)
			if err != nil {
				return nil, s.mapError(err)
			}
			page.Users = append(page.Users, u)
		}
		if err := rows.Err(); err != nil {
			return nil, s.mapError(err)
		}
		rows.Close()
		if len(page.Users) == q.Limit {
			page.Next = &directory.Cursor{Value: cursorValue(last), ID: page.Users[len(page.Users)-1].ID}
		}
	}
	if q.Count {
		if total, ok := sel.totalFrom(q, len(page.Users)); ok {
			page.Total = total
		} else if err := s.db.QueryRow(ctx, sel.count, sel.countArgs...).Scan(&page.Total); err != nil {
			return nil, s.mapError(err)
		}
	}
	return page, nil
}

// cursorValue makes a sort key portable: times become TimeLayout text.
func cursorValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(TimeLayout)
	case []byte:
		return string(x)
	}
	return v
}
