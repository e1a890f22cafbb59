package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Service is the directory's one door for writers: it applies every rule
// and writes each change together with its audit event. Reads pass through
// to the Store.
type Service struct {
	store Store
	now   func() time.Time

	// lastUsed holds token use not yet written; FlushTokenUse writes it.
	mu       sync.Mutex
	lastUsed map[string]time.Time
	// tokens remembers recently authenticated tokens by hash, briefly
	// (see tokenCacheTTL).
	tokens map[string]cachedToken
}

// NewService returns a Service over store. now is the clock (time.Now in
// production); times are kept in UTC to the microsecond, as every store
// keeps them.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now, lastUsed: map[string]time.Time{}, tokens: map[string]cachedToken{}}
}

// Store returns the store the service writes to.
func (s *Service) Store() Store { return s.store }

func (s *Service) clock() time.Time { return TimeValue(s.now()) }

func (s *Service) event(actor Actor, tenant int64, action, kind, id, name string, changes []Change) *AuditEvent {
	return &AuditEvent{
		TenantID: tenant, At: s.clock(), Actor: actor, Action: action,
		TargetKind: kind, TargetID: id, TargetName: name, Changes: changes,
		Outcome: OutcomeSuccess, RequestID: actor.RequestID,
	}
}

// CreateTenant adds a tenant. seats 0 means unlimited. It returns a
// ConflictError when the slug is taken.
func (s *Service) CreateTenant(ctx context.Context, actor Actor, slug, name string, seats int) (*Tenant, error) {
	slug = strings.TrimSpace(slug)
	if err := checkSlug(slug); err != nil {
		return nil, err
	}
	if err := checkSeats(seats); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = slug
	}
	if err := checkText("name", name); err != nil {
		return nil, err
	}
	t := &Tenant{Slug: slug, Name: name, Seats: seats, Created: s.clock()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertTenant(ctx, t); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, t.ID, "tenant.create", "tenant", fmt.Sprint(t.ID), slug,
			[]Change{{Field: "slug", After: slug}, {Field: "name", After: name}, {Field: FieldSeats, After: seats}}))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Tenant returns the tenant with id. It returns ErrNotFound.
func (s *Service) Tenant(ctx context.Context, id int64) (*Tenant, error) {
	return s.store.Tenant(ctx, id)
}

// TenantBySlug returns the tenant named slug. It returns ErrNotFound.
func (s *Service) TenantBySlug(ctx context.Context, slug string) (*Tenant, error) {
	return s.store.TenantBySlug(ctx, slug)
}

// Tenants returns every tenant.
func (s *Service) Tenants(ctx context.Context) ([]*Tenant, error) {
	return s.store.Tenants(ctx)
}

// SetSeats changes how many staff the tenant may have (0: unlimited). It
// refuses a limit below the staff who already take a seat.
func (s *Service) SetSeats(ctx context.Context, actor Actor, tenant int64, seats int) (*Tenant, error) {
	if err := checkSeats(seats); err != nil {
		return nil, err
	}
	var out *Tenant
	err := s.store.Write(ctx, func(tx Tx) error {
		t, err := tx.LockSeats(ctx, tenant)
		if err != nil {
			return err
		}
		used, err := tx.CountSeats(ctx, tenant)
		if err != nil {
			return err
		}
		if seats > 0 && used > seats {
			return &InvariantError{Rule: RuleSeats, Field: FieldSeats, Detail: fmt.Sprintf(
				"%d staff take a seat, more than %d; disable or delete staff first", used, seats)}
		}
		before := t.Seats
		t.Seats, t.SeatsUsed = seats, used
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return err
		}
		out = t
		return tx.InsertAudit(ctx, s.event(actor, tenant, "tenant.seats", "tenant", fmt.Sprint(tenant), t.Slug,
			[]Change{{Field: FieldSeats, Before: before, After: seats}}))
	})
	return out, err
}

// Seats reports how many seats the tenant has and uses.
func (s *Service) Seats(ctx context.Context, tenant int64) (SeatUsage, error) {
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return SeatUsage{}, err
	}
	used, err := s.store.CountSeats(ctx, tenant)
	if err != nil {
		return SeatUsage{}, err
	}
	u := SeatUsage{Seats: t.Seats, Used: used, Available: -1}
	if t.Seats > 0 {
		u.Available = max(t.Seats-used, 0)
	}
	return u, nil
}

// moveSeats applies a change of delta seats. A store may report going
// over the limit only at the commit: explainSeats words it.
func moveSeats(ctx context.Context, tx Tx, tenant int64, delta int) error {
	if delta == 0 {
		return nil
	}
	return tx.AddSeats(ctx, tenant, delta)
}

// explainSeats turns a store's "over the seat limit" into the sentence an
// admin reads, with the tenant's number of seats. It reads the tenant
// outside the failed transaction.
func (s *Service) explainSeats(ctx context.Context, tenant int64, err error) error {
	ie, ok := errors.AsType[*InvariantError](err)
	if !ok || ie.Rule != RuleSeats || ie.Field != FieldSeats {
		return err
	}
	seats := 0
	if t, terr := s.store.Tenant(ctx, tenant); terr == nil {
		seats = t.Seats
	}
	return &InvariantError{Rule: RuleSeats, Field: FieldActive, Detail: fmt.Sprintf(
		"all %d seats of this tenant are taken; free a seat (disable a staff member) or add seats first", seats)}
}

// AuditEvents returns the tenant's audit events matching q, newest first.
func (s *Service) AuditEvents(ctx context.Context, tenant int64, q AuditQuery) ([]*AuditEvent, error) {
	return s.store.AuditEvents(ctx, tenant, q)
}

// refused records a change that a rule refused (an InvariantError or a
// ReadOnlyError) as a denied audit event, and returns err. Other errors
// pass through unrecorded: they are malformed input, not attempts.
func (s *Service) refused(ctx context.Context, actor Actor, tenant int64, action, kind, id string, err error) error {
	_, ie := errors.AsType[*InvariantError](err)
	_, ro := errors.AsType[*ReadOnlyError](err)
	if !ie && !ro {
		return err
	}
	if rerr := s.RecordDenied(ctx, actor, tenant, action, kind, id, err); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// RecordDenied writes an audit event for a change that was refused, so the
// log shows attempts as well as changes. It writes in a transaction of its
// own: the refused change wrote nothing.
func (s *Service) RecordDenied(ctx context.Context, actor Actor, tenant int64, action, kind, id string, reason error) error {
	e := s.event(actor, tenant, action, kind, id, "", nil)
	e.Outcome, e.Reason = OutcomeDenied, reason.Error()
	return s.store.Write(ctx, func(tx Tx) error { return tx.InsertAudit(ctx, e) })
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LogProvisioning appends entries to the provisioning log.
func (s *Service) LogProvisioning(ctx context.Context, entries []ProvisioningEntry) error {
	return s.store.LogProvisioning(ctx, entries)
}
