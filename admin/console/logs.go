package console

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

// provisioningResources are the SCIM endpoints the log filters by.
var provisioningResources = []string{"Users", "Groups", "Bulk"}

type provisioningData struct {
	Outcome, Resource, Record string
	Resources                 []string
	Entries                   []provisioningRow
	// Before is the cursor of the next (older) page; 0 on the last.
	Before int64
}

type provisioningRow struct {
	*directory.ProvisioningEntry
	Failed bool
	Token  string // the token's description: which IdP asked
	// UserID is the user the request was about, for a link.
	UserID string
}

// provisioning is the provisioning log: every SCIM request an identity
// provider made, newest first, with the answer it got, so an admin sees
// why a sync failed without leaving the page.
func (c *Console) provisioning(w http.ResponseWriter, r *http.Request, p *page) error {
	v := r.URL.Query()
	d := &provisioningData{Outcome: v.Get("outcome"), Resource: v.Get("resource"), Record: strings.TrimSpace(v.Get("record")),
		Resources: provisioningResources}
	p.Title, p.Section, p.Data = "Provisioning log", "provisioning", d
	q := directory.ProvisioningQuery{Outcome: directory.ProvisioningOutcome(d.Outcome), ResourceID: d.Record, Limit: pageSize}
	if !q.Outcome.Valid() {
		return &problem{Status: http.StatusBadRequest, Title: "Unknown outcome", Message: "Outcome is failed or succeeded."}
	}
	if d.Resource != "" {
		known := false
		for _, res := range provisioningResources {
			known = known || res == d.Resource
		}
		if !known {
			return &problem{Status: http.StatusBadRequest, Title: "Unknown resource", Message: "Resource is Users, Groups or Bulk."}
		}
		q.Path = scim.Prefix + "/" + d.Resource
	}
	var err error
	if q.Before, err = before(v.Get("before")); err != nil {
		return err
	}
	ctx, tenant := r.Context(), p.Tenant.ID
	entries, err := c.svc.ProvisioningLog(ctx, tenant, q)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if ts, err := c.svc.Tokens(ctx, tenant); err == nil {
		for _, t := range ts {
			names[t.ID] = t.Description
		}
	}
	for _, e := range entries {
		row := provisioningRow{ProvisioningEntry: e, Failed: e.Status >= 400, Token: names[e.TokenID]}
		if e.ResourceID != "" && strings.HasPrefix(e.Path, scim.Prefix+"/Users") {
			row.UserID = e.ResourceID
		}
		d.Entries = append(d.Entries, row)
	}
	if len(entries) == q.Limit {
		d.Before = entries[len(entries)-1].ID
	}
	return c.render(w, p, "provisioning")
}

// before reads a page cursor of the logs: an entry's id.
func before(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, &problem{Status: http.StatusBadRequest, Title: "Not a page of this log",
			Message: "The address names a page that does not exist; start again from the first page."}
	}
	return n, nil
}

// auditActions are the kinds of events the audit log filters by.
var auditActions = []struct{ Value, Label string }{
	{"user.", "Users"}, {"team.", "Teams"}, {"session.", "Sign-ins and sign-outs"}, {"sso.", "Sign-in settings"},
	{"token.", "Tokens"}, {"organization.", "Organizations"}, {"customfield.", "Custom fields"}, {"tenant.", "Tenant"},
}

type auditData struct {
	Action, ActorKind, Target string
	Actions                   []struct{ Value, Label string }
	Events                    []eventRow
	Before                    int64
	// Export is the export link's query string: the same filters.
	Export string
}

// auditQuery reads the audit log's filters.
func auditQuery(r *http.Request) (directory.AuditQuery, error) {
	v := r.URL.Query()
	q := directory.AuditQuery{Action: strings.TrimSpace(v.Get("action")), ActorKind: directory.ActorKind(v.Get("actor")),
		TargetID: strings.TrimSpace(v.Get("target"))}
	switch q.ActorKind {
	case "", directory.ActorUser, directory.ActorToken, directory.ActorCLI, directory.ActorSystem:
	default:
		return q, &problem{Status: http.StatusBadRequest, Title: "Unknown actor", Message: "Actor is user, token, cli or system."}
	}
	return q, nil
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request, p *page) error {
	q, err := auditQuery(r)
	if err != nil {
		return err
	}
	d := &auditData{Action: q.Action, ActorKind: string(q.ActorKind), Target: q.TargetID, Actions: auditActions}
	p.Title, p.Section, p.Data = "Audit log", "audit", d
	if q.Before, err = before(r.URL.Query().Get("before")); err != nil {
		return err
	}
	q.Limit = pageSize
	evs, err := c.svc.AuditEvents(r.Context(), p.Tenant.ID, q)
	if err != nil {
		return err
	}
	d.Events = c.eventRows(r.Context(), p.Tenant.ID, evs)
	if len(evs) == q.Limit {
		d.Before = evs[len(evs)-1].ID
	}
	ex := r.URL.Query()
	ex.Del("before")
	if len(ex) > 0 {
		d.Export = "?" + ex.Encode()
	}
	return c.render(w, p, "audit")
}

// exportBatch is how many events the export reads at a time: it streams,
// so an export of millions of events takes constant memory.
const exportBatch = 1000

// auditExport downloads the audit log, with the page's filters, as JSON
// lines oldest first: the records scimd audit export writes, for a SIEM.
func (c *Console) auditExport(w http.ResponseWriter, r *http.Request, p *page) error {
	q, err := auditQuery(r)
	if err != nil {
		return err
	}
	q.Limit = exportBatch
	ctx, t := r.Context(), p.Tenant
	first, err := c.svc.AuditEventsAfter(ctx, t.ID, 0, q)
	if err != nil {
		return err
	}
	name := "scimd-audit-" + t.Slug + "-" + time.Now().UTC().Format("20060102T150405Z") + ".jsonl"
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)
	evs := first
	for {
		var last int64
		for _, e := range evs {
			rec := admin.NewAuditRecord(e)
			rec.Tenant = t.Slug
			if err := enc.Encode(rec); err != nil {
				return nil // the browser went away
			}
			last = e.ID
		}
		if len(evs) < exportBatch {
			break
		}
		if evs, err = c.svc.AuditEventsAfter(ctx, t.ID, last, q); err != nil {
			// The download is under way: all that can be done is to end
			// it short and log why.
			c.log.ErrorContext(ctx, "audit export cut short", "tenant", t.Slug, "err", err)
			break
		}
	}
	out.Flush()
	return nil
}
