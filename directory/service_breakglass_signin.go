package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/scimd/scimd/internal/password"
)

// The reasons a break-glass sign-in or link is refused for.
const (
	// ReasonBadCredentials: the account, password or code is wrong. The
	// person is never told which; the audit log is.
	ReasonBadCredentials SignInReason = "bad_credentials"
	// ReasonLocked: too many failures locked the account or the address.
	ReasonLocked SignInReason = "locked"
	// ReasonLinkInvalid: an enrollment or recover link that is unknown or
	// was used; ReasonLinkExpired: one whose time is up.
	ReasonLinkInvalid SignInReason = "link_invalid"
	ReasonLinkExpired SignInReason = "link_expired"
)

// badCredentials is all a person learns of a failed break-glass sign-in.
var badCredentials = &SignInError{Reason: ReasonBadCredentials,
	Detail: "the email, password or code is not right; check all three and try again"}

// BreakGlassAttempt is one break-glass sign-in: what the person typed and
// where from.
type BreakGlassAttempt struct {
	UserName string
	Password string
	// Code is a TOTP code (six digits) or a recovery code.
	Code string
	// Address is the source address, for the per-address throttle and
	// the log.
	Address   string
	RequestID string
}

// BreakGlassResult is a successful break-glass sign-in (or recover link):
// the session, its secret for the cookie, the account, and how.
type BreakGlassResult struct {
	Session *Session
	Secret  string
	User    *User
	// Method is "totp", "recovery_code" or "recover_link".
	Method string
	// CodesLeft counts the recovery codes still unused.
	CodesLeft int
}

// dummyHash is verified against when no account matches, so that a
// sign-in takes as long whether the account exists or not.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash(NewSecret(), password.Default)
	return h
})

// BreakGlassSignIn signs a break-glass account in with its password and a
// TOTP or recovery code, for a session of at most BreakGlassSession. Before
// looking at the credentials it counts the attempt against the account and
// the source address (AccountThrottle, AddressThrottle), in the database,
// so a locked account is refused on every replica without its password
// being checked; a success takes the count back. Every attempt is audited
// with a reason an admin can read; the person learns only "wrong" (a
// *SignInError with ReasonBadCredentials) or "locked" (ReasonLocked).
// box opens the TOTP secret.
func (s *Service) BreakGlassSignIn(ctx context.Context, tenant int64, a BreakGlassAttempt, box Sealer, pol SessionPolicy) (*BreakGlassResult, error) {
	a.UserName = strings.TrimSpace(a.UserName)
	code := normalizeCode(a.Code)
	keys := []string{accountKey(a.UserName), addressKey(a.Address)}
	policies := []ThrottlePolicy{AccountThrottle, AddressThrottle}
	now := s.clock()
	var lockedUntil *time.Time
	var lockedKey string
	err := s.store.Write(ctx, func(tx Tx) error {
		lockedUntil, lockedKey = nil, ""
		var ths []*Throttle
		for i, key := range keys {
			th, err := tx.ThrottleForUpdate(ctx, tenant, key)
			if errors.Is(err, ErrNotFound) {
				th, err = &Throttle{TenantID: tenant, Key: key}, nil
			}
			if err != nil {
				return err
			}
			if th.locked(now) && (lockedUntil == nil || th.LockedUntil.After(*lockedUntil)) {
				lockedUntil, lockedKey = th.LockedUntil, keys[i]
			}
			ths = append(ths, th)
		}
		if lockedUntil != nil {
			return nil // refused below; a locked attempt counts nothing
		}
		for i, th := range ths {
			th.fail(policies[i], now)
			if err := tx.SaveThrottle(ctx, th); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The account, if the name is one: an unknown name costs the same
	// password hashing as a known one.
	var u *User
	var cred *BreakGlassCredentials
	if a.UserName != "" && len(a.UserName) <= maxText {
		page, err := s.store.Users(ctx, tenant, Query{Filter: breakGlassFilter(a.UserName), Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Users) == 1 {
			u = page.Users[0]
			cred, err = s.store.BreakGlassCredentials(ctx, tenant, u.ID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	if lockedUntil != nil {
		what := "account"
		if strings.HasPrefix(lockedKey, "address:") {
			what = "source address"
		}
		s.recordBreakGlass(ctx, tenant, a, u, "locked: the "+what+" is locked until "+lockedUntil.Format(time.RFC3339)+"; the credentials were not checked")
		return nil, &SignInError{Reason: ReasonLocked, Detail: fmt.Sprintf(
			"too many failed attempts: break-glass sign-in for this account is locked until %s UTC; try again then, or ask your scimd operator for a recover link",
			lockedUntil.UTC().Format("2006-01-02 15:04"))}
	}

	hash := dummyHash()
	if cred != nil && cred.PasswordHash != "" {
		hash = cred.PasswordHash
	}
	params, perr := password.Verify(a.Password, hash)
	pwOK := perr == nil && cred != nil && cred.PasswordHash != ""
	var step int64
	var codeHash []byte
	method := "recovery_code"
	if isTOTPCode(code) {
		method = "totp"
		if cred != nil && cred.TOTPSecret != nil && box != nil {
			if secret, err := box.Open(cred.TOTPSecret, TOTPContext(tenant, u.ID)); err == nil {
				step = totpStep(string(secret), code, now)
			} else {
				s.recordBreakGlass(ctx, tenant, a, u, "failure: the TOTP secret does not open with this server's key (SCIMD_SECRET_KEY): "+err.Error())
				return nil, err
			}
		}
	} else {
		codeHash = hashRecoveryCode(code)
	}

	reason := ""
	switch {
	case u == nil:
		reason = "no break-glass account is named " + truncateText(a.UserName, 80)
	case cred == nil || cred.Enrolled == nil:
		reason = "the account has not finished enrollment"
	case !u.Active:
		reason = "the account is disabled"
	case !pwOK:
		reason = "wrong password"
	case method == "totp" && step == 0:
		reason = "wrong TOTP code"
	case method == "totp" && step <= cred.TOTPLastStep:
		reason = "TOTP code already used"
	case method == "recovery_code" && len(code) != 10:
		reason = "the code is neither a TOTP code nor a recovery code"
	}
	if reason != "" {
		s.recordBreakGlass(ctx, tenant, a, u, "bad_credentials: "+reason)
		return nil, badCredentials
	}
	if u != nil {
		if err := s.PasswordAllowed(ctx, u); err != nil {
			return nil, err
		}
	}

	var res *BreakGlassResult
	err = s.store.Write(ctx, func(tx Tx) error {
		res = nil
		c, err := tx.BreakGlassCredentialsForUpdate(ctx, tenant, u.ID)
		if err != nil {
			return err
		}
		if method == "totp" {
			err = tx.UseTOTPStep(ctx, tenant, u.ID, step)
		} else {
			err = tx.UseRecoveryCode(ctx, tenant, u.ID, codeHash, now)
		}
		if errors.Is(err, ErrNotFound) {
			return errCodeUsed
		}
		if err != nil {
			return err
		}
		if params != password.Default {
			// Hashed with other costs than today's: hash again, now that
			// the password is at hand (as dex's CheckCost does for bcrypt).
			if c.PasswordHash, err = password.Hash(a.Password, password.Default); err != nil {
				return err
			}
		}
		c.LastSignIn, c.Updated = &now, now
		if method == "totp" {
			c.TOTPLastStep = step
		}
		if err := tx.SaveBreakGlassCredentials(ctx, c); err != nil {
			return err
		}
		for i, key := range keys {
			th, err := tx.ThrottleForUpdate(ctx, tenant, key)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if i == 0 {
				th.Failures, th.LockedUntil = 0, nil // the account's failures are forgotten
			} else {
				th.undo(policies[i]) // the address's count of this attempt is taken back
			}
			if err := tx.SaveThrottle(ctx, th); err != nil {
				return err
			}
		}
		left := c.CodesLeft
		if method == "recovery_code" {
			left--
		}
		sess, secret, err := s.startBreakGlassSession(ctx, tx, u, pol, now)
		if err != nil {
			return err
		}
		changes := []Change{{Field: "method", After: method}, {Field: "session", After: sess.ID},
			{Field: "expires", After: sess.Expires}, {Field: "recoveryCodesLeft", After: left}}
		if a.Address != "" {
			changes = append(changes, Change{Field: "address", After: a.Address})
		}
		e := s.event(Actor{Kind: ActorUser, ID: u.ID, Role: u.Role, Scope: ScopeBreakGlass, RequestID: a.RequestID},
			tenant, "breakglass.signin", "user", u.ID, u.UserName, changes)
		if err := tx.InsertAudit(ctx, e); err != nil {
			return err
		}
		res = &BreakGlassResult{Session: sess, Secret: secret, User: u, Method: method, CodesLeft: left}
		return nil
	})
	if errors.Is(err, errCodeUsed) {
		what := "TOTP code already used"
		if method == "recovery_code" {
			what = "recovery code unknown or already used"
		}
		s.recordBreakGlass(ctx, tenant, a, u, "bad_credentials: "+what)
		return nil, badCredentials
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// errCodeUsed means the code was used meanwhile (or, for a recovery code,
// is not one of the account's unused ones).
var errCodeUsed = errors.New("directory: code used")

// recordBreakGlass writes a refused break-glass sign-in to the audit log
// with the reason an admin reads. A failure to write it is only logged by
// the caller's edge: the person was refused either way.
func (s *Service) recordBreakGlass(ctx context.Context, tenant int64, a BreakGlassAttempt, u *User, reason string) {
	e := s.event(Actor{Kind: ActorUser, RequestID: a.RequestID}, tenant, "breakglass.signin", "breakglass", "", truncateText(a.UserName, 200), nil)
	if u != nil {
		e.Actor.ID, e.TargetKind, e.TargetID, e.TargetName = u.ID, "user", u.ID, u.UserName
	}
	if a.Address != "" {
		e.Changes = append(e.Changes, Change{Field: "address", After: a.Address})
	}
	e.Outcome, e.Reason = OutcomeDenied, reason
	_ = s.store.Write(ctx, func(tx Tx) error { return tx.InsertAudit(ctx, e) })
}

// startBreakGlassSession writes a break-glass session for u: at most
// BreakGlassSession long, idle at most pol's idle time.
func (s *Service) startBreakGlassSession(ctx context.Context, tx Tx, u *User, pol SessionPolicy, now time.Time) (*Session, string, error) {
	pol = pol.orDefault()
	secret := newSessionSecret()
	sess := &Session{ID: NewID(), TenantID: u.TenantID, UserID: u.ID, Kind: SessionBreakGlass,
		Hash: HashSecret(secret), Created: now, LastSeen: now, Expires: now.Add(min(pol.Absolute, BreakGlassSession))}
	sess.IdleExpires = minTime(now.Add(pol.Idle), sess.Expires)
	if err := tx.InsertSession(ctx, sess); err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

// BreakGlassLinkFor returns the live link of purpose whose secret is
// secret, and its account, without using it: what a page shows before
// the person acts. It returns a *SignInError with ReasonLinkInvalid or
// ReasonLinkExpired.
func (s *Service) BreakGlassLinkFor(ctx context.Context, tenant int64, secret string, purpose LinkPurpose) (*BreakGlassLink, *User, error) {
	if !strings.HasPrefix(secret, linkPrefix) || len(secret) > 256 {
		return nil, nil, linkInvalid(purpose)
	}
	l, err := s.store.BreakGlassLink(ctx, tenant, HashSecret(secret))
	if errors.Is(err, ErrNotFound) || err == nil && (l.Purpose != purpose || l.Used != nil) {
		return nil, nil, linkInvalid(purpose)
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.clock().Before(l.Expires) {
		return nil, nil, linkExpired(purpose)
	}
	u, err := s.store.User(ctx, tenant, l.UserID, false)
	if errors.Is(err, ErrNotFound) || err == nil && (!u.BreakGlass || !u.Active) {
		return nil, nil, linkInvalid(purpose)
	}
	if err != nil {
		return nil, nil, err
	}
	return l, u, nil
}

func linkInvalid(p LinkPurpose) error {
	if p == PurposeEnroll {
		return &SignInError{Reason: ReasonLinkInvalid, Detail: "this enrollment link is unknown or was used already; ask your scimd operator for a new one (scimd breakglass reset)"}
	}
	return &SignInError{Reason: ReasonLinkInvalid, Detail: "this recover link is unknown or was used already; ask your scimd operator for a new one (scimd recover)"}
}

func linkExpired(p LinkPurpose) error {
	if p == PurposeEnroll {
		return &SignInError{Reason: ReasonLinkExpired, Detail: "this enrollment link has expired; ask your scimd operator for a new one (scimd breakglass reset)"}
	}
	return &SignInError{Reason: ReasonLinkExpired, Detail: "this recover link has expired; ask your scimd operator for a new one (scimd recover)"}
}

// Enrollment is what a person enrolling a break-glass account sees once:
// the TOTP key (as an otpauth:// URL for the QR code, and as text) and the
// recovery codes.
type Enrollment struct {
	User          *User
	TOTPURL       string
	TOTPSecret    string
	RecoveryCodes []string
}

// CheckBreakGlassPassword refuses a password a break-glass account may not
// have: shorter than MinPasswordLength characters, longer than
// password.MaxLength bytes, or the account's own name.
func CheckBreakGlassPassword(pw, userName string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return invalid(FieldPassword, "the password must be at least %d characters long", MinPasswordLength)
	case len(pw) > password.MaxLength:
		return invalid(FieldPassword, "the password must be at most %d bytes long", password.MaxLength)
	case !utf8.ValidString(pw):
		return invalid(FieldPassword, "the password is not valid text")
	case strings.EqualFold(strings.TrimSpace(pw), userName):
		return invalid(FieldPassword, "the password can't be the account's own name")
	}
	return nil
}

// StartEnrollment sets the password of the account that the enrollment
// link secret is for and makes its TOTP key and recovery codes, which it
// returns to be shown once. The link stays open until FinishEnrollment
// confirms a first TOTP code; starting again replaces the key and codes.
// issuer names scimd in authenticator apps. It returns a *SignInError for
// a bad link and a ValidationError for a bad password.
func (s *Service) StartEnrollment(ctx context.Context, tenant int64, secret, pw, issuer string, box Sealer) (*Enrollment, error) {
	_, u, err := s.BreakGlassLinkFor(ctx, tenant, secret, PurposeEnroll)
	if err != nil {
		return nil, err
	}
	if err := CheckBreakGlassPassword(pw, u.UserName); err != nil {
		return nil, err
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return nil, err
	}
	key, err := newTOTPKey(issuer, u.UserName)
	if err != nil {
		return nil, err
	}
	sealed, err := box.Seal([]byte(key.Secret()), TOTPContext(tenant, u.ID))
	if err != nil {
		return nil, err
	}
	out := &Enrollment{User: u, TOTPURL: key.URL(), TOTPSecret: key.Secret()}
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range hashes {
		c := newRecoveryCode()
		out.RecoveryCodes = append(out.RecoveryCodes, c)
		hashes[i] = hashRecoveryCode(c)
	}
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.BreakGlassCredentialsForUpdate(ctx, tenant, u.ID)
		if err == nil && c.Enrolled != nil {
			return linkInvalid(PurposeEnroll) // enrolled meanwhile through the same link
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.SaveBreakGlassCredentials(ctx, &BreakGlassCredentials{TenantID: tenant, UserID: u.ID,
			PasswordHash: hash, TOTPSecret: sealed, Updated: now}); err != nil {
			return err
		}
		return tx.ReplaceRecoveryCodes(ctx, tenant, u.ID, hashes)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishEnrollment confirms the TOTP key StartEnrollment made with a code
// from the person's app, and uses up the link: the account can sign in
// from now on. A wrong code leaves the link open to try again. It returns
// a *SignInError.
func (s *Service) FinishEnrollment(ctx context.Context, tenant int64, secret, code, requestID string, box Sealer) (*User, error) {
	_, u, err := s.BreakGlassLinkFor(ctx, tenant, secret, PurposeEnroll)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	code = normalizeCode(code)
	actor := Actor{Kind: ActorUser, ID: u.ID, Role: u.Role, RequestID: requestID}
	err = s.store.Write(ctx, func(tx Tx) error {
		l, err := tx.UseBreakGlassLink(ctx, tenant, HashSecret(secret), now)
		if errors.Is(err, ErrNotFound) || err == nil && (l.UserID != u.ID || l.Purpose != PurposeEnroll) {
			return linkInvalid(PurposeEnroll)
		}
		if err != nil {
			return err
		}
		if !now.Before(l.Expires) {
			return linkExpired(PurposeEnroll)
		}
		c, err := tx.BreakGlassCredentialsForUpdate(ctx, tenant, u.ID)
		if errors.Is(err, ErrNotFound) {
			return &SignInError{Reason: ReasonBadCredentials, Detail: "set a password first: open the enrollment link again"}
		}
		if err != nil {
			return err
		}
		plain, err := box.Open(c.TOTPSecret, TOTPContext(tenant, u.ID))
		if err != nil {
			return err
		}
		step := totpStep(string(plain), code, now)
		if !isTOTPCode(code) || step == 0 {
			return &SignInError{Reason: ReasonBadCredentials, UserID: u.ID,
				Detail: "that code is not the one your authenticator app shows now; check the app's clock and try the next code"}
		}
		c.Enrolled, c.TOTPLastStep, c.Updated = &now, step, now
		if err := tx.SaveBreakGlassCredentials(ctx, c); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "breakglass.enroll", "user", u.ID, u.UserName,
			[]Change{{Field: "password", After: "set"}, {Field: "totp", After: "set"}, {Field: "recoveryCodes", After: RecoveryCodeCount}}))
	})
	if se, ok := errors.AsType[*SignInError](err); ok {
		e := s.event(actor, tenant, "breakglass.enroll", "user", u.ID, u.UserName, nil)
		e.Outcome, e.Reason = OutcomeDenied, string(se.Reason)+": "+se.Detail
		if rerr := s.store.Write(ctx, func(tx Tx) error { return tx.InsertAudit(ctx, e) }); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UseRecoverLink uses the recover link secret, once, and opens a
// break-glass session as its account, for at most BreakGlassSession. Its
// use is audited, as is a refusal of a link that exists. It returns a
// *SignInError with ReasonLinkInvalid or ReasonLinkExpired.
func (s *Service) UseRecoverLink(ctx context.Context, tenant int64, secret, address, requestID string, pol SessionPolicy) (*BreakGlassResult, error) {
	if !strings.HasPrefix(secret, linkPrefix) || len(secret) > 256 {
		return nil, linkInvalid(PurposeRecover)
	}
	now := s.clock()
	var res *BreakGlassResult
	var seen *BreakGlassLink
	err := s.store.Write(ctx, func(tx Tx) error {
		res, seen = nil, nil
		l, err := tx.UseBreakGlassLink(ctx, tenant, HashSecret(secret), now)
		if errors.Is(err, ErrNotFound) {
			return linkInvalid(PurposeRecover)
		}
		if err != nil {
			return err
		}
		seen = l
		if l.Purpose != PurposeRecover {
			return linkInvalid(PurposeRecover)
		}
		if !now.Before(l.Expires) {
			return linkExpired(PurposeRecover)
		}
		u, err := tx.UserForUpdate(ctx, tenant, l.UserID)
		if errors.Is(err, ErrNotFound) || err == nil && (!u.BreakGlass || !u.Active) {
			return linkInvalid(PurposeRecover)
		}
		if err != nil {
			return err
		}
		sess, secret, err := s.startBreakGlassSession(ctx, tx, u, pol, now)
		if err != nil {
			return err
		}
		changes := []Change{{Field: "method", After: "recover_link"}, {Field: "session", After: sess.ID}, {Field: "expires", After: sess.Expires}}
		if address != "" {
			changes = append(changes, Change{Field: "address", After: address})
		}
		e := s.event(Actor{Kind: ActorUser, ID: u.ID, Role: u.Role, Scope: ScopeBreakGlass, RequestID: requestID},
			tenant, "breakglass.recover", "user", u.ID, u.UserName, changes)
		if err := tx.InsertAudit(ctx, e); err != nil {
			return err
		}
		res = &BreakGlassResult{Session: sess, Secret: secret, User: u, Method: "recover_link"}
		return nil
	})
	if se, ok := errors.AsType[*SignInError](err); ok {
		if seen == nil {
			// A link nobody made, or one used already (its row shows
			// it): recorded only when it names an account.
			if l, lerr := s.store.BreakGlassLink(ctx, tenant, HashSecret(secret)); lerr == nil {
				seen = l
			}
		}
		if seen != nil {
			e := s.event(Actor{Kind: ActorUser, ID: seen.UserID, RequestID: requestID}, tenant, "breakglass.recover", "user", seen.UserID, "", nil)
			if address != "" {
				e.Changes = []Change{{Field: "address", After: address}}
			}
			e.Outcome, e.Reason = OutcomeDenied, string(se.Reason)+": "+se.Detail
			if rerr := s.store.Write(ctx, func(tx Tx) error { return tx.InsertAudit(ctx, e) }); rerr != nil {
				return nil, errors.Join(err, rerr)
			}
		}
		return nil, err
	}
	return res, err
}
