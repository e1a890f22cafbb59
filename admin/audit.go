package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// AuditRecord is an audit event as the admin API answers it and as
// scimd audit export writes it, one per line, for a SIEM. Its member
// names are stable; times are RFC 3339 in UTC.
type AuditRecord struct {
	ID int64 `json:"id"`
	// Tenant is the tenant's slug; export fills it in, so lines from
	// several tenants can share a file.
	Tenant    string             `json:"tenant,omitempty"`
	At        string             `json:"at"`
	Actor     AuditActor         `json:"actor"`
	Action    string             `json:"action"`
	Target    AuditTarget        `json:"target"`
	Changes   []directory.Change `json:"changes,omitempty"`
	Outcome   string             `json:"outcome"` // success, denied or failure
	Reason    string             `json:"reason,omitempty"`
	RequestID string             `json:"requestId,omitempty"`
}

// AuditActor is who acted: a token (an identity provider or an admin
// client), a signed-in user, the CLI or scimd itself.
type AuditActor struct {
	Kind  directory.ActorKind `json:"kind"`
	ID    string              `json:"id,omitempty"`
	Scope directory.Scope     `json:"scope,omitempty"`
	Role  directory.Role      `json:"role,omitempty"`
}

// AuditTarget is what the event is about.
type AuditTarget struct {
	Kind string `json:"kind,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// NewAuditRecord renders e.
func NewAuditRecord(e *directory.AuditEvent) AuditRecord {
	return AuditRecord{
		ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano),
		Actor:  AuditActor{Kind: e.Actor.Kind, ID: e.Actor.ID, Scope: e.Actor.Scope, Role: e.Actor.Role},
		Action: e.Action, Target: AuditTarget{Kind: e.TargetKind, ID: e.TargetID, Name: e.TargetName},
		Changes: e.Changes, Outcome: e.Outcome, Reason: e.Reason, RequestID: e.RequestID,
	}
}

// audit lists the tenant's audit log, newest first: actor (an actor's
// id), target (a record's id), action (exact, or a prefix ending in "."
// such as "user."), since and until (RFC 3339; since inclusive), and
// before (an event id: the answer's nextBefore) with limit to page.
func (h *handler) audit(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := directory.AuditQuery{ActorID: v.Get("actor"), ActorKind: directory.ActorKind(v.Get("actorKind")),
		TargetID: v.Get("target"), Action: v.Get("action"), Limit: defaultCount}
	var err error
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := v.Get(name); s != "" {
			if *dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return invalidf(name, "%s %q is not a time such as 2026-03-01T09:00:00Z.", name, s)
			}
		}
	}
	if s := v.Get("before"); s != "" {
		if q.Before, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64); err != nil || q.Before <= 0 {
			return invalidf("before", "before %q is not an event id.", s)
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = intParam("limit", s); err != nil {
			return err
		}
		q.Limit = min(max(q.Limit, 1), maxCount)
	}
	evs, err := h.svc.AuditEvents(r.Context(), tenantOf(r), q)
	if err != nil {
		return err
	}
	out := struct {
		Events     []AuditRecord `json:"events"`
		NextBefore int64         `json:"nextBefore,omitempty"`
	}{Events: make([]AuditRecord, len(evs))}
	for i, e := range evs {
		out.Events[i] = NewAuditRecord(e)
	}
	if len(evs) == q.Limit {
		out.NextBefore = evs[len(evs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// seats answers how many seats the tenant has, uses and has left; seats
// and available are null while seats are unlimited. Changing the number
// of seats is the operator's (scimd tenant update --seats).
func (h *handler) seats(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.Seats(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	out := struct {
		Seats     *int `json:"seats"`
		Used      int  `json:"used"`
		Available *int `json:"available"`
		Unlimited bool `json:"unlimited"`
	}{Used: u.Used, Unlimited: u.Seats == 0}
	if u.Seats > 0 {
		out.Seats, out.Available = &u.Seats, &u.Available
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
