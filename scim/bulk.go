package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Bulk limits (RFC 7644 §3.7.4), advertised in ServiceProviderConfig.
const (
	maxBulkOperations = 1000
	maxBulkPayload    = 4 << 20
)

// Bulk message schemas.
const (
	BulkRequestSchema  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseSchema = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

type bulkOp struct {
	Method  string `json:"method"`
	BulkID  string `json:"bulkId,omitempty"`
	Version string `json:"version,omitempty"`
	Path    string `json:"path"`
	Data    any    `json:"data,omitempty"`
}

type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Version  string          `json:"version,omitempty"`
	Location string          `json:"location,omitempty"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

var bulkRef = regexp.MustCompile(`bulkId:([A-Za-z0-9._~-]+)`)

// bulk runs a BulkRequest (RFC 7644 §3.7): each operation through the same
// routes as a single request, in an order that creates what a bulkId
// reference names before the operation that uses it, forward references
// included. A circular reference fails the operations in the circle.
func (h *handler) bulk(mux http.Handler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := readBody(w, r, maxBulkPayload)
		if err != nil {
			return err
		}
		var req struct {
			FailOnErrors int      `json:"failOnErrors"`
			Operations   []bulkOp `json:"Operations"`
		}
		if _, err := decodeObject(body); err != nil { // strictness: duplicates, depth
			return err
		}
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&req); err != nil {
			return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The BulkRequest is malformed: %s.", jsonProblem(err))
		}
		if len(req.Operations) == 0 {
			return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The BulkRequest has no Operations.")
		}
		if len(req.Operations) > maxBulkOperations {
			return errorf(http.StatusRequestEntityTooLarge, TypeTooMany, "A BulkRequest takes at most %d operations, not %d.", maxBulkOperations, len(req.Operations))
		}
		order, cyclic, err := bulkOrder(req.Operations)
		if err != nil {
			return err
		}
		results := make([]*bulkResult, len(req.Operations))
		created := map[string]string{} // bulkId → id
		failures := 0
		for _, i := range order {
			op := req.Operations[i]
			if req.FailOnErrors > 0 && failures >= req.FailOnErrors {
				break
			}
			res := &bulkResult{Method: strings.ToUpper(op.Method), BulkID: op.BulkID, Version: op.Version}
			results[i] = res
			if cyclic[i] {
				res.fail(errorf(http.StatusConflict, TypeInvalidValue, "Operation %s takes part in a circular bulkId reference.", describe(op)))
				failures++
				continue
			}
			if err := h.runBulkOp(mux, r, op, created, res); err != nil {
				res.fail(errorFor(err))
			}
			if n, _ := strconv.Atoi(res.Status); n >= 400 {
				failures++
			}
		}
		out := struct {
			Schemas    []string      `json:"schemas"`
			Operations []*bulkResult `json:"Operations"`
		}{Schemas: []string{BulkResponseSchema}}
		for _, res := range results {
			if res != nil {
				out.Operations = append(out.Operations, res)
			}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func (res *bulkResult) fail(e *Error) {
	res.Status = strconv.Itoa(e.Status)
	res.Response, _ = json.Marshal(e)
}

func describe(op bulkOp) string {
	if op.BulkID != "" {
		return op.Method + " " + op.Path + " (bulkId " + op.BulkID + ")"
	}
	return op.Method + " " + op.Path
}

// bulkOrder returns the operations in an order where each bulkId is
// created before it is referred to, and which operations are caught in a
// reference cycle.
func bulkOrder(ops []bulkOp) ([]int, map[int]bool, error) {
	byID := map[string]int{}
	for i, op := range ops {
		if op.BulkID == "" {
			continue
		}
		if _, dup := byID[op.BulkID]; dup {
			return nil, nil, errorf(http.StatusBadRequest, TypeInvalidValue, "bulkId %q is used by two operations.", op.BulkID)
		}
		byID[op.BulkID] = i
	}
	deps := make([][]int, len(ops))
	for i, op := range ops {
		text := op.Path
		if op.Data != nil {
			b, _ := json.Marshal(op.Data)
			text += string(b)
		}
		for _, m := range bulkRef.FindAllStringSubmatch(text, -1) {
			j, ok := byID[m[1]]
			if !ok {
				continue // reported when the operation runs
			}
			deps[i] = append(deps[i], j)
		}
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(ops))
	cyclic := map[int]bool{}
	var order []int
	var visit func(i int) bool
	visit = func(i int) bool {
		switch state[i] {
		case visiting:
			return false
		case done:
			return !cyclic[i]
		}
		state[i] = visiting
		ok := true
		for _, j := range deps[i] {
			if !visit(j) {
				ok = false
			}
		}
		state[i] = done
		if !ok {
			cyclic[i] = true
		}
		order = append(order, i)
		return ok
	}
	for i := range ops {
		visit(i)
	}
	return order, cyclic, nil
}

// runBulkOp runs one operation through the routes, as its own request on
// behalf of the same token.
func (h *handler) runBulkOp(mux http.Handler, r *http.Request, op bulkOp, created map[string]string, res *bulkResult) error {
	var missing string
	resolve := func(s string) string {
		return bulkRef.ReplaceAllStringFunc(s, func(ref string) string {
			id, ok := created[ref[len("bulkId:"):]]
			if !ok {
				missing = ref
				return ref
			}
			return id
		})
	}
	path := resolve(op.Path)
	data := resolveRefs(op.Data, resolve)
	if missing != "" {
		return errorf(http.StatusConflict, TypeInvalidValue, "%s refers to %s, which no successful operation of this request created.", describe(op), missing)
	}
	method := strings.ToUpper(op.Method)
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return errorf(http.StatusBadRequest, TypeInvalidValue, "Bulk operations are POST, PUT, PATCH or DELETE, not %q.", op.Method)
	}
	if !strings.HasPrefix(path, "/Users") && !strings.HasPrefix(path, "/Groups") {
		return errorf(http.StatusBadRequest, TypeInvalidPath, "Bulk operation path %q is not under /Users or /Groups.", op.Path)
	}
	if method == http.MethodPost && op.BulkID == "" {
		return errorf(http.StatusBadRequest, TypeInvalidValue, "A bulk POST needs a bulkId.")
	}
	var body []byte
	if data != nil {
		body, _ = json.Marshal(data)
	}
	// Each operation is a request of its own in the provisioning log.
	ctx := context.WithValue(r.Context(), outcomeKey{}, &outcome{})
	sub, err := http.NewRequestWithContext(ctx, method, Prefix+path, bytes.NewReader(body))
	if err != nil {
		return errorf(http.StatusBadRequest, TypeInvalidPath, "Bulk operation path %q is not a valid path.", op.Path)
	}
	sub.Header.Set("Content-Type", MediaType)
	if op.Version != "" {
		sub.Header.Set("If-Match", op.Version)
	}
	rec := &recorder{header: http.Header{}}
	h.record(mux).ServeHTTP(rec, sub)
	res.Status = strconv.Itoa(rec.status)
	if loc := rec.header.Get("Location"); loc != "" {
		res.Location = loc
	} else if method != http.MethodPost && rec.status < 300 {
		res.Location = h.base + path
	}
	res.Version = rec.header.Get("ETag")
	if rec.status >= 400 {
		res.Response = json.RawMessage(rec.body.Bytes())
	}
	if method == http.MethodPost && rec.status == http.StatusCreated {
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(rec.body.Bytes(), &v) == nil {
			created[op.BulkID] = v.ID
		}
	}
	return nil
}

// resolveRefs replaces bulkId references in every string of a JSON value.
func resolveRefs(v any, resolve func(string) string) any {
	switch x := v.(type) {
	case string:
		return resolve(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveRefs(e, resolve)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = resolveRefs(e, resolve)
		}
		return out
	}
	return v
}

// recorder is an in-memory ResponseWriter for one bulk operation.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func jsonProblem(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("%s must be %s", te.Field, te.Type)
	}
	return "it is not a BulkRequest"
}
