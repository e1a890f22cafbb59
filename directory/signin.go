package directory

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SignInClaims is what an identity provider vouched for about the person
// signing in, once the connector verified its answer: the immutable
// subject, and what the tenant may link a first sign-in by.
type SignInClaims struct {
	ConnectionID string
	// Subject is the provider's immutable id for the person: OIDC's sub
	// (or Entra's oid), SAML's persistent NameID.
	Subject string
	// ExternalID is what the externalId link method compares with a
	// user's externalId; "" means Subject.
	ExternalID    string
	Email         string
	EmailVerified bool
	UserName      string
	DisplayName   string
	GivenName     string
	FamilyName    string
}

// SignInReason says why a sign-in was refused, for the page the person
// sees and for the audit log. Connectors add reasons of their own (a
// state that does not match, a token that does not verify).
type SignInReason string

// The reasons the directory refuses a sign-in for.
const (
	ReasonConnectionDisabled SignInReason = "connection_disabled"
	ReasonNoSubject          SignInReason = "no_subject"
	ReasonUnknownUser        SignInReason = "unknown_user"
	ReasonUserDisabled       SignInReason = "user_disabled"
	ReasonUserDeleted        SignInReason = "user_deleted"
	ReasonEmailUnverified    SignInReason = "email_unverified"
	ReasonPrivilegedEmail    SignInReason = "privileged_email"
	ReasonBreakGlass         SignInReason = "break_glass"
	ReasonAlreadyLinked      SignInReason = "already_linked"
	ReasonAmbiguous          SignInReason = "ambiguous"
	ReasonJITRefused         SignInReason = "jit_refused"
	ReasonStateUnknown       SignInReason = "state_unknown"
	ReasonStateExpired       SignInReason = "state_expired"
)

// SignInError refuses a sign-in. Detail is written for the person
// signing in and for the admin reading the audit log; it names no secret.
type SignInError struct {
	Reason SignInReason
	Detail string
	// UserID is the user the sign-in was for, when one was found.
	UserID string
}

func (e *SignInError) Error() string { return e.Detail }

func refuse(reason SignInReason, userID, format string, args ...any) *SignInError {
	return &SignInError{Reason: reason, UserID: userID, Detail: fmt.Sprintf(format, args...)}
}

// MethodJIT is the link method recorded for a user made at sign-in.
const MethodJIT LinkMethod = "jit"

// SignInResult is a successful sign-in: the new session, its secret (for
// the cookie; shown nowhere else and never kept), and the user.
type SignInResult struct {
	Session *Session
	Secret  string
	User    *User
	// Method is how this sign-in found the user: "" through an existing
	// link, else the method of the link it made (or MethodJIT).
	Method LinkMethod
}

// errNoLink is signInLinked's word for "no link yet".
var errNoLink = errors.New("no link")

// SignIn signs in the person c describes, through the tenant's connection
// c.ConnectionID: through the link of (connection, subject) if there is
// one, else by the tenant's link methods in order, remembering the link,
// else (when the tenant allows it) by making a user. It starts a session
// under pol. The session, the link and the audit events are written in one
// transaction. A refusal is a *SignInError, recorded in the audit log;
// other errors are failures.
func (s *Service) SignIn(ctx context.Context, tenant int64, c SignInClaims, pol SessionPolicy, requestID string) (*SignInResult, error) {
	res, err := s.signIn(ctx, tenant, c, pol, requestID)
	if se, ok := errors.AsType[*SignInError](err); ok {
		if rerr := s.RecordSignInRefused(ctx, tenant, c, se, requestID); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
	}
	return res, err
}

func (s *Service) signIn(ctx context.Context, tenant int64, c SignInClaims, pol SessionPolicy, requestID string) (*SignInResult, error) {
	c.Subject = strings.TrimSpace(c.Subject)
	c.Email = strings.TrimSpace(c.Email)
	c.UserName = strings.TrimSpace(c.UserName)
	c.ExternalID = strings.TrimSpace(c.ExternalID)
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return nil, err
	}
	conn, err := s.store.Connection(ctx, tenant, c.ConnectionID)
	if errors.Is(err, ErrNotFound) || err == nil && !conn.Enabled {
		return nil, refuse(ReasonConnectionDisabled, "", "this sign-in connection is turned off or was removed; ask your administrator")
	}
	if err != nil {
		return nil, err
	}
	if c.Subject == "" || len(c.Subject) > maxText {
		return nil, refuse(ReasonNoSubject, "", "your identity provider sent no usable subject for you, so scimd can't tell who you are; ask your administrator to check the connection's subject claim")
	}
	res, err := s.signInLinked(ctx, t, conn, c, pol, requestID)
	if !errors.Is(err, errNoLink) {
		return res, err
	}
	u, method, err := s.findUser(ctx, t, c)
	if err != nil {
		return nil, err
	}
	if u == nil {
		res, err = s.signInJIT(ctx, t, conn, c, pol, requestID)
	} else {
		res, err = s.signInNewLink(ctx, t, conn, c, u.ID, method, pol, requestID)
	}
	if errors.Is(err, errLinkedMeanwhile) {
		// Another sign-in of the same person linked it a moment ago.
		res, err = s.signInLinked(ctx, t, conn, c, pol, requestID)
		if errors.Is(err, errNoLink) {
			err = errLinkedMeanwhile
		}
	}
	return res, err
}

// errLinkedMeanwhile means the subject was linked by a concurrent sign-in.
var errLinkedMeanwhile = errors.New("directory: the subject was linked by a concurrent sign-in")

// signInLinked signs in through an existing link, or returns errNoLink.
func (s *Service) signInLinked(ctx context.Context, t *Tenant, conn *Connection, c SignInClaims, pol SessionPolicy, requestID string) (*SignInResult, error) {
	var res *SignInResult
	err := s.store.Write(ctx, func(tx Tx) error {
		res = nil
		link, err := tx.LinkBySubject(ctx, t.ID, conn.ID, c.Subject)
		if errors.Is(err, ErrNotFound) {
			return errNoLink
		}
		if err != nil {
			return err
		}
		u, err := tx.UserForUpdate(ctx, t.ID, link.UserID)
		if errors.Is(err, ErrNotFound) {
			return refuse(ReasonUserDeleted, link.UserID, "your account in this tenant was deleted; ask your administrator to restore it in your identity provider")
		}
		if err != nil {
			return err
		}
		if err := signInAllowed(u); err != nil {
			return err
		}
		now := s.clock()
		if err := tx.TouchLink(ctx, t.ID, conn.ID, c.Subject, now); err != nil {
			return err
		}
		res, err = s.startSession(ctx, tx, u, conn, c, "", pol, now, requestID)
		return err
	})
	return res, err
}

// signInAllowed refuses a user who may not sign in through a connection.
func signInAllowed(u *User) error {
	switch {
	case u.Deleted != nil:
		return refuse(ReasonUserDeleted, u.ID, "your account in this tenant was deleted; ask your administrator to restore it in your identity provider")
	case u.BreakGlass:
		return refuse(ReasonBreakGlass, u.ID, "%s is a break-glass account, which signs in only with its password at the break-glass page, never through an identity provider", u.UserName)
	case !u.Active:
		return refuse(ReasonUserDisabled, u.ID, "your account %s is disabled in this tenant; ask your administrator to enable it in your identity provider", u.UserName)
	}
	return nil
}

// findUser finds the user a first sign-in is for, by the tenant's link
// methods in order. It returns nil (and no error) when nobody matches and
// the tenant makes users at sign-in; else a refusal saying why nobody
// does.
func (s *Service) findUser(ctx context.Context, t *Tenant, c SignInClaims) (*User, LinkMethod, error) {
	methods := t.Settings.SSO.Links()
	unverified := false
	for _, m := range methods {
		var filter Expr
		switch m {
		case LinkExternalID:
			filter = Cmp{Attr: AttrExternalID, Op: OpEq, Value: c.externalID()}
		case LinkUserName:
			if c.UserName == "" {
				continue
			}
			filter = Cmp{Attr: AttrUserName, Op: OpEq, Value: c.UserName, Fold: true}
		case LinkEmail:
			if c.Email == "" {
				continue
			}
			if !c.EmailVerified {
				unverified = true
				continue
			}
			// Only an email the directory holds as verified: one the IdP
			// sent over SCIM, or one an admin verified.
			filter = Any{Kind: KindEmail, Where: And{
				Left:  Cmp{Attr: AttrIdentityValue, Op: OpEq, Value: c.Email, Fold: true},
				Right: Cmp{Attr: AttrIdentityVerified, Op: OpEq, Value: true},
			}}
		}
		page, err := s.store.Users(ctx, t.ID, Query{Filter: filter, Limit: 2})
		if err != nil {
			return nil, "", err
		}
		switch len(page.Users) {
		case 0:
			continue
		case 2:
			return nil, "", refuse(ReasonAmbiguous, "", "more than one user of this tenant has %s %s, so scimd can't tell which one you are; ask your administrator to make it unique", m, describe(m, c))
		}
		u := page.Users[0]
		if m == LinkEmail && (u.Role.Administers() || u.BreakGlass) {
			return nil, "", refuse(ReasonPrivilegedEmail, u.ID, "an email address alone never signs in to an owner's or admin's account; ask your administrator to link your account by its externalId or userName")
		}
		if err := signInAllowed(u); err != nil {
			return nil, "", err
		}
		return u, m, nil
	}
	// Nobody live matches: say so precisely when a deleted user does.
	for _, m := range methods {
		var filter Expr
		switch {
		case m == LinkExternalID:
			filter = Cmp{Attr: AttrExternalID, Op: OpEq, Value: c.externalID()}
		case m == LinkUserName && c.UserName != "":
			filter = Cmp{Attr: AttrUserName, Op: OpEq, Value: c.UserName, Fold: true}
		default:
			continue
		}
		page, err := s.store.Users(ctx, t.ID, Query{Filter: filter, Limit: 1, IncludeDeleted: true})
		if err != nil {
			return nil, "", err
		}
		if len(page.Users) > 0 && page.Users[0].Deleted != nil {
			return nil, "", refuse(ReasonUserDeleted, page.Users[0].ID, "your account in this tenant was deleted; ask your administrator to restore it in your identity provider")
		}
	}
	if t.Settings.SSO.JIT {
		return nil, "", nil
	}
	if unverified {
		return nil, "", refuse(ReasonEmailUnverified, "", "your identity provider did not confirm that %s is verified, so scimd can't use it to find your account; verify it there, or ask your administrator", c.Email)
	}
	return nil, "", refuse(ReasonUnknownUser, "", "no user of this tenant matches you (%s); ask your administrator to assign you to scimd in your identity provider", describeAll(methods, c))
}

func (c SignInClaims) externalID() string {
	if c.ExternalID != "" {
		return c.ExternalID
	}
	return c.Subject
}

func describe(m LinkMethod, c SignInClaims) string {
	switch m {
	case LinkUserName:
		return c.UserName
	case LinkEmail:
		return c.Email
	}
	return c.externalID()
}

func describeAll(methods []LinkMethod, c SignInClaims) string {
	var parts []string
	for _, m := range methods {
		if v := describe(m, c); v != "" {
			parts = append(parts, string(m)+" "+v)
		}
	}
	if len(parts) == 0 {
		return "subject " + c.Subject
	}
	return strings.Join(parts, ", ")
}

// signInNewLink links the subject to user id, found by method, and signs
// in. The user is read again, locked, so a change since findUser counts.
func (s *Service) signInNewLink(ctx context.Context, t *Tenant, conn *Connection, c SignInClaims, id string, method LinkMethod, pol SessionPolicy, requestID string) (*SignInResult, error) {
	var res *SignInResult
	err := s.store.Write(ctx, func(tx Tx) error {
		res = nil
		u, err := tx.UserForUpdate(ctx, t.ID, id)
		if errors.Is(err, ErrNotFound) {
			return refuse(ReasonUserDeleted, id, "your account in this tenant was deleted; ask your administrator to restore it in your identity provider")
		}
		if err != nil {
			return err
		}
		if err := signInAllowed(u); err != nil {
			return err
		}
		if method == LinkEmail && u.Role.Administers() {
			return refuse(ReasonPrivilegedEmail, u.ID, "an email address alone never signs in to an owner's or admin's account; ask your administrator to link your account by its externalId or userName")
		}
		now := s.clock()
		if err := s.link(ctx, tx, conn, c, u, method, now, requestID); err != nil {
			return err
		}
		res, err = s.startSession(ctx, tx, u, conn, c, method, pol, now, requestID)
		return err
	})
	return res, err
}

// link remembers that c's subject at conn is u.
func (s *Service) link(ctx context.Context, tx Tx, conn *Connection, c SignInClaims, u *User, method LinkMethod, now time.Time, requestID string) error {
	err := tx.InsertLink(ctx, &Link{TenantID: u.TenantID, ConnectionID: conn.ID, Subject: c.Subject, UserID: u.ID, Method: method, Created: now, LastSignIn: &now})
	if ce, ok := errors.AsType[*ConflictError](err); ok {
		if ce.Field == "user" {
			return refuse(ReasonAlreadyLinked, u.ID, "%s is already linked to another account at %s; ask your administrator", u.UserName, conn.Name)
		}
		// The same subject was linked meanwhile (two sign-ins at once):
		// the caller tries again and finds the link.
		return errLinkedMeanwhile
	}
	if err != nil {
		return err
	}
	e := s.event(Actor{Kind: ActorSystem, RequestID: requestID}, u.TenantID, "sso.link", "user", u.ID, u.UserName,
		[]Change{{Field: "connection", After: conn.Name}, {Field: "subject", After: c.Subject}, {Field: "linkedBy", After: method}})
	return tx.InsertAudit(ctx, e)
}

// signInJIT makes a user, owned by the identity provider, for a person
// nobody matches, links it and signs in.
func (s *Service) signInJIT(ctx context.Context, t *Tenant, conn *Connection, c SignInClaims, pol SessionPolicy, requestID string) (*SignInResult, error) {
	u := &User{
		UserName: c.UserName, ExternalID: c.externalID(), DisplayName: c.DisplayName,
		Name:   Name{GivenName: c.GivenName, FamilyName: c.FamilyName},
		Active: true, Role: t.Settings.SSO.NewUserRole(), Source: SourceSCIM,
	}
	if u.UserName == "" {
		u.UserName = c.Email
	}
	if c.Email != "" {
		u.Identities = []Identity{{ID: NewID(), Kind: KindEmail, Value: c.Email, Type: "work", Primary: true, Verified: c.EmailVerified}}
	}
	u.ID, u.TenantID, u.Version = NewID(), t.ID, 1
	u.Created = s.clock()
	u.Updated = u.Created
	u.IdPOwned = u.IdPOwned.Add(ChangedFields(DiffUsers(nil, u))...)
	if err := normalizeUser(u); err != nil {
		return nil, refuse(ReasonJITRefused, "", "scimd could not make an account for you: %s; ask your administrator", err.Error())
	}
	var res *SignInResult
	err := s.store.Write(ctx, func(tx Tx) error {
		res = nil
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := moveSeats(ctx, tx, t.ID, b2i(u.TakesSeat())); err != nil {
			return err
		}
		actor := Actor{Kind: ActorSystem, RequestID: requestID}
		if err := tx.InsertAudit(ctx, s.event(actor, t.ID, "user.create", "user", u.ID, u.UserName, DiffUsers(nil, u))); err != nil {
			return err
		}
		if err := s.link(ctx, tx, conn, c, u, MethodJIT, u.Created, requestID); err != nil {
			return err
		}
		var err error
		res, err = s.startSession(ctx, tx, u, conn, c, MethodJIT, pol, u.Created, requestID)
		return err
	})
	if _, ok := errors.AsType[*SignInError](err); ok || err == nil {
		return res, err
	}
	err = s.explainSeats(ctx, t.ID, s.conflictValue(ctx, t.ID, err, u))
	if ie, ok := errors.AsType[*InvariantError](err); ok {
		return nil, refuse(ReasonJITRefused, "", "scimd could not make an account for you: %s", ie.Detail)
	}
	if ce, ok := errors.AsType[*ConflictError](err); ok {
		return nil, refuse(ReasonJITRefused, "", "scimd could not make an account for you: %s, and is not linked to you; ask your administrator", ce.Detail())
	}
	return nil, err
}

// startSession writes a new session for u and the audit event of the
// sign-in.
func (s *Service) startSession(ctx context.Context, tx Tx, u *User, conn *Connection, c SignInClaims, method LinkMethod, pol SessionPolicy, now time.Time, requestID string) (*SignInResult, error) {
	pol = pol.orDefault()
	secret := newSessionSecret()
	sess := &Session{
		ID: NewID(), TenantID: u.TenantID, UserID: u.ID, Kind: SessionSSO, ConnectionID: conn.ID,
		Hash: HashSecret(secret), Created: now, LastSeen: now,
		Expires: now.Add(pol.Absolute),
	}
	sess.IdleExpires = minTime(now.Add(pol.Idle), sess.Expires)
	if err := tx.InsertSession(ctx, sess); err != nil {
		return nil, err
	}
	changes := []Change{{Field: "connection", After: conn.Name}, {Field: "subject", After: c.Subject}, {Field: "session", After: sess.ID}}
	if method != "" {
		changes = append(changes, Change{Field: "linkedBy", After: method})
	}
	e := s.event(Actor{Kind: ActorUser, ID: u.ID, Role: u.Role, RequestID: requestID}, u.TenantID, "session.signin", "user", u.ID, u.UserName, changes)
	if err := tx.InsertAudit(ctx, e); err != nil {
		return nil, err
	}
	return &SignInResult{Session: sess, Secret: secret, User: u, Method: method}, nil
}

// RecordSignInRefused writes the audit event of a refused sign-in, in a
// transaction of its own. Connectors call it for the refusals that are
// theirs (a state that does not match, a token that does not verify);
// SignIn calls it for its own.
func (s *Service) RecordSignInRefused(ctx context.Context, tenant int64, c SignInClaims, refusal *SignInError, requestID string) error {
	e := s.event(Actor{Kind: ActorUser, ID: refusal.UserID, RequestID: requestID}, tenant, "session.signin", "user", refusal.UserID, "", nil)
	if refusal.UserID == "" {
		e.TargetKind, e.TargetID = "connection", c.ConnectionID
	}
	if c.ConnectionID != "" {
		if conn, err := s.store.Connection(ctx, tenant, c.ConnectionID); err == nil {
			e.Changes = append(e.Changes, Change{Field: "connection", After: conn.Name})
			if refusal.UserID == "" {
				e.TargetName = conn.Name
			}
		}
	}
	for _, ch := range []Change{{Field: "subject", After: c.Subject}, {Field: "userName", After: c.UserName}, {Field: "email", After: c.Email}} {
		if ch.After != "" {
			e.Changes = append(e.Changes, ch)
		}
	}
	e.Outcome = OutcomeDenied
	e.Reason = string(refusal.Reason) + ": " + refusal.Detail
	return s.store.Write(ctx, func(tx Tx) error { return tx.InsertAudit(ctx, e) })
}

// BeginSignIn keeps p, a sign-in on its way to an identity provider, for
// PendingTTL. state is the secret sent to the provider, browser the one
// set in the browser's cookie; only their hashes are kept.
func (s *Service) BeginSignIn(ctx context.Context, p *PendingSignIn, state, browser string) error {
	p.Hash = HashSecret(state)
	p.BrowserHash = HashSecret(browser)
	p.Created = s.clock()
	p.Expires = p.Created.Add(PendingTTL)
	return s.store.Write(ctx, func(tx Tx) error { return tx.InsertPendingSignIn(ctx, p) })
}

// TakeSignIn takes the pending sign-in named by state, once: it is
// deleted as it is read, so a second use (a replay, or a second replica
// racing the first) finds nothing. It returns a *SignInError with
// ReasonStateUnknown or ReasonStateExpired.
func (s *Service) TakeSignIn(ctx context.Context, tenant int64, state string) (*PendingSignIn, error) {
	if state == "" || len(state) > 512 {
		return nil, refuse(ReasonStateUnknown, "", "this sign-in link is not one scimd started, or was used already; start again from the sign-in page")
	}
	var p *PendingSignIn
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		p, err = tx.TakePendingSignIn(ctx, tenant, HashSecret(state))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, refuse(ReasonStateUnknown, "", "this sign-in link is not one scimd started, or was used already; start again from the sign-in page")
	}
	if err != nil {
		return nil, err
	}
	if !s.clock().Before(p.Expires) {
		return nil, refuse(ReasonStateExpired, "", "this sign-in took longer than %d minutes and expired; start again from the sign-in page", int(PendingTTL/time.Minute))
	}
	return p, nil
}

// Session returns the live session whose secret is secret, in the tenant,
// and its user as the directory has it now (so the user's current role).
// A session of a user who was disabled or deleted is ended here if it was
// not yet. Use moves the idle expiry on, written at most every few
// minutes. It returns ErrNotFound for anything that is not a live session
// of a live, active user of the tenant.
func (s *Service) Session(ctx context.Context, tenant int64, secret string, pol SessionPolicy) (*Session, *User, error) {
	if !strings.HasPrefix(secret, sessionPrefix) || len(secret) > 256 {
		return nil, nil, ErrNotFound
	}
	pol = pol.orDefault()
	sess, err := s.store.SessionByHash(ctx, HashSecret(secret))
	if err != nil {
		return nil, nil, err
	}
	now := s.clock()
	if sess.TenantID != tenant || !sess.live(now) {
		return nil, nil, ErrNotFound
	}
	u, err := s.store.User(ctx, tenant, sess.UserID, false)
	reason := ""
	switch {
	case errors.Is(err, ErrNotFound):
		reason = "user deleted"
	case err != nil:
		return nil, nil, err
	case !u.Active:
		reason = "user disabled"
	}
	if reason != "" {
		if werr := s.store.Write(ctx, func(tx Tx) error {
			return tx.EndSession(ctx, tenant, sess.ID, now, reason)
		}); werr != nil && !errors.Is(werr, ErrNotFound) {
			return nil, nil, werr
		}
		return nil, nil, ErrNotFound
	}
	if now.Sub(sess.LastSeen) >= pol.touchEvery() {
		idle := minTime(now.Add(pol.Idle), sess.Expires)
		if err := s.store.Write(ctx, func(tx Tx) error {
			return tx.TouchSession(ctx, sess.ID, now, idle)
		}); err != nil {
			return nil, nil, err
		}
		sess.LastSeen, sess.IdleExpires = now, idle
	}
	return sess, u, nil
}

// SignOut ends the session whose secret is secret, if it is a live
// session of the tenant, and records it. Signing out twice is no error.
func (s *Service) SignOut(ctx context.Context, tenant int64, secret, requestID string) error {
	if !strings.HasPrefix(secret, sessionPrefix) || len(secret) > 256 {
		return nil
	}
	sess, err := s.store.SessionByHash(ctx, HashSecret(secret))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sess.TenantID != tenant || sess.Ended != nil {
		return nil
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		now := s.clock()
		if err := tx.EndSession(ctx, tenant, sess.ID, now, "signout"); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(Actor{Kind: ActorUser, ID: sess.UserID, RequestID: requestID}, tenant,
			"session.signout", "user", sess.UserID, "", []Change{{Field: "session", After: sess.ID}}))
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// sessionRetention is how long ended and expired sessions are kept.
const sessionRetention = 24 * time.Hour

// SweepSignIns deletes expired pending sign-ins, SAML assertion ids past
// their replay window, and sessions that ended or expired more than a day
// ago, and returns how many rows it deleted.
// Serving calls it every few minutes.
func (s *Service) SweepSignIns(ctx context.Context) (int, error) {
	now := s.clock()
	var n int
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		n, err = tx.DeleteExpired(ctx, now, now.Add(-sessionRetention))
		if err != nil {
			return err
		}
		a, err := tx.DeleteExpiredAssertions(ctx, now)
		n += a
		return err
	})
	return n, err
}

// HashSecret returns the SHA-256 of a random secret (a session cookie, a
// state): what stores keep and look it up by.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func (p SessionPolicy) orDefault() SessionPolicy {
	if p.Idle <= 0 {
		p.Idle = DefaultSessionPolicy.Idle
	}
	if p.Absolute <= 0 {
		p.Absolute = DefaultSessionPolicy.Absolute
	}
	return p
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
