package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimd/scimd/directory"
)

// page is what every page template gets: who is signed in where, the
// paths to link to, the form token, and the page's own Data.
type page struct {
	status  int
	Title   string
	Section string // the navigation entry to mark
	Tenant  *directory.Tenant
	Me      *directory.User
	// Visitor is who is signed in when they may not use the console.
	Visitor *directory.User
	Session *directory.Session
	Base    string // the tenant's pages: /t/acme/
	Home    string // the console: /t/acme/console/
	Static  string // the static files of this build: /t/acme/console/static/v/
	CSRF    string
	Banners []Banner
	// BreakGlass: the session is a break-glass session, which may use the
	// recovery pages alone.
	BreakGlass bool
	// Nav and SettingsNav are the pages the navigation lists: those the
	// session may use.
	Nav         []navItem
	SettingsNav []navItem
	// Flash says what the last change did; Problem why a change was
	// refused, or why the page can't be shown.
	Flash   string
	Problem *problem
	// ProblemPage: the whole page is Problem (it is not shown above
	// other content).
	ProblemPage bool
	Data        any
}

// handlerFunc serves one page. A returned error is shown as a page
// (problemFor); a handler that shows its own page after a refused change
// sets p.Problem and renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *page) error

// maxForm bounds a form's body: no form of the console comes near it.
const maxForm = 1 << 20

// page adapts a handlerFunc: the tenant is looked up, the session checked
// (owners and admins only), a change's origin and token checked, security
// headers set, and any error shown as a page.
func (c *Console) page(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(w, r)
		securityHeaders(w.Header(), c.secure)
		p := &page{status: http.StatusOK}
		t, err := c.svc.TenantBySlug(r.Context(), r.PathValue("tenant"))
		if err != nil {
			if errors.Is(err, directory.ErrNotFound) || !directory.ValidSlug(r.PathValue("tenant")) {
				err = &problem{Status: http.StatusNotFound, Title: "No such tenant",
					Message: "scimd has no tenant named " + truncate(r.PathValue("tenant"), 64) + ". Check the address."}
			}
			c.writeProblem(w, r, p, err)
			return
		}
		p.Tenant, p.Base, p.Home = t, c.tenantPath(t), c.home(t)
		p.Static = p.Home + "static/" + staticVersion + "/"
		sess, u, err := c.cfg.SignedIn(r, t)
		if errors.Is(err, directory.ErrNotFound) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				to := p.Base + "login?" + url.Values{"return": {c.basePath + r.URL.RequestURI()}}.Encode()
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
			c.writeProblem(w, r, p, &problem{Status: http.StatusUnauthorized, Title: "Your session has ended",
				Message: "Nothing was changed. Sign in again, then make the change once more."})
			return
		}
		if err != nil {
			c.writeProblem(w, r, p, err)
			return
		}
		p.Session = sess
		if !u.Role.Administers() {
			p.Visitor = u
			c.writeProblem(w, r, p, &problem{Status: http.StatusForbidden, Title: "The console is for owners and admins",
				Message: "You are signed in as " + u.UserName + ", whose role is " + string(u.Role) + ". Ask an owner or admin of " + t.Name + " if you need access."})
			return
		}
		p.Me, p.CSRF = u, csrfToken(sess)
		p.BreakGlass = sess.Kind == directory.SessionBreakGlass
		p.Nav, p.SettingsNav = c.nav(p.BreakGlass)
		if c.cfg.Banners != nil {
			p.Banners = c.cfg.Banners(r, sess, u)
		}
		if p.BreakGlass && !c.recovery[r.Pattern] {
			// A break-glass session may repair sign-in and nothing more
			// (admin.BreakGlassRoutes); the other pages would give it
			// all of an owner's rights.
			c.writeProblem(w, r, p, &problem{Status: http.StatusForbidden, Title: "Not in a break-glass session",
				Message: "A break-glass session can only repair how " + t.Name + " signs in: the sign-in connections and their test, SSO enforcement and sign-in settings, break-glass accounts and the audit log. Nothing was changed. Once sign-in works, sign in through your identity provider for everything else."})
			return
		}
		if !safeMethod(r.Method) {
			if err := c.checkForm(w, r, p); err != nil {
				c.writeProblem(w, r, p, err)
				return
			}
		}
		if err := fn(w, r, p); err != nil {
			c.writeProblem(w, r, p, err)
		}
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkForm admits a change only from the console's own pages: the
// browser must say it comes from this origin (CrossOriginProtection reads
// Sec-Fetch-Site and Origin), and the form must carry the session's token,
// which a page of another site can't read. The token covers browsers that
// send neither header; the session cookie's SameSite=Lax covers the rest.
func (c *Console) checkForm(w http.ResponseWriter, r *http.Request, p *page) error {
	refused := &problem{Status: http.StatusForbidden, Title: "This change was refused",
		Message: "It did not come from a page of this console (or the page was open from an earlier sign-in). Nothing was changed. Reload the page and try again."}
	if err := c.cop.Check(r); err != nil {
		return refused
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := parseForm(r); err != nil {
		return &problem{Status: http.StatusBadRequest, Title: "This form could not be read", Message: "Nothing was changed. Reload the page and try again."}
	}
	got := r.PostForm.Get("csrf")
	if got == "" || p.CSRF == "" || !hmac.Equal([]byte(got), []byte(p.CSRF)) {
		return refused
	}
	return nil
}

// csrfToken is the session's form token: a MAC of the session's id keyed
// with the hash of its secret, so every replica derives the same token
// and nobody without the session can.
func csrfToken(s *directory.Session) string {
	if len(s.Hash) == 0 {
		return "" // no key: every change is refused rather than a guessable token
	}
	m := hmac.New(sha256.New, s.Hash)
	m.Write([]byte("scimd console form " + s.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// securityHeaders: scripts and styles from scimd only and none inline, no
// framing, no caching of tenant data, no Referer to other sites.
func securityHeaders(h http.Header, secure bool) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	h.Set("Cache-Control", "no-store")
	if secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// contentSecurityPolicy is every console page's policy.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// seeOther sends the browser to a console path after a change (POST,
// redirect, GET), with the code of what to say about it (see flashes).
func (c *Console) seeOther(w http.ResponseWriter, r *http.Request, p *page, path, done string) error {
	to, fragment, _ := strings.Cut(p.Home+path, "#")
	if done != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "done=" + url.QueryEscape(done)
	}
	if fragment != "" {
		to += "#" + fragment
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
