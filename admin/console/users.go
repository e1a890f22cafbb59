package console

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

// pageSize is how many rows a list shows at a time.
const pageSize = 50

// usersData is the users list: the search as asked, and a page of users.
type usersData struct {
	Q, Role, Status, Source, Team string
	// SearchNote says how the search box was read: as a SCIM filter, or
	// as text (and, when it looked like a filter, why it isn't one).
	SearchNote string
	Users      []userRow
	Total      int
	// Next and Prev are the cursors of the neighbouring pages; "" when
	// there is none.
	Next, Prev string
	Teams      []*directory.Team
	Roles      []directory.Role
}

type userRow struct {
	*directory.User
	Email string
}

// users is the users list: a search box that takes text or a SCIM filter,
// filters by role, status, source and team, and cursor paging, which
// costs the same on the thousandth page as on the first.
func (c *Console) users(w http.ResponseWriter, r *http.Request, p *page) error {
	v := r.URL.Query()
	d := &usersData{Q: strings.TrimSpace(v.Get("q")), Role: v.Get("role"), Status: v.Get("status"),
		Source: v.Get("source"), Team: v.Get("team"), Roles: directory.Roles}
	p.Title, p.Section, p.Data = "Users", "users", d
	q, err := d.query()
	if err != nil {
		return err
	}
	ctx, tenant := r.Context(), p.Tenant.ID
	got, err := c.pageOfUsers(ctx, tenant, q, v.Get("after"), v.Get("before"))
	if err != nil {
		return err
	}
	d.Total, d.Next, d.Prev = got.total, got.next, got.prev
	for _, u := range got.users {
		d.Users = append(d.Users, userRow{User: u, Email: u.PrimaryEmail()})
	}
	teams, err := c.svc.Teams(ctx, tenant, directory.Query{SortBy: directory.AttrDisplayName, SortFold: true, Limit: 500})
	if err != nil {
		return err
	}
	d.Teams = teams.Teams
	return c.render(w, p, "users")
}

// filterWord finds the operators of the SCIM filter language, to tell a
// filter that doesn't parse from a search for text.
var filterWord = regexp.MustCompile(`(?i)(^|[\s(])(eq|ne|co|sw|ew|gt|ge|lt|le|pr)([\s)]|$)`)

// query turns the search into a directory query, sorted by userName.
func (d *usersData) query() (directory.Query, error) {
	q := directory.Query{SortBy: directory.AttrUserName, SortFold: true, Limit: pageSize, Count: true}
	var conds []directory.Expr
	if d.Q != "" {
		e, err := scim.UserFilter(d.Q)
		switch {
		case err == nil:
			conds = append(conds, e)
			d.SearchNote = "Searched with a SCIM filter."
		case filterWord.MatchString(d.Q):
			conds = append(conds, textSearch(d.Q))
			d.SearchNote = "Searched as text. As a SCIM filter it does not read: " + sentence(err.Error())
		default:
			conds = append(conds, textSearch(d.Q))
		}
	}
	if d.Role != "" {
		if !directory.Role(d.Role).Valid() {
			return q, &problem{Status: http.StatusBadRequest, Title: "Unknown role", Message: "There is no role " + truncate(d.Role, 40) + "."}
		}
		conds = append(conds, directory.Cmp{Attr: directory.AttrRole, Op: directory.OpEq, Value: d.Role})
	}
	switch d.Status {
	case "":
	case "active", "disabled":
		conds = append(conds, directory.Cmp{Attr: directory.AttrActive, Op: directory.OpEq, Value: d.Status == "active"})
	default:
		return q, &problem{Status: http.StatusBadRequest, Title: "Unknown status", Message: "Status is active or disabled."}
	}
	switch directory.Source(d.Source) {
	case "":
	case directory.SourceSCIM, directory.SourceLocal:
		conds = append(conds, directory.Cmp{Attr: directory.AttrSource, Op: directory.OpEq, Value: d.Source})
	default:
		return q, &problem{Status: http.StatusBadRequest, Title: "Unknown source", Message: "Source is scim or local."}
	}
	if d.Team != "" {
		conds = append(conds, directory.Cmp{Attr: directory.AttrGroupID, Op: directory.OpEq, Value: d.Team})
	}
	q.Filter = and(conds...)
	return q, nil
}

// textSearch finds users with every word somewhere in their userName,
// names, emails or extension, in any case.
func textSearch(s string) directory.Expr {
	words := strings.Fields(s)
	if len(words) > 6 {
		words = words[:6]
	}
	var all []directory.Expr
	for _, w := range words {
		var any []directory.Expr
		for _, a := range []directory.Attr{directory.AttrUserName, directory.AttrDisplayName, directory.AttrGivenName,
			directory.AttrFamilyName, directory.AttrExtension} {
			any = append(any, directory.Cmp{Attr: a, Op: directory.OpCo, Value: w, Fold: true})
		}
		any = append(any, directory.Any{Kind: directory.KindEmail,
			Where: directory.Cmp{Attr: directory.AttrIdentityValue, Op: directory.OpCo, Value: w, Fold: true}})
		all = append(all, or(any...))
	}
	return and(all...)
}

func and(es ...directory.Expr) directory.Expr {
	var out directory.Expr
	for _, e := range es {
		if out == nil {
			out = e
		} else {
			out = directory.And{Left: out, Right: e}
		}
	}
	return out
}

func or(es ...directory.Expr) directory.Expr {
	var out directory.Expr
	for _, e := range es {
		if out == nil {
			out = e
		} else {
			out = directory.Or{Left: out, Right: e}
		}
	}
	return out
}

// userPage is a page of users with the cursors of its neighbours.
type userPage struct {
	users      []*directory.User
	total      int
	next, prev string
}

// pageOfUsers reads the page after the cursor after, or before the
// cursor before, by keyset: each page reads its own rows and no others.
// A page's neighbours are found the same way: the cursor of its first row
// is the cursor of a one-row page read from the same place.
func (c *Console) pageOfUsers(ctx context.Context, tenant int64, q directory.Query, after, before string) (*userPage, error) {
	cursor := after
	backwards := before != ""
	if backwards {
		cursor = before
	}
	if cursor != "" {
		cur, err := directory.ParseCursor(cursor)
		if err != nil {
			return nil, err
		}
		q.After = cur
	}
	q.SortDesc = backwards
	got, err := c.svc.Users(ctx, tenant, q)
	if err != nil {
		return nil, err
	}
	if backwards && len(got.Users) < q.Limit {
		// Fewer rows than a page before it: this is the first page.
		return c.pageOfUsers(ctx, tenant, withoutCursor(q), "", "")
	}
	out := &userPage{users: got.Users, total: got.Total}
	far := got.Next.Encode() // the far end of this page, in reading order
	near := ""               // the near end: the row next to the cursor
	if cursor != "" && len(got.Users) > 0 {
		one := q
		one.Limit, one.Count = 1, false
		first, err := c.svc.Users(ctx, tenant, one)
		if err != nil {
			return nil, err
		}
		near = first.Next.Encode()
	}
	if backwards {
		slices.Reverse(out.users)
		out.prev, out.next = far, near
	} else {
		out.prev, out.next = near, far
	}
	return out, nil
}

func withoutCursor(q directory.Query) directory.Query {
	q.After, q.SortDesc = nil, false
	return q
}
