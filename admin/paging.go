package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/scimd/scimd/directory"
)

// Page sizes.
const (
	defaultCount = 100
	maxCount     = 1000
)

// page is how a list was asked for: by index (startIndex, 1-based, and
// count) or by cursor (cursor present; empty for the first page), which
// stays fast and stable at any depth.
type page struct {
	startIndex int
	count      int
	cursor     *string
}

// pageParams reads startIndex, count and cursor from the query string.
func pageParams(r *http.Request) (page, error) {
	q := r.URL.Query()
	p := page{startIndex: 1, count: defaultCount}
	var err error
	if v := q.Get("startIndex"); v != "" {
		if p.startIndex, err = intParam("startIndex", v); err != nil {
			return p, err
		}
		p.startIndex = max(p.startIndex, 1)
	}
	if v := q.Get("count"); v != "" {
		if p.count, err = intParam("count", v); err != nil {
			return p, err
		}
		p.count = min(max(p.count, 0), maxCount)
	}
	if q.Has("cursor") {
		c := q.Get("cursor")
		p.cursor = &c
	}
	return p, nil
}

func intParam(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, invalidf(name, "%s %q is not a whole number.", name, v)
	}
	return n, nil
}

// apply sets q's paging from p.
func (p page) apply(q *directory.Query) error {
	q.Limit, q.Count = p.count, true
	if p.cursor == nil {
		q.Offset = p.startIndex - 1
		return nil
	}
	if *p.cursor != "" {
		c, err := directory.ParseCursor(*p.cursor)
		if err != nil {
			return err
		}
		q.After = c
	}
	return nil
}

// listJSON is a page of a list. Index paging answers startIndex; cursor
// paging answers nextCursor, absent on the last page.
type listJSON struct {
	Total      int    `json:"total"`
	StartIndex int    `json:"startIndex,omitempty"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func (p page) list(total int, next *directory.Cursor) listJSON {
	l := listJSON{Total: total}
	if p.cursor == nil {
		l.StartIndex = p.startIndex
	} else if next != nil {
		l.NextCursor = next.Encode()
	}
	return l
}
