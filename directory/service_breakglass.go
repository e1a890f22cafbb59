package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Sealer seals and opens secrets at rest (internal/secretbox's Keeper):
// break-glass TOTP secrets are kept sealed, and opened only to check a
// code.
type Sealer interface {
	Seal(plaintext []byte, context string) ([]byte, error)
	Open(sealed []byte, context string) ([]byte, error)
}

// linkPrefix marks break-glass link secrets, as tokenPrefix marks tokens.
const linkPrefix = "scimdb_"

func newLinkSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return linkPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// breakGlassFilter matches the tenant's break-glass account named userName.
func breakGlassFilter(userName string) Expr {
	return And{
		Left:  Cmp{Attr: AttrUserName, Op: OpEq, Value: userName, Fold: true},
		Right: Cmp{Attr: AttrBreakGlass, Op: OpEq, Value: true},
	}
}

// BreakGlassAccounts lists the tenant's break-glass accounts, active or
// not, by userName, with the state of their credentials.
func (s *Service) BreakGlassAccounts(ctx context.Context, tenant int64) ([]*BreakGlassAccount, error) {
	page, err := s.store.Users(ctx, tenant, Query{Filter: Cmp{Attr: AttrBreakGlass, Op: OpEq, Value: true},
		SortBy: AttrUserName, SortFold: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	now := s.clock()
	out := make([]*BreakGlassAccount, 0, len(page.Users))
	for _, u := range page.Users {
		a := &BreakGlassAccount{User: u}
		c, err := s.store.BreakGlassCredentials(ctx, tenant, u.ID)
		switch {
		case err == nil:
			a.Enrolled, a.LastSignIn, a.CodesLeft = c.Enrolled, c.LastSignIn, c.CodesLeft
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
		ths, err := s.store.Throttles(ctx, tenant, []string{accountKey(u.UserName)})
		if err != nil {
			return nil, err
		}
		if len(ths) == 1 && ths[0].locked(now) {
			a.LockedUntil = ths[0].LockedUntil
		}
		links, err := s.store.BreakGlassLinks(ctx, tenant, u.ID, PurposeEnroll)
		if err != nil {
			return nil, err
		}
		if len(links) > 0 && now.Before(links[0].Expires) {
			a.EnrollExpires = &links[0].Expires
		}
		out = append(out, a)
	}
	return out, nil
}

// BreakGlassAccount returns the tenant's break-glass account with id, or
// named id (its userName). It returns ErrNotFound.
func (s *Service) BreakGlassAccount(ctx context.Context, tenant int64, idOrName string) (*User, error) {
	if id, ok := CanonicalID(idOrName); ok {
		u, err := s.store.User(ctx, tenant, id, false)
		if err != nil {
			return nil, err
		}
		if !u.BreakGlass {
			return nil, ErrNotFound
		}
		return u, nil
	}
	page, err := s.store.Users(ctx, tenant, Query{Filter: breakGlassFilter(strings.TrimSpace(idOrName)), Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Users) == 0 {
		return nil, ErrNotFound
	}
	return page.Users[0], nil
}

// EnrollLink is a new enrollment link's secret and expiry; the caller
// makes it a URL. The secret is shown once and never kept.
type EnrollLink struct {
	Secret  string
	Expires time.Time
}

// CreateBreakGlass makes a break-glass account for email: a local owner,
// never linked to or managed by the identity provider, that can sign in
// once it is enrolled through the returned link. It refuses a fourth
// active account, an address an IdP-provisioned user or any other user
// has, and actors who may not configure sign-in. It returns
// ValidationError, ConflictError and InvariantError.
func (s *Service) CreateBreakGlass(ctx context.Context, actor Actor, tenant int64, email string) (*User, *EnrollLink, error) {
	email = strings.TrimSpace(email)
	if err := checkBreakGlassEmail(email); err != nil {
		return nil, nil, err
	}
	if err := checkSSOAdmin(actor); err != nil {
		return nil, nil, s.refused(ctx, actor, tenant, "breakglass.create", "user", "", err)
	}
	page, err := s.store.Users(ctx, tenant, Query{Filter: Cmp{Attr: AttrUserName, Op: OpEq, Value: email, Fold: true}, Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	if len(page.Users) == 1 {
		err := existingUserRefusal(page.Users[0])
		return nil, nil, s.refused(ctx, actor, tenant, "breakglass.create", "user", page.Users[0].ID, err)
	}
	now := s.clock()
	u := &User{
		ID: NewID(), TenantID: tenant, Version: 1, UserName: email, DisplayName: "Break-glass " + email,
		Active: true, Role: RoleOwner, Source: SourceLocal, BreakGlass: true,
		Identities: []Identity{{ID: NewID(), Kind: KindEmail, Value: email, Type: "work", Primary: true, Verified: true}},
		Created:    now, Updated: now,
	}
	if err := normalizeUser(u); err != nil {
		return nil, nil, err
	}
	link := &EnrollLink{Secret: newLinkSecret(), Expires: now.Add(EnrollTTL)}
	err = s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.LockTenant(ctx, tenant); err != nil {
			return err
		}
		if err := checkBreakGlassCount(ctx, tx, tenant); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := moveSeats(ctx, tx, tenant, b2i(u.TakesSeat())); err != nil {
			return err
		}
		if err := tx.InsertBreakGlassLink(ctx, &BreakGlassLink{Hash: HashSecret(link.Secret), TenantID: tenant, UserID: u.ID,
			Purpose: PurposeEnroll, Created: now, Expires: link.Expires}); err != nil {
			return err
		}
		changes := append(DiffUsers(nil, u), Change{Field: "enrollExpires", After: link.Expires})
		return tx.InsertAudit(ctx, s.event(actor, tenant, "breakglass.create", "user", u.ID, u.UserName, changes))
	})
	if err != nil {
		err = s.explainSeats(ctx, tenant, s.conflictValue(ctx, tenant, err, u))
		return nil, nil, s.refused(ctx, actor, tenant, "breakglass.create", "user", "", err)
	}
	return u, link, nil
}

// existingUserRefusal says why the user u can't become a break-glass
// account.
func existingUserRefusal(u *User) error {
	switch {
	case u.BreakGlass:
		return &ConflictError{Kind: "break-glass account", Field: FieldUserName, Value: u.UserName}
	case u.Source == SourceSCIM:
		return &InvariantError{Rule: RuleBreakGlass, Field: FieldBreakGlass, Detail: fmt.Sprintf(
			"%s is provisioned by the identity provider, and a break-glass account never is: use an address of its own, such as one at another domain", u.UserName)}
	default:
		return &InvariantError{Rule: RuleBreakGlass, Field: FieldBreakGlass, Detail: fmt.Sprintf(
			"%s is an existing user; break-glass accounts are made apart from other users: use an address of its own", u.UserName)}
	}
}

// checkBreakGlassCount refuses one more active break-glass account.
func checkBreakGlassCount(ctx context.Context, tx Tx, tenant int64) error {
	n, err := tx.CountBreakGlass(ctx, tenant)
	if err != nil {
		return err
	}
	if n >= MaxBreakGlass {
		return &InvariantError{Rule: RuleBreakGlass, Field: FieldBreakGlass, Detail: fmt.Sprintf(
			"this tenant has %d active break-glass accounts, the most it may have; disable one first", n)}
	}
	return nil
}

func checkBreakGlassEmail(email string) error {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(email, " \t\r\n<>\"") || len(email) > 254 {
		return invalid(FieldUserName, "%q is not an email address such as breakglass@acme.example", truncateText(email, 80))
	}
	return checkText(FieldUserName, email)
}

// DisableBreakGlass disables a break-glass account: it can't sign in, its
// sessions end and its open links stop working. The last owner or admin
// stays, as everywhere. It returns ErrNotFound and InvariantError.
func (s *Service) DisableBreakGlass(ctx context.Context, actor Actor, tenant int64, id string) (*User, error) {
	if err := checkSSOAdmin(actor); err != nil {
		return nil, s.refused(ctx, actor, tenant, "breakglass.disable", "user", id, err)
	}
	var out *User
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.UserForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		if !before.BreakGlass {
			return ErrNotFound
		}
		for _, p := range []LinkPurpose{PurposeEnroll, PurposeRecover} {
			if err := tx.DeleteBreakGlassLinks(ctx, tenant, before.ID, p); err != nil {
				return err
			}
		}
		if !before.Active {
			out = before
			return nil
		}
		next := before.Clone()
		next.Active = false
		out, err = s.saveUser(ctx, tx, actor, before, next, "breakglass.disable")
		return err
	})
	if err != nil {
		return nil, s.refused(ctx, actor, tenant, "breakglass.disable", "user", id, err)
	}
	return out, nil
}

// ResetBreakGlass forgets a break-glass account's password, TOTP and
// recovery codes, ends its sessions, enables it if it was disabled (within
// MaxBreakGlass), and returns a new enrollment link: what to do when its
// holder lost them, or left. It returns ErrNotFound and InvariantError.
func (s *Service) ResetBreakGlass(ctx context.Context, actor Actor, tenant int64, id string) (*User, *EnrollLink, error) {
	if err := checkSSOAdmin(actor); err != nil {
		return nil, nil, s.refused(ctx, actor, tenant, "breakglass.reset", "user", id, err)
	}
	now := s.clock()
	link := &EnrollLink{Secret: newLinkSecret(), Expires: now.Add(EnrollTTL)}
	var out *User
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.LockTenant(ctx, tenant); err != nil {
			return err
		}
		u, err := tx.UserForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		if !u.BreakGlass {
			return ErrNotFound
		}
		if !u.Active {
			if err := checkBreakGlassCount(ctx, tx, tenant); err != nil {
				return err
			}
			next := u.Clone()
			next.Active = true
			if u, err = s.saveUser(ctx, tx, actor, u, next, "breakglass.enable"); err != nil {
				return err
			}
		}
		if err := tx.DeleteBreakGlassCredentials(ctx, tenant, u.ID); err != nil {
			return err
		}
		if err := tx.EndUserSessions(ctx, tenant, u.ID, now, "break-glass reset"); err != nil {
			return err
		}
		if err := tx.InsertBreakGlassLink(ctx, &BreakGlassLink{Hash: HashSecret(link.Secret), TenantID: tenant, UserID: u.ID,
			Purpose: PurposeEnroll, Created: now, Expires: link.Expires}); err != nil {
			return err
		}
		out = u
		return tx.InsertAudit(ctx, s.event(actor, tenant, "breakglass.reset", "user", u.ID, u.UserName,
			[]Change{{Field: "credentials", Before: "set", After: "removed"}, {Field: "enrollExpires", After: link.Expires}}))
	})
	if err != nil {
		return nil, nil, s.refused(ctx, actor, tenant, "breakglass.reset", "user", id, s.explainSeats(ctx, tenant, err))
	}
	return out, link, nil
}

// MintRecoverLink makes a single-use link, valid for ttl, that opens a
// break-glass session as the break-glass account id without its password
// or TOTP: what an operator with shell access (scimd recover) gives an
// admin who lost everything. Only the CLI may. It returns ErrNotFound,
// ValidationError and InvariantError.
func (s *Service) MintRecoverLink(ctx context.Context, actor Actor, tenant int64, id string, ttl time.Duration) (*EnrollLink, error) {
	if ttl < MinRecoverTTL || ttl > MaxRecoverTTL {
		return nil, invalid("ttl", "a recover link lasts between %s and %s, not %s", MinRecoverTTL, MaxRecoverTTL, ttl)
	}
	if actor.Kind != ActorCLI {
		return nil, s.refused(ctx, actor, tenant, "breakglass.recover.mint", "user", id, &InvariantError{Rule: RuleBreakGlass,
			Field: "recover", Detail: "only an operator at the server's shell can make a recover link (scimd recover)"})
	}
	now := s.clock()
	link := &EnrollLink{Secret: newLinkSecret(), Expires: now.Add(ttl)}
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		if !u.BreakGlass {
			return ErrNotFound
		}
		if !u.Active {
			return &InvariantError{Rule: RuleBreakGlass, Field: FieldActive, Detail: fmt.Sprintf(
				"%s is disabled; enable it again with scimd breakglass reset first", u.UserName)}
		}
		if err := tx.InsertBreakGlassLink(ctx, &BreakGlassLink{Hash: HashSecret(link.Secret), TenantID: tenant, UserID: u.ID,
			Purpose: PurposeRecover, Created: now, Expires: link.Expires}); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "breakglass.recover.mint", "user", u.ID, u.UserName,
			[]Change{{Field: "expires", After: link.Expires}}))
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// SetBreakGlassSettings calls update on a copy of the tenant's break-glass
// settings and saves them. It refuses a break-glass session, whose
// sign-in the webhook announces. It returns ErrNotFound, ValidationError,
// InvariantError, or what update returns.
func (s *Service) SetBreakGlassSettings(ctx context.Context, actor Actor, tenant int64, update func(*BreakGlassSettings) error) (*BreakGlassSettings, error) {
	if err := checkSSOAdmin(actor); err != nil {
		return nil, s.refused(ctx, actor, tenant, "breakglass.settings", "tenant", fmt.Sprint(tenant), err)
	}
	if actor.Scope == ScopeBreakGlass {
		// The alert is how owners learn of a break-glass sign-in: the
		// session it announces can't silence it.
		return nil, s.refused(ctx, actor, tenant, "breakglass.settings", "tenant", fmt.Sprint(tenant), &InvariantError{Rule: RuleBreakGlass,
			Field: "alertWebhook", Detail: "a break-glass session can't change the alert webhook; sign in through your identity provider as an owner"})
	}
	var out *BreakGlassSettings
	err := s.store.Write(ctx, func(tx Tx) error {
		t, err := tx.LockTenant(ctx, tenant)
		if err != nil {
			return err
		}
		before := t.Settings.BreakGlass
		next := before
		if err := update(&next); err != nil {
			return err
		}
		next.AlertWebhook = strings.TrimSpace(next.AlertWebhook)
		if err := checkWebhook(next.AlertWebhook); err != nil {
			return err
		}
		out = &next
		if next == before {
			return nil
		}
		t.Settings.BreakGlass = next
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "breakglass.settings", "tenant", fmt.Sprint(tenant), t.Slug,
			[]Change{{Field: "alertWebhook", Before: before.AlertWebhook, After: next.AlertWebhook}}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkWebhook(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.User != nil || p.Fragment != "" || len(u) > 2048 {
		return invalid("alertWebhook", "the alert webhook must be a URL such as https://hooks.example.com/scimd")
	}
	if p.Scheme != "https" && !(p.Scheme == "http" && isLoopback(p.Hostname())) {
		return invalid("alertWebhook", "the alert webhook must be an https:// URL (plain http only on localhost)")
	}
	return checkText("alertWebhook", u)
}

// SweepBreakGlass deletes links that expired a day ago and throttles idle
// for longer than they remember failures. Serving calls it with the
// sign-in sweep.
func (s *Service) SweepBreakGlass(ctx context.Context) (int, error) {
	before := s.clock().Add(-max(AccountThrottle.Forget, AddressThrottle.Forget))
	var n int
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		n, err = tx.SweepBreakGlass(ctx, before)
		return err
	})
	return n, err
}
