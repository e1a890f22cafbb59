package scim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/filter"
)

// SearchRequestSchema is the schema of a POST .search body.
const SearchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

// listParams are a list's parameters, from a query string or a .search
// body (RFC 7644 §3.4.2, §3.4.3; RFC 9865 for cursor).
type listParams struct {
	filter     string
	startIndex int
	count      int
	sortBy     string
	descending bool
	attrs      []string
	excluded   []string
	cursor     *string // nil: index paging; "" the first cursor page
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// queryParams reads list parameters from the query string. Names match in
// any case.
func queryParams(r *http.Request) (*listParams, error) {
	p := &listParams{startIndex: 1, count: defaultCount}
	for k, vs := range r.URL.Query() {
		v := vs[len(vs)-1]
		var err error
		switch strings.ToLower(k) {
		case "filter":
			p.filter = v
		case "startindex":
			p.startIndex, err = intParam("startIndex", v)
		case "count":
			p.count, err = intParam("count", v)
		case "sortby":
			p.sortBy = v
		case "sortorder":
			p.descending, err = sortOrder(v)
		case "attributes":
			p.attrs = splitList(v)
		case "excludedattributes":
			p.excluded = splitList(v)
		case "cursor":
			c := v
			p.cursor = &c
		}
		if err != nil {
			return nil, err
		}
	}
	p.clamp()
	return p, nil
}

func (p *listParams) clamp() {
	p.startIndex = max(p.startIndex, 1)
	p.count = min(max(p.count, 0), maxCount)
}

func intParam(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, invalidValue("%s %q is not a whole number", name, v)
	}
	return n, nil
}

func sortOrder(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "ascending":
		return false, nil
	case "descending":
		return true, nil
	}
	return false, invalidValue("sortOrder %q is not ascending or descending", v)
}

// searchParams reads a POST .search body.
func searchParams(body []byte) (*listParams, error) {
	doc, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	p := &listParams{startIndex: 1, count: defaultCount}
	for k, v := range doc {
		var err error
		switch strings.ToLower(k) {
		case "filter":
			p.filter, err = stringValue("filter", v)
		case "startindex":
			p.startIndex, err = numberValue("startIndex", v)
		case "count":
			p.count, err = numberValue("count", v)
		case "sortby":
			p.sortBy, err = stringValue("sortBy", v)
		case "sortorder":
			var s string
			if s, err = stringValue("sortOrder", v); err == nil {
				p.descending, err = sortOrder(s)
			}
		case "attributes":
			p.attrs, err = stringList("attributes", v)
		case "excludedattributes":
			p.excluded, err = stringList("excludedAttributes", v)
		case "cursor":
			var s string
			if s, err = stringValue("cursor", v); err == nil {
				p.cursor = &s
			}
		}
		if err != nil {
			return nil, err
		}
	}
	p.clamp()
	return p, nil
}

func numberValue(name string, v any) (int, error) {
	switch x := v.(type) {
	case nil:
		return 0, invalidValue("%s must be a number", name)
	case json.Number:
		n, err := strconv.Atoi(x.String())
		if err != nil {
			return 0, invalidValue("%s %s is not a whole number", name, x)
		}
		return n, nil
	case string:
		return intParam(name, x)
	}
	return 0, invalidValue("%s must be a number, not %s", name, jsonType(v))
}

func stringList(name string, v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return splitList(x), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, invalidValue("%s must be a list of attribute names", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, invalidValue("%s must be a list of attribute names, not %s", name, jsonType(v))
}

// query turns list parameters into a directory query for qc's resource.
func (qc *queryCompiler) query(p *listParams) (directory.Query, error) {
	q := directory.Query{Offset: p.startIndex - 1, Limit: p.count, Count: true, SortDesc: p.descending}
	if p.filter != "" {
		f, err := filter.Parse(p.filter)
		if err != nil {
			return q, invalidFilter("%s", err.Error())
		}
		if q.Filter, err = qc.compile(f); err != nil {
			return q, err
		}
	}
	if p.sortBy != "" {
		attr, fold, err := qc.sortKey(p.sortBy)
		if err != nil {
			return q, err
		}
		q.SortBy, q.SortFold = attr, fold
	}
	if p.cursor != nil {
		q.Offset = 0
		if *p.cursor != "" {
			c, err := directory.ParseCursor(*p.cursor)
			if err != nil {
				return q, err
			}
			q.After = c
		}
	}
	return q, nil
}

// listResponse is a page of resources (RFC 7644 §3.4.2; nextCursor from
// RFC 9865).
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex,omitempty"`
	ItemsPerPage int      `json:"itemsPerPage"`
	NextCursor   string   `json:"nextCursor,omitempty"`
	Resources    []any    `json:"Resources"`
}

func newListResponse(p *listParams, total int, next *directory.Cursor, resources []any) *listResponse {
	resp := &listResponse{Schemas: []string{ListResponseSchema}, TotalResults: total, ItemsPerPage: len(resources), Resources: resources}
	if p.cursor == nil {
		resp.StartIndex = p.startIndex
	} else {
		resp.NextCursor = next.Encode()
	}
	return resp
}
