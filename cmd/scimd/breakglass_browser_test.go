package main

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/scimd/scimd/internal/browsertest"
)

// authenticatorCode is what an authenticator app shows for secret a TOTP
// step after the world's clock now (a step the server has not seen used):
// RFC 6238 with six digits, SHA-1 and 30 seconds, computed here with
// pquerna/otp rather than by the directory that checks it.
func authenticatorCode(t *testing.T, w *bgWorld, secret string) string {
	t.Helper()
	w.clk.advance(30 * time.Second)
	code, err := totp.GenerateCodeCustom(secret, w.clk.now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatalf("a code for the key the page showed (%q): %v", secret, err)
	}
	return code
}

var recoveryCode = regexp.MustCompile(`^[a-z2-7]{5}-[a-z2-7]{5}$`)

// TestBreakGlassInBrowser: the operator makes a break-glass account with
// the CLI; its holder opens the link in Chromium, sets a password, reads
// the TOTP key and the ten recovery codes (shown once), and confirms with
// a code from an authenticator. SSO then breaks; staff see why on the
// sign-in page, whose discreet link leads to break-glass sign-in. The
// break-glass session lands on the console's sign-in settings with its
// banner, its nav offers only the recovery pages, any other page is a 403
// that says what the session can do, and the connection test shows what
// is broken; the holder repairs the connection, the test passes, and
// staff sign in through SSO again.
func TestBreakGlassInBrowser(t *testing.T) {
	b := browsertest.New(t)
	w := newBGWorld(t, kindSQLite, 1, nil)
	ada := w.provision("ada@acme.example", "idp-ada")
	w.setRole(ada, "admin")
	w.op.who(opPerson{Subject: "idp-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example"})
	base := w.f.url + "/t/acme/"

	step := "enroll: the link"
	out := w.cli("breakglass", "create", "--tenant", "acme", "--email", "glass@ops.example", "--base-url", w.f.url)
	link := lastLine(out)
	if !strings.HasPrefix(link, base+"break-glass/enroll?token=") {
		t.Fatalf("step %q: expected the CLI to print an enrollment link last; it printed:\n%s", step, out)
	}
	b.Open(step, link)
	b.WaitText(step, "h1", "Set up your break-glass account")
	b.WaitText(step, "main", "This sets up glass@ops.example")

	step = "enroll: the password"
	b.Type(step, "#password", bgPass)
	b.Type(step, "#password2", bgPass)
	b.Shot("enroll-password")
	b.ClickAndLoad(step, "form button[type=submit]")
	b.WaitText(step, "h1", "Set up your authenticator app")
	b.WaitVisible(step, `img[alt="QR code of the TOTP key"]`)
	secret := b.Text(step, "main p code")
	codes := b.Texts(step, "ol.codes li")
	b.Shot("enroll-key-and-recovery-codes")
	if len(codes) != 10 {
		t.Errorf("step %q: expected 10 recovery codes on the page; found %d: %q", step, len(codes), codes)
	}
	for _, c := range codes {
		if !recoveryCode.MatchString(c) {
			t.Errorf("step %q: expected recovery codes like abcde-fgh23; found %q", step, c)
		}
	}

	step = "enroll: the first code"
	b.Type(step, "#code", authenticatorCode(t, w, secret))
	b.ClickAndLoad(step, "form button[type=submit]")
	b.WaitText(step, "h1", "Your break-glass account is ready")
	b.WaitText(step, "main", "glass@ops.example can now sign in at the break-glass page")
	b.Shot("enrolled")

	step = "the key and codes were shown once"
	if status := b.OpenStatus(step, link); status != http.StatusNotFound {
		t.Errorf("step %q: expected the used enrollment link to answer 404; it answered %d", step, status)
	}
	b.WaitGone(step, "body", secret)
	b.WaitGone(step, "body", codes[0])
	b.Shot("enrollment-link-used")

	step = "SSO breaks"
	conns := w.call("Bearer "+w.adminToken, "GET", "/api/v1/sso/connections", nil)
	connID := conns.body["connections"].([]any)[0].(map[string]any)["id"].(string)
	good := w.op.issuer()
	if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/connections/"+connID, map[string]any{"issuer": "http://127.0.0.1:1"}); r.status != http.StatusOK {
		t.Fatalf("step %q: break the connection: %d %s", step, r.status, r.raw)
	}
	b.Open(step, base+"login")
	b.ClickAndLoad(step, "a.choice")
	b.WaitText(step, "main", "can't be reached")
	b.Shot("sso-broken")

	step = "break-glass sign-in from the sign-in page"
	b.Open(step, base+"login")
	b.WaitText(step, ".aside", "for owners, when single sign-on is broken")
	b.ClickAndLoad(step, ".aside a")
	b.WaitURL(step, "/t/acme/break-glass")
	b.WaitText(step, "h1", "Break-glass sign-in to Acme Inc")
	b.Type(step, "#email", "glass@ops.example")
	b.Type(step, "#password", bgPass)
	b.Type(step, "#code", authenticatorCode(t, w, secret))
	b.Shot("break-glass-sign-in")
	b.ClickAndLoad(step, "form button[type=submit]")
	b.WaitURL(step, "/t/acme/console/settings/sso")
	b.WaitText(step, ".banners", "Break-glass session — signed in as glass@ops.example, ends at ")
	b.WaitText(step, ".banners", "every action is audited")
	b.WaitText(step, "h1", "Sign-in")
	b.WaitText(step, ".who", "glass@ops.example")
	if nav := b.Texts(step, `nav[aria-label="Console"] a`); !slices.Equal(nav, []string{"Audit log", "Sign-in", "Break-glass accounts"}) {
		t.Errorf("step %q: expected the nav to offer only the recovery pages (Audit log, Sign-in, Break-glass accounts); it offers %q", step, nav)
	}
	b.Shot("break-glass-console")

	step = "a page that is not for recovery"
	if status := b.OpenStatus(step, base+"console/users"); status != http.StatusForbidden {
		t.Errorf("step %q: expected the users page to answer 403 in a break-glass session; it answered %d", step, status)
	}
	b.WaitText(step, "h1", "Not in a break-glass session")
	b.WaitText(step, "#problem", "A break-glass session can only repair how Acme Inc signs in")
	b.WaitText(step, "#problem", "Nothing was changed")
	b.WaitText(step, "#recovery-pages", "Sign-in")
	b.WaitText(step, ".banners", "Break-glass session — signed in as glass@ops.example")
	b.WaitGone(step, "main", "ada@acme.example")
	b.Shot("not-for-recovery")

	step = "test the broken connection"
	b.ClickAndLoad(step, `#recovery-pages a[href$="/settings/sso"]`)
	b.ClickAndLoad(step, "#connections a")
	b.ClickAndLoad(step, "form[action$='/test'] button")
	b.WaitText(step, "#findings", "the discovery document http://127.0.0.1:1/.well-known/openid-configuration")
	b.WaitText(step, "#findings li.problem", "problem")
	b.Shot("connection-test-broken")

	step = "repair the connection"
	b.Clear(step, "#c-issuer")
	b.Type(step, "#c-issuer", good)
	b.ClickAndLoad(step, "#edit-connection button[type=submit]")
	b.WaitText(step, ".flash.ok", "The connection was saved.")
	b.ClickAndLoad(step, "form[action$='/test'] button")
	b.WaitText(step, "#findings", "the issuer matches: "+good)
	b.WaitGone(step, "#findings", "problem")
	b.Shot("connection-test-repaired")

	step = "staff sign in again"
	b.ClickAndLoad(step, ".who button[type=submit]")
	b.WaitURL(step, "/t/acme/login")
	b.ClickAndLoad(step, "a.choice")
	b.WaitURL(step, "/t/acme/console/")
	b.WaitText(step, ".who", "ada@acme.example")
	b.WaitGone(step, "body", "Break-glass session")
	b.Shot("sso-repaired")

	// The refusals above answered with their status on purpose; nothing
	// else went wrong in a page.
	expected := []string{"/favicon.ico", link, base + "sso/oidc/start", base + "console/users"}
	if p := b.Problems(func(s string) bool {
		return slices.ContainsFunc(expected, func(u string) bool { return strings.Contains(s, u) })
	}); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
