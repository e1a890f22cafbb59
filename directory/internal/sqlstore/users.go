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

// scanUser reads userColumns, plus extra destinations after them.
func scanUser(r Row, extra ...any) (*directory.User, error) {
	var u directory.User
	var idpOwned, custom, multi string
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
		scanTime(&u.Created), scanTime(&u.Updated), scanNullTime(&u.Deleted)}
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
	return &u, nil
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
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.deleted_at IS NULL`, tenant, id))
	if err != nil {
		return nil, s.mapError(err)
	}
	users := []*directory.User{u}
	if err := s.loadIdentities(ctx, s.db, users); err != nil {
		return nil, err
	}
	if withGroups {
		if err := s.loadGroups(ctx, users); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (t *tx) UserForUpdate(ctx context.Context, tenant int64, id string) (*directory.User, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	u, err := scanUser(t.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.deleted_at IS NULL`+t.s.d.ForUpdate, tenant, id))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	if err := t.s.loadIdentities(ctx, t.db, []*directory.User{u}); err != nil {
		return nil, err
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

// loadIdentities fills in the identities of users, in one query.
func (s *Store) loadIdentities(ctx context.Context, db DB, users []*directory.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[string]*directory.User, len(users))
	list := make([]string, len(users))
	for i, u := range users {
		byID[u.ID] = u
		list[i] = u.ID
	}
	q := `SELECT user_id, id, kind, value, type, display, is_primary, verified, registered FROM identities WHERE `
	var rows Rows
	var err error
	if len(users) == 1 {
		rows, err = db.Query(ctx, q+`user_id = $1 ORDER BY position`, list[0])
	} else {
		rows, err = db.Query(ctx, q+`user_id IN `+s.d.IDRows("$1")+` ORDER BY user_id, position`, ids(list))
	}
	if err != nil {
		return s.mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var userID string
		var id directory.Identity
		if err := rows.Scan(&userID, &id.ID, &id.Kind, &id.Value, scanText(&id.Type), scanText(&id.Display),
			&id.Primary, &id.Verified, &id.Registered); err != nil {
			return s.mapError(err)
		}
		if u := byID[userID]; u != nil {
			u.Identities = append(u.Identities, id)
		}
	}
	return s.mapError(rows.Err())
}

// loadGroups fills in the live teams each of users is in, in one query.
func (s *Store) loadGroups(ctx context.Context, users []*directory.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[string]*directory.User, len(users))
	list := make([]string, len(users))
	for i, u := range users {
		byID[u.ID] = u
		list[i] = u.ID
		u.Groups = []directory.GroupRef{}
	}
	rows, err := s.db.Query(ctx, `SELECT m.user_id, t.id, t.display_name FROM memberships m
		JOIN teams t ON t.id = m.team_id AND t.deleted_at IS NULL
		WHERE m.user_id IN `+s.d.IDRows("$1")+` ORDER BY m.user_id, t.display_name, t.id`, ids(list))
	if err != nil {
		return s.mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var userID string
		var g directory.GroupRef
		if err := rows.Scan(&userID, &g.ID, &g.DisplayName); err != nil {
			return s.mapError(err)
		}
		if u := byID[userID]; u != nil {
			u.Groups = append(u.Groups, g)
		}
	}
	return s.mapError(rows.Err())
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

// Users returns a page of users matching q.
func (s *Store) Users(ctx context.Context, tenant int64, q directory.Query) (*directory.UserPage, error) {
	sel, err := s.compileList(userScope, tenant, q)
	if err != nil {
		return nil, err
	}
	page := &directory.UserPage{}
	if q.Count {
		if err := s.db.QueryRow(ctx, sel.count, sel.countArgs...).Scan(&page.Total); err != nil {
			return nil, s.mapError(err)
		}
	}
	if q.Limit <= 0 {
		return page, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+userColumns+`, `+sel.sortKey+` FROM users u `+sel.rest, sel.args...)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var last any
	for rows.Next() {
		u, err := scanUser(rows, &last)
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
	if err := s.loadIdentities(ctx, s.db, page.Users); err != nil {
		return nil, err
	}
	if q.WithGroups {
		if err := s.loadGroups(ctx, page.Users); err != nil {
			return nil, err
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
