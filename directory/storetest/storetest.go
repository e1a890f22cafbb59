// Package storetest is the conformance suite every directory.Store must
// pass: every rule, every query, paging, tombstones and concurrency, run
// through directory.Service as the real writers run it. It includes the
// cases where PostgreSQL and SQLite drift apart unless the store takes care:
// case-insensitive userNames in all of Unicode, time zones, malformed ids.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// NewStore returns an empty, migrated store for one test; the test closes
// it.
type NewStore func(t *testing.T) directory.Store

// Run runs the suite, each case on a store of its own.
func Run(t *testing.T, newStore NewStore) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, setup(t, newStore(t)))
		})
	}
}

type testCase struct {
	name string
	fn   func(*testing.T, *env)
}

// cases is filled in by the files of this package, one area each.
var cases []testCase

func add(name string, fn func(*testing.T, *env)) bool {
	cases = append(cases, testCase{name, fn})
	return true
}

// env is one case's world: a store, the service over it, a clock and a
// tenant.
type env struct {
	ctx    context.Context
	store  directory.Store
	svc    *directory.Service
	clock  *clock
	tenant *directory.Tenant
}

// clock ticks a millisecond at every reading, in a zone far from UTC, so
// that stores that keep local times show it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// advance moves the clock on by d.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond + 1500*time.Nanosecond)
	return c.t
}

var tokyo = time.FixedZone("JST", 9*3600)

func setup(t *testing.T, store directory.Store) *env {
	e := &env{ctx: t.Context(), store: store, clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, tokyo)}}
	e.svc = directory.NewService(store, e.clock.now)
	tn, err := e.svc.CreateTenant(e.ctx, directory.CLI, "acme", "Acme", 0)
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	e.tenant = tn
	return e
}

// Actors the cases write as.
var (
	idp   = directory.Actor{Kind: directory.ActorToken, ID: "00000000-0000-7000-8000-000000000001", Scope: directory.ScopeSCIM}
	admin = directory.Actor{Kind: directory.ActorToken, ID: "00000000-0000-7000-8000-000000000002", Scope: directory.ScopeAdmin}
	cli   = directory.CLI
)

func asUser(role directory.Role) directory.Actor {
	return directory.Actor{Kind: directory.ActorUser, ID: "00000000-0000-7000-8000-0000000000aa", Role: role}
}

// user creates a user as actor, failing the test on error.
func (e *env) user(t *testing.T, actor directory.Actor, u *directory.User) *directory.User {
	t.Helper()
	out, err := e.svc.CreateUser(e.ctx, actor, e.tenant.ID, u)
	if err != nil {
		t.Fatalf("create user %s: %v", u.UserName, err)
	}
	return out
}

func email(v string, primary bool) directory.Identity {
	return directory.Identity{Kind: directory.KindEmail, Value: v, Type: "work", Primary: primary}
}

func phone(v, typ string) directory.Identity {
	return directory.Identity{Kind: directory.KindPhone, Value: v, Type: typ}
}

// update applies fn as actor, failing the test on error.
func (e *env) update(t *testing.T, actor directory.Actor, id string, fn func(*directory.User)) *directory.User {
	t.Helper()
	out, err := e.svc.UpdateUser(e.ctx, actor, e.tenant.ID, id, 0, func(u *directory.User) error { fn(u); return nil })
	if err != nil {
		t.Fatalf("update user %s: %v", id, err)
	}
	return out
}

// reread reads a user back from the store.
func (e *env) reread(t *testing.T, id string) *directory.User {
	t.Helper()
	u, err := e.store.User(e.ctx, e.tenant.ID, id, true)
	if err != nil {
		t.Fatalf("read user %s: %v", id, err)
	}
	return u
}

// audit returns the tenant's audit events for target, oldest first.
func (e *env) audit(t *testing.T, target string) []*directory.AuditEvent {
	t.Helper()
	evs, err := e.store.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{TargetID: target})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs
}

func wantErr[E error](t *testing.T, err error, what string) E {
	t.Helper()
	e, ok := errors.AsType[E](err)
	if !ok {
		var zero E
		t.Fatalf("%s: got error %v, want %T", what, err, zero)
	}
	return e
}

func wantIs(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func isPrecondition(err error) bool { return errors.Is(err, directory.ErrPrecondition) }
