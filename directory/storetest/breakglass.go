package storetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/password"
	"github.com/scimd/scimd/internal/secretbox"
)

// box seals TOTP secrets in the break-glass cases.
var box, _ = secretbox.New(bytes.Repeat([]byte{7}, secretbox.KeySize))

const bgPassword = "correct horse battery staple"

// breakGlass makes and enrolls a break-glass account and returns it with
// its TOTP secret and recovery codes.
func (e *env) breakGlass(t *testing.T, email string) (*directory.User, string, []string) {
	t.Helper()
	u, link, err := e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, email)
	if err != nil {
		t.Fatalf("create break-glass %s: %v", email, err)
	}
	en, err := e.svc.StartEnrollment(e.ctx, e.tenant.ID, link.Secret, bgPassword, "scimd acme", box)
	if err != nil {
		t.Fatalf("start enrollment: %v", err)
	}
	if _, err := e.svc.FinishEnrollment(e.ctx, e.tenant.ID, link.Secret, e.code(t, en.TOTPSecret), "", box); err != nil {
		t.Fatalf("finish enrollment: %v", err)
	}
	return u, en.TOTPSecret, en.RecoveryCodes
}

// code is the TOTP code of secret now, by the case's clock.
func (e *env) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := directory.TOTPCode(secret, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) glassIn(userName, pw, code, addr string) (*directory.BreakGlassResult, error) {
	return e.svc.BreakGlassSignIn(e.ctx, e.tenant.ID, directory.BreakGlassAttempt{UserName: userName, Password: pw, Code: code, Address: addr},
		box, directory.SessionPolicy{Idle: 2 * time.Hour, Absolute: 12 * time.Hour})
}

var _ = add("BreakGlassAccounts", func(t *testing.T, e *env) {
	// An IdP-provisioned user can't become one, nor can a local user.
	e.user(t, idp, &directory.User{UserName: "ada@acme.example", Active: true})
	_, _, err := e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "ADA@acme.example")
	if ie := wantErr[*directory.InvariantError](t, err, "SCIM user"); ie.Rule != directory.RuleBreakGlass || !strings.Contains(ie.Detail, "provisioned by the identity provider") {
		t.Errorf("SCIM user: %+v", ie)
	}
	e.user(t, cli, &directory.User{UserName: "bob@acme.example", Active: true})
	_, _, err = e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "bob@acme.example")
	wantErr[*directory.InvariantError](t, err, "local user")
	_, _, err = e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "not an address")
	wantErr[*directory.ValidationError](t, err, "bad address")
	// The IdP and admins who are not owners can't make one.
	_, _, err = e.svc.CreateBreakGlass(e.ctx, idp, e.tenant.ID, "glass@acme.example")
	wantErr[*directory.InvariantError](t, err, "IdP")
	_, _, err = e.svc.CreateBreakGlass(e.ctx, asUser(directory.RoleAdmin), e.tenant.ID, "glass@acme.example")
	wantErr[*directory.InvariantError](t, err, "admin")

	// At most three active ones.
	var ids []string
	for _, m := range []string{"one@ops.example", "two@ops.example", "three@ops.example"} {
		u, link, err := e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, m)
		if err != nil {
			t.Fatalf("create %s: %v", m, err)
		}
		if !u.BreakGlass || u.Role != directory.RoleOwner || u.Source != directory.SourceLocal || !strings.HasPrefix(link.Secret, "scimdb_") {
			t.Errorf("account %+v link %+v", u, link)
		}
		ids = append(ids, u.ID)
	}
	_, _, err = e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "four@ops.example")
	if ie := wantErr[*directory.InvariantError](t, err, "fourth"); !strings.Contains(ie.Detail, "3 active break-glass accounts") {
		t.Errorf("fourth: %s", ie.Detail)
	}
	_, _, err = e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "TWO@ops.example")
	wantErr[*directory.ConflictError](t, err, "twice")
	// Disabling one frees its place; resetting it while three are active
	// again is refused.
	if u, err := e.svc.DisableBreakGlass(e.ctx, cli, e.tenant.ID, ids[0]); err != nil || u.Active {
		t.Fatalf("disable: %+v %v", u, err)
	}
	if _, _, err := e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "four@ops.example"); err != nil {
		t.Fatalf("create after disable: %v", err)
	}
	_, _, err = e.svc.ResetBreakGlass(e.ctx, cli, e.tenant.ID, ids[0])
	wantErr[*directory.InvariantError](t, err, "reset a fourth")
	// Not a break-glass account: not found.
	if _, err := e.svc.DisableBreakGlass(e.ctx, cli, e.tenant.ID, e.reread(t, e.user(t, cli, &directory.User{UserName: "carol", Active: true}).ID).ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("disable a user: %v", err)
	}
	list, err := e.svc.BreakGlassAccounts(e.ctx, e.tenant.ID)
	if err != nil || len(list) != 4 || list[0].User.UserName != "four@ops.example" || list[1].User.Active || list[1].EnrollExpires != nil || list[0].EnrollExpires == nil {
		t.Fatalf("list %+v %v", list, err)
	}
	if u, err := e.svc.BreakGlassAccount(e.ctx, e.tenant.ID, "ONE@ops.example"); err != nil || u.ID != ids[0] {
		t.Errorf("by name: %v", err)
	}
	// The alert webhook is a tenant setting: https, or http on localhost.
	for _, bad := range []string{"ftp://x.example", "http://hooks.example.com/x", "https://user:pw@hooks.example.com", "not a url"} {
		_, err := e.svc.SetBreakGlassSettings(e.ctx, cli, e.tenant.ID, func(s *directory.BreakGlassSettings) error { s.AlertWebhook = bad; return nil })
		wantErr[*directory.ValidationError](t, err, bad)
	}
	if _, err := e.svc.SetBreakGlassSettings(e.ctx, cli, e.tenant.ID, func(s *directory.BreakGlassSettings) error {
		s.AlertWebhook = "https://hooks.example.com/scimd"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if tn, _ := e.store.Tenant(e.ctx, e.tenant.ID); tn.Settings.BreakGlass.AlertWebhook != "https://hooks.example.com/scimd" {
		t.Errorf("settings %+v", tn.Settings)
	}
})

var _ = add("BreakGlassEnrollAndSignIn", func(t *testing.T, e *env) {
	u, link, err := e.svc.CreateBreakGlass(e.ctx, cli, e.tenant.ID, "glass@ops.example")
	if err != nil {
		t.Fatal(err)
	}
	// Not enrolled yet: no sign-in.
	if _, err := e.glassIn("glass@ops.example", bgPassword, "123456", "10.0.0.1"); !isReason(err, directory.ReasonBadCredentials) {
		t.Errorf("before enrollment: %v", err)
	}
	for _, pw := range []string{"short", "glass@ops.example", strings.Repeat("x", 2000)} {
		_, err := e.svc.StartEnrollment(e.ctx, e.tenant.ID, link.Secret, pw, "scimd acme", box)
		wantErr[*directory.ValidationError](t, err, "password "+pw[:5])
	}
	en, err := e.svc.StartEnrollment(e.ctx, e.tenant.ID, link.Secret, bgPassword, "scimd acme", box)
	if err != nil || len(en.RecoveryCodes) != 10 || !strings.HasPrefix(en.TOTPURL, "otpauth://totp/") {
		t.Fatalf("enrollment %+v %v", en, err)
	}
	// The secret is kept sealed, never in clear.
	cred, err := e.store.BreakGlassCredentials(e.ctx, e.tenant.ID, u.ID)
	if err != nil || bytes.Contains(cred.TOTPSecret, []byte(en.TOTPSecret)) || cred.Enrolled != nil || cred.CodesLeft != 10 || !strings.HasPrefix(cred.PasswordHash, "$argon2id$") {
		t.Fatalf("credentials %+v %v", cred, err)
	}
	// A wrong first code leaves the link open; the right one uses it up.
	_, err = e.svc.FinishEnrollment(e.ctx, e.tenant.ID, link.Secret, "000000", "", box)
	wantRefused(t, err, directory.ReasonBadCredentials, "wrong first code")
	if _, err := e.svc.FinishEnrollment(e.ctx, e.tenant.ID, link.Secret, e.code(t, en.TOTPSecret), "", box); err != nil {
		t.Fatalf("finish: %v", err)
	}
	_, err = e.svc.FinishEnrollment(e.ctx, e.tenant.ID, link.Secret, e.code(t, en.TOTPSecret), "", box)
	wantRefused(t, err, directory.ReasonLinkInvalid, "link used twice")
	_, err = e.svc.StartEnrollment(e.ctx, e.tenant.ID, link.Secret, bgPassword, "scimd acme", box)
	wantRefused(t, err, directory.ReasonLinkInvalid, "start after finish")

	// The code used to enroll can't sign in: its step is spent.
	e.clock.advance(time.Second)
	if _, err := e.glassIn("glass@ops.example", bgPassword, e.code(t, en.TOTPSecret), "10.0.0.1"); !isReason(err, directory.ReasonBadCredentials) {
		t.Errorf("enrollment code reused: %v", err)
	}
	e.clock.advance(directory.TOTPPeriod * time.Second)
	code := e.code(t, en.TOTPSecret)
	res, err := e.glassIn("GLASS@ops.example", bgPassword, code, "10.0.0.1")
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if res.Session.Kind != directory.SessionBreakGlass || res.Session.Expires.Sub(res.Session.Created) != time.Hour || res.Method != "totp" || res.User.ID != u.ID {
		t.Errorf("session %+v", res.Session)
	}
	sess, su, err := e.svc.Session(e.ctx, e.tenant.ID, res.Secret, directory.SessionPolicy{})
	if err != nil || sess.Kind != directory.SessionBreakGlass || su.ID != u.ID {
		t.Errorf("session lookup %+v %v", sess, err)
	}
	// The same code again, inside its window: refused.
	_, err = e.glassIn("glass@ops.example", bgPassword, code, "10.0.0.1")
	wantRefused(t, err, directory.ReasonBadCredentials, "replayed TOTP")
	// A wrong password with a fresh code, and a right password with a
	// wrong code, look the same.
	e.clock.advance(directory.TOTPPeriod * time.Second)
	_, err1 := e.glassIn("glass@ops.example", "wrong password here", e.code(t, en.TOTPSecret), "10.0.0.1")
	_, err2 := e.glassIn("glass@ops.example", bgPassword, "999999", "10.0.0.1")
	_, err3 := e.glassIn("nobody@ops.example", bgPassword, "999999", "10.0.0.1")
	if err1 == nil || err1.Error() != err2.Error() || err2.Error() != err3.Error() {
		t.Errorf("refusals differ: %v / %v / %v", err1, err2, err3)
	}
	// A recovery code works once, typed any way.
	rc := strings.ToUpper(strings.ReplaceAll(en.RecoveryCodes[3], "-", " "))
	res, err = e.glassIn("glass@ops.example", bgPassword, rc, "10.0.0.2")
	if err != nil || res.Method != "recovery_code" || res.CodesLeft != 9 {
		t.Fatalf("recovery code: %+v %v", res, err)
	}
	_, err = e.glassIn("glass@ops.example", bgPassword, en.RecoveryCodes[3], "10.0.0.2")
	wantRefused(t, err, directory.ReasonBadCredentials, "recovery code twice")
	// The audit log says what happened, with reasons for the admin.
	evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "breakglass."})
	var got []string
	for i := len(evs) - 1; i >= 0; i-- {
		got = append(got, evs[i].Action+" "+evs[i].Outcome+" "+strings.SplitN(evs[i].Reason, ";", 2)[0])
	}
	want := []string{
		"breakglass.create success ",
		"breakglass.signin denied bad_credentials: the account has not finished enrollment",
		"breakglass.enroll denied bad_credentials: that code is not the one your authenticator app shows now",
		"breakglass.enroll success ",
		"breakglass.signin denied bad_credentials: TOTP code already used",
		"breakglass.signin success ",
		"breakglass.signin denied bad_credentials: TOTP code already used",
		"breakglass.signin denied bad_credentials: wrong password",
		"breakglass.signin denied bad_credentials: wrong TOTP code",
		"breakglass.signin denied bad_credentials: no break-glass account is named nobody@ops.example",
		"breakglass.signin success ",
		"breakglass.signin denied bad_credentials: recovery code unknown or already used",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := evs[1]; s.Actor.Scope != directory.ScopeBreakGlass || s.Actor.ID != u.ID {
		t.Errorf("success actor %+v", s.Actor)
	}
	// Disabling the account ends its sessions (the last owner stays, as
	// everywhere); resetting it forgets its credentials.
	e.user(t, cli, &directory.User{UserName: "root", Active: true, Role: directory.RoleOwner})
	if _, err := e.svc.DisableBreakGlass(e.ctx, cli, e.tenant.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Session(e.ctx, e.tenant.ID, res.Secret, directory.SessionPolicy{}); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("session after disable: %v", err)
	}
	if _, _, err := e.svc.ResetBreakGlass(e.ctx, cli, e.tenant.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.BreakGlassCredentials(e.ctx, e.tenant.ID, u.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("credentials after reset: %v", err)
	}
})

var _ = add("BreakGlassLockout", func(t *testing.T, e *env) {
	u, secret, _ := e.breakGlass(t, "glass@ops.example")
	e.clock.advance(time.Minute)
	addrs := []string{"192.0.2.1", "192.0.2.2", "198.51.100.7"}
	for i := range 5 {
		_, err := e.glassIn("glass@ops.example", "wrong password "+string(rune('a'+i)), "000000", addrs[i%3])
		wantRefused(t, err, directory.ReasonBadCredentials, "wrong")
	}
	// Locked: the right password and code are refused, and say locked.
	_, err := e.glassIn("glass@ops.example", bgPassword, e.code(t, secret), "203.0.113.9")
	if se := wantRefused(t, err, directory.ReasonLocked, "locked"); !strings.Contains(se.Detail, "locked until") {
		t.Errorf("locked detail %q", se.Detail)
	}
	list, _ := e.svc.BreakGlassAccounts(e.ctx, e.tenant.ID)
	if len(list) != 1 || list[0].LockedUntil == nil {
		t.Errorf("list while locked %+v", list)
	}
	// A minute later (AccountThrottle: the 5th failure locks for 1m), it
	// opens.
	e.clock.advance(time.Minute)
	if _, err := e.glassIn("glass@ops.example", bgPassword, e.code(t, secret), "203.0.113.9"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	// Success forgets the failures: four more are not a lockout...
	e.clock.advance(time.Minute)
	for range 4 {
		e.glassIn("glass@ops.example", "wrong", "000000", "192.0.2.1")
	}
	ths, _ := e.store.Throttles(e.ctx, e.tenant.ID, []string{"account:glass@ops.example"})
	if len(ths) != 1 || ths[0].Failures != 4 || ths[0].LockedUntil != nil {
		t.Fatalf("throttle %+v", ths)
	}
	// ...the fifth is (1m), and the sixth, once that ends, locks for 2m.
	e.glassIn("glass@ops.example", "wrong", "000000", "192.0.2.1")
	e.clock.advance(time.Minute)
	e.glassIn("glass@ops.example", "wrong", "000000", "192.0.2.1")
	e.clock.advance(time.Minute)
	_, err = e.glassIn("glass@ops.example", bgPassword, e.code(t, secret), "192.0.2.1")
	wantRefused(t, err, directory.ReasonLocked, "2m lock after 1m")
	e.clock.advance(time.Minute)
	if _, err := e.glassIn("glass@ops.example", bgPassword, e.code(t, secret), "192.0.2.1"); err != nil {
		t.Fatalf("after the 2m lock: %v", err)
	}
	// The address throttle: 20 failures from one address lock it, for any
	// account.
	for i := range 20 {
		e.glassIn("spray"+string(rune('a'+i))+"@ops.example", "wrong", "000000", "198.51.100.99")
	}
	_, err = e.glassIn("glass@ops.example", bgPassword, e.code(t, secret), "198.51.100.99")
	if se := wantRefused(t, err, directory.ReasonLocked, "address locked"); se.UserID != "" {
		t.Errorf("%+v", se)
	}
	evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{TargetID: u.ID, Limit: 1})
	if len(evs) != 1 || !strings.HasPrefix(evs[0].Reason, "locked: the source address is locked") {
		t.Errorf("audit %+v", evs[0])
	}
	// The policy's numbers, as documented.
	for f, want := range map[int]time.Duration{4: 0, 5: time.Minute, 6: 2 * time.Minute, 7: 4 * time.Minute, 10: 32 * time.Minute, 11: time.Hour, 1000: time.Hour} {
		if got := directory.AccountThrottle.LockFor(f); got != want {
			t.Errorf("LockFor(%d) = %s, want %s", f, got, want)
		}
	}
})

var _ = add("BreakGlassRehash", func(t *testing.T, e *env) {
	u, secret, _ := e.breakGlass(t, "glass@ops.example")
	// A hash made with weaker costs than today's is checked with its own,
	// and made again with today's on the next sign-in.
	weak, _ := password.Hash(bgPassword, password.Params{Memory: 64, Time: 1, Threads: 1})
	e.store.Write(e.ctx, func(tx directory.Tx) error {
		c, err := tx.BreakGlassCredentialsForUpdate(e.ctx, e.tenant.ID, u.ID)
		if err != nil {
			return err
		}
		c.PasswordHash = weak
		return tx.SaveBreakGlassCredentials(e.ctx, c)
	})
	e.clock.advance(time.Minute)
	if _, err := e.glassIn("glass@ops.example", bgPassword, e.code(t, secret), "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	c, _ := e.store.BreakGlassCredentials(e.ctx, e.tenant.ID, u.ID)
	if p, err := password.Verify(bgPassword, c.PasswordHash); err != nil || p != password.Default {
		t.Errorf("rehashed with %+v, %v", p, err)
	}
})

var _ = add("BreakGlassRecoverLink", func(t *testing.T, e *env) {
	u, _, _ := e.breakGlass(t, "glass@ops.example")
	_, err := e.svc.MintRecoverLink(e.ctx, admin, e.tenant.ID, u.ID, 15*time.Minute)
	wantErr[*directory.InvariantError](t, err, "token mints")
	_, err = e.svc.MintRecoverLink(e.ctx, cli, e.tenant.ID, u.ID, 48*time.Hour)
	wantErr[*directory.ValidationError](t, err, "ttl")
	link, err := e.svc.MintRecoverLink(e.ctx, cli, e.tenant.ID, u.ID, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, lu, err := e.svc.BreakGlassLinkFor(e.ctx, e.tenant.ID, link.Secret, directory.PurposeRecover); err != nil || lu.ID != u.ID {
		t.Fatalf("peek: %v", err)
	}
	_, _, err = e.svc.BreakGlassLinkFor(e.ctx, e.tenant.ID, link.Secret, directory.PurposeEnroll)
	wantRefused(t, err, directory.ReasonLinkInvalid, "recover link as enrollment")
	res, err := e.svc.UseRecoverLink(e.ctx, e.tenant.ID, link.Secret, "10.0.0.1", "", directory.SessionPolicy{})
	if err != nil || res.Session.Kind != directory.SessionBreakGlass || res.User.ID != u.ID || res.Session.Expires.Sub(res.Session.Created) > time.Hour {
		t.Fatalf("use: %+v %v", res, err)
	}
	_, err = e.svc.UseRecoverLink(e.ctx, e.tenant.ID, link.Secret, "10.0.0.1", "", directory.SessionPolicy{})
	wantRefused(t, err, directory.ReasonLinkInvalid, "twice")
	// Not after its time.
	late, _ := e.svc.MintRecoverLink(e.ctx, cli, e.tenant.ID, u.ID, time.Minute)
	e.clock.advance(time.Minute)
	_, err = e.svc.UseRecoverLink(e.ctx, e.tenant.ID, late.Secret, "10.0.0.1", "", directory.SessionPolicy{})
	wantRefused(t, err, directory.ReasonLinkExpired, "expired")
	_, err = e.svc.UseRecoverLink(e.ctx, e.tenant.ID, "scimdb_forged", "10.0.0.1", "", directory.SessionPolicy{})
	wantRefused(t, err, directory.ReasonLinkInvalid, "forged")
	evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "breakglass."})
	var got []string
	for i := len(evs) - 1; i >= 0; i-- {
		if !strings.HasPrefix(evs[i].Action, "breakglass.recover") {
			continue
		}
		got = append(got, evs[i].Action+" "+evs[i].Outcome+" "+evs[i].Reason[:min(len(evs[i].Reason), 12)])
	}
	want := "breakglass.recover.mint denied only an oper|breakglass.recover.mint success |breakglass.recover success |" +
		"breakglass.recover denied link_invalid|breakglass.recover.mint success |breakglass.recover denied link_expired"
	if strings.Join(got, "|") != want {
		t.Errorf("audit %s", strings.Join(got, "|"))
	}
	// Swept a day after expiry.
	e.clock.advance(49 * time.Hour)
	if n, err := e.svc.SweepBreakGlass(e.ctx); err != nil || n < 3 {
		t.Errorf("sweep %d %v", n, err)
	}
})

func isReason(err error, r directory.SignInReason) bool {
	se, ok := errors.AsType[*directory.SignInError](err)
	return ok && se.Reason == r
}
