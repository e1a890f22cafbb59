package console

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimd/scimd/directory"
)

// eventRow is an audit event as the console lists it.
type eventRow struct {
	*directory.AuditEvent
	Actor   string
	Changes []string
}

// actors names the actors of events for people: a user by its userName,
// a token by its description. It reads each actor once per page.
type actors struct {
	svc    *directory.Service
	tenant int64
	users  map[string]string
	tokens map[string]string
}

func newActors(svc *directory.Service, tenant int64) *actors {
	return &actors{svc: svc, tenant: tenant, users: map[string]string{}}
}

func (a *actors) name(ctx context.Context, act directory.Actor) string {
	switch act.Kind {
	case directory.ActorCLI:
		return "the operator (CLI)"
	case directory.ActorSystem:
		return "scimd"
	case directory.ActorToken:
		if a.tokens == nil {
			a.tokens = map[string]string{}
			if ts, err := a.svc.Tokens(ctx, a.tenant); err == nil {
				for _, t := range ts {
					a.tokens[t.ID] = t.Description
				}
			}
		}
		what := "admin token"
		if act.Scope == directory.ScopeSCIM {
			what = "identity provider"
		}
		if d := a.tokens[act.ID]; d != "" {
			return what + " (" + d + ")"
		}
		return what
	case directory.ActorUser:
		if act.ID == "" {
			return "someone unknown"
		}
		n, ok := a.users[act.ID]
		if !ok {
			n = "a deleted user"
			if u, err := a.svc.User(ctx, a.tenant, act.ID, false); err == nil {
				n = u.UserName
			}
			a.users[act.ID] = n
		}
		return n
	}
	return string(act.Kind)
}

// eventRows renders events for a list.
func (c *Console) eventRows(ctx context.Context, tenant int64, evs []*directory.AuditEvent) []eventRow {
	names := newActors(c.svc, tenant)
	out := make([]eventRow, len(evs))
	for i, e := range evs {
		out[i] = eventRow{AuditEvent: e, Actor: names.name(ctx, e.Actor)}
		for _, ch := range e.Changes {
			out[i].Changes = append(out[i].Changes, describeChange(ch))
		}
	}
	return out
}

// describeChange writes one change as a line: "Extension: 4711 → 4712".
func describeChange(ch directory.Change) string {
	b, a := value(ch.Before), value(ch.After)
	switch {
	case b == "" && a == "":
		return label(ch.Field)
	case b == "":
		return label(ch.Field) + ": " + a
	case a == "":
		return label(ch.Field) + ": " + b + " → (none)"
	}
	return label(ch.Field) + ": " + b + " → " + a
}

// value writes a changed value briefly: text as it is, the rest as
// compact JSON, cut at 120 characters.
func value(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			s = fmt.Sprint(x)
		} else {
			s = string(b)
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
