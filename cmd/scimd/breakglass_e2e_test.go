package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/sso"
)

// offsetClock is the servers' clock: real time moved on by what the test
// says, so that lockouts and link lifetimes end without sleeping, while
// the identity provider's tokens stay valid by its own clock.
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *offsetClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// bgWorld is a world (a tenant provisioned and signed in by an in-process
// OpenID provider) whose scimd replicas run on a clock the test moves and
// believe X-Forwarded-For from loopback, so that a test can send attempts
// "from" several addresses.
type bgWorld struct {
	*world
	clk   *offsetClock
	dbURL string // for the CLI's --database-url
}

const bgPass = "a long and correct passphrase"

func newBGWorld(t *testing.T, kind string, replicas int, alerts *sso.Alerter) *bgWorld {
	t.Helper()
	dsn := testdb.SQLite(t)
	dbURL := "sqlite:" + dsn
	if kind == kindPostgres {
		dsn = testdb.Postgres(t)
		dbURL = dsn
	}
	box, _ := secretbox.New(bytes.Repeat([]byte{3}, 32))
	clk := &offsetClock{}
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	f := newFront(t, func(base string) []*replica {
		var out []*replica
		for range replicas {
			st := openTestStore(t, kind, dsn)
			svc := directory.NewService(st, clk.now)
			log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
			h, closeHandlers, err := handler(svc, st, log, base, signInConfig{keeper: box, now: time.Now, proxies: loopback, alerts: alerts,
				sessions: directory.SessionPolicy{Idle: 2 * time.Hour, Absolute: 8 * time.Hour}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { closeHandlers(context.Background()) })
			out = append(out, &replica{svc: svc, h: h})
		}
		return out
	})
	return &bgWorld{world: newWorld(t, f), clk: clk, dbURL: dbURL}
}

// cli runs scimd against the world's database.
func (w *bgWorld) cli(args ...string) string {
	w.t.Helper()
	return ok(w.t, append(args, "--database-url", w.dbURL)...)
}

var (
	keyPattern  = regexp.MustCompile(`Key: <code>([A-Z2-7]+)</code>`)
	codePattern = regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`)
)

// post sends a form from a browser, from addr (X-Forwarded-For) if set.
func post(t *testing.T, b *http.Client, u string, form url.Values, addr string) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp
}

func get(t *testing.T, b *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// enroll makes a break-glass account with the CLI and enrolls it through
// the pages its link opens, as its holder would; it returns the TOTP key
// and the recovery codes.
func (w *bgWorld) enroll(email string) (string, []string) {
	t := w.t
	t.Helper()
	out := w.cli("breakglass", "create", "--tenant", "acme", "--email", email, "--base-url", w.f.url)
	link := lastLine(out)
	if !strings.HasPrefix(link, w.f.url+"/t/acme/break-glass/enroll?token=scimdb_") || !strings.Contains(out, "shown only now") {
		t.Fatalf("create printed:\n%s", out)
	}
	token := must(url.Parse(link)).Query().Get("token")
	b := newBrowser()
	if status, body := get(t, b, link); status != http.StatusOK || !strings.Contains(body, email) {
		t.Fatalf("enrollment page: %d %s", status, body)
	}
	enrollURL := w.f.url + "/t/acme/break-glass/enroll"
	// Too short, and two that differ: refused, with the reason.
	if status, body, _ := post(t, b, enrollURL, url.Values{"token": {token}, "step": {"password"}, "password": {"short"}, "password2": {"short"}}, ""); status != http.StatusBadRequest || !strings.Contains(body, "at least 14 characters") {
		t.Errorf("short password: %d %s", status, body)
	}
	if status, _, _ := post(t, b, enrollURL, url.Values{"token": {token}, "step": {"password"}, "password": {bgPass}, "password2": {bgPass + "x"}}, ""); status != http.StatusBadRequest {
		t.Errorf("passwords that differ: %d", status)
	}
	status, body, resp := post(t, b, enrollURL, url.Values{"token": {token}, "step": {"password"}, "password": {bgPass}, "password2": {bgPass}}, "")
	key := keyPattern.FindStringSubmatch(body)
	codes := codePattern.FindAllStringSubmatch(body, -1)
	if status != http.StatusOK || key == nil || len(codes) != 10 || !strings.Contains(body, `src="data:image/png;base64,`) ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "img-src data:") {
		t.Fatalf("enrollment step 1: %d %s", status, body)
	}
	// A wrong first code leaves the link open.
	if status, body, _ := post(t, b, enrollURL, url.Values{"token": {token}, "step": {"confirm"}, "code": {"000000"}}, ""); status != http.StatusBadRequest || !strings.Contains(body, "not the one your authenticator app shows") {
		t.Errorf("wrong first code: %d %s", status, body)
	}
	code, _ := directory.TOTPCode(key[1], w.clk.now())
	if status, body, _ := post(t, b, enrollURL, url.Values{"token": {token}, "step": {"confirm"}, "code": {code}}, ""); status != http.StatusOK || !strings.Contains(body, "is ready") {
		t.Fatalf("enrollment step 2: %d %s", status, body)
	}
	// The link is used up.
	if status, _ := get(t, b, link); status != http.StatusNotFound {
		t.Errorf("enrollment link again: %d", status)
	}
	var out2 []string
	for _, c := range codes {
		out2 = append(out2, c[1])
	}
	return key[1], out2
}

// glass signs in at the break-glass page in browser b.
func (w *bgWorld) glass(b *http.Client, email, pw, code, addr string) (int, string) {
	w.t.Helper()
	status, body, _ := post(w.t, b, w.f.url+"/t/acme/break-glass", url.Values{"email": {email}, "password": {pw}, "code": {code}}, addr)
	return status, body
}

// totp is the account's code now, a step after the last one used.
func (w *bgWorld) totp(secret string) string {
	w.clk.advance(directory.TOTPPeriod * time.Second)
	c, err := directory.TOTPCode(secret, w.clk.now())
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// api calls the tenant's admin API with browser b's session, from
// scimd's own pages.
func (w *bgWorld) api(b *http.Client, method, path string, body any) *apiResponse {
	w.t.Helper()
	return w.send(b, "", method, "/t/acme/api/v1"+path, body, "Origin", w.f.url)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBreakGlassRepairsSSO is the story break-glass exists for, four
// times over: SSO breaks (the provider can't be reached; a provider whose
// signing key is not in its key set; the wrong issuer), staff can't sign
// in and see a page that says why, a break-glass account signs in (and an
// alert goes to the tenant's webhook, which fails once and then takes
// it), repairs the connection through the admin API with its break-glass
// session, and SSO works again; the audit log tells it in order. The
// fourth way is SAML's: the IdP's signing certificate has expired, and
// break-glass uploads the IdP's new metadata.
func TestBreakGlassRepairsSSO(t *testing.T) {
	for _, kind := range []string{kindSQLite, kindPostgres} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			// The tenant's alert webhook: it fails the first time it is
			// called, then takes every alert.
			var calls atomic.Int32
			delivered := make(chan sso.Alert, 10)
			hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					http.Error(rw, "not now", http.StatusServiceUnavailable)
					return
				}
				var a sso.Alert
				if err := json.NewDecoder(r.Body).Decode(&a); err != nil || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("alert body: %v", err)
				}
				delivered <- a
			}))
			t.Cleanup(hook.Close)
			alertLog := &syncBuffer{}
			alerts := sso.NewAlerter(slog.New(slog.NewTextHandler(alertLog, nil)), nil, []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond})
			w := newBGWorld(t, kind, 1, alerts)
			w.cli("tenant", "update", "acme", "--alert-webhook", hook.URL)

			ada := w.provision("ada@acme.example", "zitadel-ada")
			w.setRole(ada, "admin")
			w.op.who(opPerson{Subject: "zitadel-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example"})
			secret, _ := w.enroll("glass@ops.example")
			if status, _, body := w.signIn(newBrowser()); status != http.StatusOK || !strings.Contains(body, "ada@acme.example") {
				t.Fatalf("SSO before it breaks: %d %s", status, body)
			}
			conns := w.call("Bearer "+w.adminToken, "GET", "/api/v1/sso/connections", nil)
			connID := conns.body["connections"].([]any)[0].(map[string]any)["id"].(string)
			if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/settings", map[string]any{"enforced": true}); r.status != http.StatusOK {
				t.Fatalf("enforce: %d %s", r.status, r.raw)
			}

			// A second provider whose tokens are signed with a key its key
			// set does not have.
			badKeys := newTestOP(t, opClientID, opSecret)
			badKeys.store.signKey = must(rsa.GenerateKey(rand.Reader, 2048))
			badKeys.who(opPerson{Subject: "zitadel-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example"})
			good := w.op.issuer()
			breaks := []struct {
				name, issuer, page string
				status             int
			}{
				{"unreachable", "http://127.0.0.1:1", "can't be reached", http.StatusServiceUnavailable},
				{"wrong signing key", badKeys.issuer(), "could not be trusted", http.StatusBadGateway},
				{"wrong issuer", strings.Replace(good, "127.0.0.1", "localhost", 1), "can't be reached", http.StatusServiceUnavailable},
			}
			for i, br := range breaks {
				// Someone breaks the connection.
				if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/connections/"+connID, map[string]any{"issuer": br.issuer}); r.status != http.StatusOK {
					t.Fatalf("%s: break: %d %s", br.name, r.status, r.raw)
				}
				// Staff can't sign in, and the page says why.
				status, _, body := w.signIn(newBrowser())
				if status != br.status || !strings.Contains(html.UnescapeString(body), br.page) {
					t.Fatalf("%s: SSO sign-in while broken: %d %s", br.name, status, body)
				}
				// A break-glass account can.
				b := newBrowser()
				status, body = w.glass(b, "glass@ops.example", bgPass, w.totp(secret), "203.0.113.10")
				if status != http.StatusOK || !strings.Contains(body, "Break-glass session — signed in as glass@ops.example, ends at ") || !strings.Contains(body, "<h1>Sign-in</h1>") {
					t.Fatalf("%s: break-glass sign-in: %d %s", br.name, status, body)
				}
				// The alert: a WARN line at once, and the webhook gets it
				// (the first call failed and was retried).
				a := <-delivered
				if a.Event != "breakglass.signin" || a.Account != "glass@ops.example" || a.Tenant != "acme" || a.Method != "totp" || a.Address != "203.0.113.10" {
					t.Errorf("%s: alert %+v", br.name, a)
				}
				if i == 0 && calls.Load() != 2 {
					t.Errorf("webhook calls %d, want 2 (a failure, then the retry)", calls.Load())
				}
				// The session sees what is wrong, repairs it and tests it.
				r := w.api(b, "POST", "/sso/connections/"+connID+"/test", nil)
				if r.status != http.StatusOK || (br.name != "wrong signing key" && r.body["ok"] != false) {
					t.Errorf("%s: test while broken: %d %s", br.name, r.status, r.raw)
				}
				if r := w.api(b, "PATCH", "/sso/connections/"+connID, map[string]any{"issuer": good}); r.status != http.StatusOK {
					t.Fatalf("%s: repair: %d %s", br.name, r.status, r.raw)
				}
				if r := w.api(b, "POST", "/sso/connections/"+connID+"/test", nil); r.status != http.StatusOK || r.body["ok"] != true {
					t.Errorf("%s: test after repair: %d %s", br.name, r.status, r.raw)
				}
				// Staff sign in again.
				if status, _, body := w.signIn(newBrowser()); status != http.StatusOK || !strings.Contains(body, "ada@acme.example") {
					t.Fatalf("%s: SSO after repair: %d %s", br.name, status, body)
				}
			}
			// The fourth way, SAML's classic lockout: the IdP signs with a
			// certificate that has expired.
			w.provision("bea@acme.example", "00u1ada")
			expired := newSAMLIdP(t, time.Now().Add(-time.Hour))
			r := w.call("Bearer "+w.adminToken, "POST", "/api/v1/sso/connections", map[string]any{
				"kind": "saml", "name": "Entra", "idpMetadataUrl": expired.metadataURL(), "subjectAttribute": "uid"})
			if r.status != http.StatusCreated {
				t.Fatalf("expired certificate: create the SAML connection: %d %s", r.status, r.raw)
			}
			samlID := r.body["id"].(string)
			sp := r.body["saml"].(map[string]any)
			expired.register("scimd", sp["metadataUrl"].(string))
			expired.addUser("00u1ada", "bea@acme.example")
			// Staff can't sign in, and the page says why.
			login := (&samlWorld{world: w.world}).get(newBrowser(), w.f.url+"/t/acme/login")
			m := samlStartLink.FindStringSubmatch(login)
			if m == nil {
				t.Fatalf("expired certificate: no SAML choice on the sign-in page:\n%s", login)
			}
			resp, err := newBrowser().Get(w.f.url + html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(html.UnescapeString(string(page)), "signing certificate has expired") {
				t.Fatalf("expired certificate: SSO sign-in: want 503 saying the IdP's certificate expired, got %d %s", resp.StatusCode, page)
			}
			// Break-glass signs in, and its test names the certificate.
			b := newBrowser()
			if status, body := w.glass(b, "glass@ops.example", bgPass, w.totp(secret), "203.0.113.10"); status != http.StatusOK || !strings.Contains(body, "Break-glass session — signed in as glass@ops.example") {
				t.Fatalf("expired certificate: break-glass sign-in: %d %s", status, body)
			}
			<-delivered
			r = w.api(b, "POST", "/sso/connections/"+samlID+"/test", nil)
			if r.status != http.StatusOK || r.body["ok"] != false || !strings.Contains(r.raw, "samlidp signing") || !strings.Contains(r.raw, "expired") {
				t.Errorf("expired certificate: want a test naming the expired certificate, got %d %s", r.status, r.raw)
			}
			// The IdP's admin rolls the certificate; break-glass uploads the
			// new metadata.
			fresh := newSAMLIdP(t, time.Now().Add(365*24*time.Hour))
			doc := (&samlWorld{world: w.world}).get(newBrowser(), fresh.metadataURL())
			if r := w.api(b, "PATCH", "/sso/connections/"+samlID, map[string]any{"idpMetadata": doc}); r.status != http.StatusOK {
				t.Fatalf("expired certificate: repair: %d %s", r.status, r.raw)
			}
			if r := w.api(b, "POST", "/sso/connections/"+samlID+"/test", nil); r.status != http.StatusOK || r.body["ok"] != true {
				t.Errorf("expired certificate: test after repair: %d %s", r.status, r.raw)
			}
			fresh.register("scimd", sp["metadataUrl"].(string))
			fresh.addUser("00u1ada", "bea@acme.example")
			sw := &samlWorld{world: w.world, idp: fresh, conn: samlID, acs: sp["acsUrl"].(string)}
			if status, _, body := sw.signIn(newBrowser()); status != http.StatusOK || !strings.Contains(body, "bea@acme.example") {
				t.Fatalf("expired certificate: SSO after repair: %d %s", status, body)
			}

			alerts.Wait()
			if n := strings.Count(alertLog.String(), "level=WARN msg=\"break-glass session opened\""); n != 4 {
				t.Errorf("%d WARN lines:\n%s", n, alertLog)
			}

			// The audit log tells the story, in order.
			r = w.call("Bearer "+w.adminToken, "GET", "/api/v1/audit?limit=200", nil)
			var story []string
			evs := r.body["events"].([]any)
			for i := len(evs) - 1; i >= 0; i-- {
				e := evs[i].(map[string]any)
				actor := e["actor"].(map[string]any)
				line := fmt.Sprint(e["action"], " ", e["outcome"], " ", actor["kind"])
				if actor["scope"] == "breakglass" {
					line += " breakglass"
				}
				switch e["action"] {
				case "sso.connection.update", "sso.connection.create", "breakglass.signin", "session.signin", "sso.settings":
					story = append(story, line)
				}
			}
			want := []string{"sso.connection.create success token", "session.signin success user", "sso.settings success token"}
			for range breaks {
				want = append(want, "sso.connection.update success token", "session.signin denied user", "breakglass.signin success user breakglass",
					"sso.connection.update success user breakglass", "session.signin success user")
			}
			want = append(want, "sso.connection.create success token", "session.signin denied user", "breakglass.signin success user breakglass",
				"sso.connection.update success user breakglass", "session.signin success user")
			if !slices.Equal(story, want) {
				t.Errorf("audit story:\n%s\nwant:\n%s", strings.Join(story, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestBreakGlassBruteForce: 1,000 wrong passwords at one account from
// several addresses, spread over two replicas sharing PostgreSQL, lock
// it; the right password and code during the lockout are refused with a
// page that says it is locked (and not whether they were right); the
// lockout ends when documented (AccountThrottle: 1 minute after the 5th
// failure).
func TestBreakGlassBruteForce(t *testing.T) {
	w := newBGWorld(t, kindPostgres, 2, nil)
	secret, _ := w.enroll("glass@ops.example")
	addrs := []string{"192.0.2.1", "192.0.2.2", "198.51.100.3", "203.0.113.4", "2001:db8::5"}
	var wg sync.WaitGroup
	var locked, wrong atomic.Int32
	jobs := make(chan int)
	for range 8 {
		wg.Go(func() {
			b := newBrowser()
			for i := range jobs {
				w.f.to.Store(int32(i % 2))
				status, body, _ := post(t, b, w.f.url+"/t/acme/break-glass",
					url.Values{"email": {"glass@ops.example"}, "password": {fmt.Sprintf("guess number %d", i)}, "code": {"123456"}}, addrs[i%len(addrs)])
				switch {
				case status == http.StatusTooManyRequests && strings.Contains(body, "locked until"):
					locked.Add(1)
				case status == http.StatusUnauthorized && strings.Contains(body, "The email, password or code is not right"):
					wrong.Add(1)
				default:
					t.Errorf("attempt %d: %d %s", i, status, body)
				}
			}
		})
	}
	for i := range 1000 {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if wrong.Load() != int32(directory.AccountThrottle.Threshold) || locked.Load() != 1000-wrong.Load() {
		t.Errorf("%d refused as wrong, %d as locked; want %d wrong", wrong.Load(), locked.Load(), directory.AccountThrottle.Threshold)
	}
	// The right password and code, from a new address: still locked.
	b := newBrowser()
	code := w.totp(secret)
	status, body := w.glass(b, "glass@ops.example", bgPass, code, "192.0.2.99")
	if status != http.StatusTooManyRequests || !strings.Contains(body, "locked until") || strings.Contains(body, "not right") {
		t.Fatalf("right password while locked: %d %s", status, body)
	}
	// The operator sees the lock.
	if out := w.cli("breakglass", "list", "--tenant", "acme"); len(lines(out)) != 2 || strings.Fields(lines(out)[1])[6] == "-" {
		t.Errorf("list while locked:\n%s", out)
	}
	// That was 30 s after the fifth failure; a minute after it, the
	// account opens.
	w.clk.advance(30 * time.Second)
	if status, _ := w.glass(b, "glass@ops.example", bgPass, w.totp(secret), "192.0.2.99"); status != http.StatusOK {
		t.Fatalf("after the lockout: %d", status)
	}
	// Every attempt is in the audit log.
	r := w.call("Bearer "+w.adminToken, "GET", "/api/v1/audit?action=breakglass.signin&limit=1000", nil)
	evs := r.body["events"].([]any)
	if len(evs) != 1000 || r.body["nextBefore"] == nil {
		t.Errorf("%d events on the first page", len(evs))
	}
	first := evs[0].(map[string]any)
	if first["outcome"] != "success" {
		t.Errorf("newest event %v", first)
	}
	second := evs[1].(map[string]any)
	if second["outcome"] != "denied" || !strings.HasPrefix(second["reason"].(string), "locked: the account is locked until") {
		t.Errorf("locked attempt event %v", second)
	}
}

// TestBreakGlassCredentialsOnce: a TOTP code can't be replayed inside its
// window, a recovery code works once, a recover link from scimd recover
// works once and not after its time, and a break-glass session has
// exactly recovery's rights and ends after an hour.
func TestBreakGlassCredentialsOnce(t *testing.T) {
	w := newBGWorld(t, kindSQLite, 1, nil)
	secret, codes := w.enroll("glass@ops.example")

	code := w.totp(secret)
	if status, _ := w.glass(newBrowser(), "glass@ops.example", bgPass, code, ""); status != http.StatusOK {
		t.Fatalf("first use of a code: %d", status)
	}
	if status, body := w.glass(newBrowser(), "glass@ops.example", bgPass, code, ""); status != http.StatusUnauthorized || !strings.Contains(body, "not right") {
		t.Errorf("the same code again: %d %s", status, body)
	}
	if status, _ := w.glass(newBrowser(), "glass@ops.example", bgPass, codes[0], ""); status != http.StatusOK {
		t.Errorf("recovery code: %d", status)
	}
	if status, _ := w.glass(newBrowser(), "glass@ops.example", bgPass, codes[0], ""); status != http.StatusUnauthorized {
		t.Errorf("recovery code twice: %d", status)
	}

	// scimd recover: a link that works once.
	out := w.cli("recover", "--tenant", "acme", "--base-url", w.f.url)
	link := lastLine(out)
	if !strings.HasPrefix(link, w.f.url+"/t/acme/break-glass/recover?token=scimdb_") {
		t.Fatalf("recover printed:\n%s", out)
	}
	b := newBrowser()
	status, body := get(t, b, link)
	if status != http.StatusOK || !strings.Contains(body, "glass@ops.example") || !strings.Contains(body, "works once") {
		t.Fatalf("recover page: %d %s", status, body)
	}
	// Opening the page used nothing; the button does.
	form := url.Values{"token": {must(url.Parse(link)).Query().Get("token")}}
	status, body, _ = post(t, b, w.f.url+"/t/acme/break-glass/recover", form, "")
	if status != http.StatusOK || !strings.Contains(body, "Break-glass session — signed in as glass@ops.example") {
		t.Fatalf("recover: %d %s", status, body)
	}
	if status, body, _ := post(t, newBrowser(), w.f.url+"/t/acme/break-glass/recover", form, ""); status != http.StatusNotFound || !strings.Contains(html.UnescapeString(body), "used already") {
		t.Errorf("recover link twice: %d %s", status, body)
	}
	late := lastLine(w.cli("recover", "--tenant", "acme", "--email", "glass@ops.example", "--ttl", "1m", "--base-url", w.f.url))
	w.clk.advance(time.Minute)
	if status, _ := get(t, newBrowser(), late); status != http.StatusGone {
		t.Errorf("expired recover link: %d", status)
	}

	// The session's rights: recovery, and nothing else.
	allowed := []struct{ method, path string }{
		{"GET", "/sso"}, {"GET", "/sso/connections"}, {"GET", "/audit"}, {"GET", "/break-glass"},
		{"PATCH", "/sso/settings"},
	}
	for _, a := range allowed {
		var body any
		if a.method == "PATCH" {
			body = map[string]any{"enforced": false}
		}
		if r := w.api(b, a.method, a.path, body); r.status != http.StatusOK {
			t.Errorf("%s %s in a break-glass session: %d %s", a.method, a.path, r.status, r.raw)
		}
	}
	refused := []struct {
		method, path string
		body         any
	}{
		{"GET", "/users", nil}, {"POST", "/users", map[string]any{"userName": "eve"}}, {"GET", "/teams", nil},
		{"POST", "/teams", map[string]any{"displayName": "x"}}, {"GET", "/seats", nil}, {"GET", "/organizations", nil},
		{"GET", "/custom-fields", nil}, {"PATCH", "/break-glass/settings", map[string]any{"alertWebhook": nil}},
		{"PUT", "/users/00000000-0000-7000-8000-000000000000/role", map[string]any{"role": "owner"}},
	}
	for _, rf := range refused {
		r := w.api(b, rf.method, rf.path, rf.body)
		if r.status != http.StatusForbidden || !strings.Contains(r.raw, "A break-glass session can only repair how the tenant signs in") {
			t.Errorf("%s %s in a break-glass session: %d %s", rf.method, rf.path, r.status, r.raw)
		}
	}
	// Through the session it manages break-glass accounts.
	if r := w.api(b, "POST", "/break-glass/accounts", map[string]any{"email": "second@ops.example"}); r.status != http.StatusCreated ||
		!strings.HasPrefix(r.body["enrollmentUrl"].(string), w.f.url+"/t/acme/break-glass/enroll?token=") {
		t.Errorf("create an account in the session: %d %s", r.status, r.raw)
	}
	// An hour after it opened, the session is over.
	w.clk.advance(time.Hour)
	if r := w.api(b, "GET", "/sso", nil); r.status != http.StatusUnauthorized {
		t.Errorf("after an hour: %d %s", r.status, r.raw)
	}
}

// TestBreakGlassStaysLocal: a break-glass account is invisible and
// untouchable over SCIM and refused by IdP sign-in; an IdP-provisioned
// user can't become one.
func TestBreakGlassStaysLocal(t *testing.T) {
	w := newBGWorld(t, kindSQLite, 1, nil)
	w.enroll("glass@acme.example")
	id := strings.Fields(lines(w.cli("breakglass", "list", "--tenant", "acme"))[1])[1]
	scim := "Bearer " + w.scimToken
	if r := w.call(scim, "GET", "/scim/v2/Users/"+id, nil); r.status != http.StatusNotFound {
		t.Errorf("SCIM GET: %d", r.status)
	}
	if r := w.call(scim, "GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "glass@acme.example"`), nil); r.status != http.StatusOK || r.body["totalResults"] != 0.0 {
		t.Errorf("SCIM filter: %d %s", r.status, r.raw)
	}
	if r := w.call(scim, "PATCH", "/scim/v2/Users/"+id, map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"active": false}}},
	}); r.status != http.StatusNotFound {
		t.Errorf("SCIM PATCH: %d", r.status)
	}
	if r := w.call(scim, "DELETE", "/scim/v2/Users/"+id, nil); r.status != http.StatusNotFound {
		t.Errorf("SCIM DELETE: %d", r.status)
	}
	// The IdP signs in someone whose userName is the account's: refused.
	w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/settings", map[string]any{"linkBy": []string{"externalId", "userName"}})
	w.op.who(opPerson{Subject: "zitadel-mallory", Email: "glass@acme.example", EmailVerified: true, UserName: "glass@acme.example"})
	if status, _, body := w.signIn(newBrowser()); status != http.StatusForbidden || !strings.Contains(body, "This is a break-glass account") {
		t.Errorf("IdP sign-in as the account: %d %s", status, body)
	}
	// An IdP-provisioned user can't become one.
	w.provision("ada@acme.example", "zitadel-ada")
	r := cli(t, "breakglass", "create", "--tenant", "acme", "--email", "ada@acme.example", "--base-url", w.f.url, "--database-url", w.dbURL)
	if r.err == nil || !strings.Contains(r.stderr, "provisioned by the identity provider") {
		t.Errorf("make a SCIM user break-glass: %v %s", r.err, r.stderr)
	}
	if r := w.call("Bearer "+w.adminToken, "POST", "/api/v1/break-glass/accounts", map[string]any{"email": "ada@acme.example"}); r.status != http.StatusConflict || r.body["rule"] != "break_glass" {
		t.Errorf("admin API: %d %s", r.status, r.raw)
	}
	// Nor through a user edit.
	ada := w.call("Bearer "+w.scimToken, "GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "ada@acme.example"`), nil)
	adaID := ada.body["Resources"].([]any)[0].(map[string]any)["id"].(string)
	if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/users/"+adaID, map[string]any{"breakGlass": true}); r.status != http.StatusBadRequest {
		t.Errorf("PATCH breakGlass: %d %s", r.status, r.raw)
	}
	// The CLI refuses a fourth account, and lists three.
	w.cli("breakglass", "create", "--tenant", "acme", "--email", "two@ops.example", "--base-url", w.f.url)
	w.cli("breakglass", "create", "--tenant", "acme", "--email", "three@ops.example", "--base-url", w.f.url)
	r = cli(t, "breakglass", "create", "--tenant", "acme", "--email", "four@ops.example", "--base-url", w.f.url, "--database-url", w.dbURL)
	if r.err == nil || !strings.Contains(r.stderr, "3 active break-glass accounts") {
		t.Errorf("fourth: %s", r.stderr)
	}
	w.cli("breakglass", "disable", "--tenant", "acme", "--email", "three@ops.example")
	out := w.cli("breakglass", "reset", "--tenant", "acme", "--email", "glass@acme.example", "--base-url", w.f.url)
	if !strings.Contains(lastLine(out), "/break-glass/enroll?token=") {
		t.Errorf("reset:\n%s", out)
	}
	list := w.cli("breakglass", "list", "--tenant", "acme")
	if len(lines(list)) != 4 || !hasLine(list, "three@ops.example", "false") {
		t.Errorf("list:\n%s", list)
	}
	if r := cli(t, "recover", "--tenant", "acme", "--base-url", w.f.url, "--database-url", w.dbURL); r.err == nil || !strings.Contains(r.stderr, "say which with --email") {
		t.Errorf("recover with two accounts: %s", r.stderr)
	}
}
