// Package sso signs a tenant's staff in through the tenant's identity
// providers and keeps them signed in: the routes under /t/{tenant}/ (the
// sign-in page, each connector's start and callback, sign-out), the
// session cookie, and an admin.Authenticator that turns a session into a
// directory.Actor for the admin API.
//
// The protocols live in connectors (sso/oidc, sso/saml), which turn a
// provider's answer into an Assertion. Everything after that is here and
// in directory: linking the person to the user their IdP provisioned,
// refusing disabled, deleted and unknown users, the session, and the audit
// log. Pending sign-ins and sessions are database rows, so any replica
// finishes a sign-in another started, and serves its session.
package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
)

// Cookie names.
const (
	// SessionCookie holds a session's secret. Its path is the tenant's,
	// /t/{tenant}/, so a browser may be signed in to several tenants.
	SessionCookie = "scimd_session"
	// BindingCookie ties a pending sign-in to the browser that started
	// it, for the ten minutes a sign-in may take.
	BindingCookie = "scimd_signin"
)

// Config is what the sign-in routes need.
type Config struct {
	Service *directory.Service
	Log     *slog.Logger
	// BaseURL is the public URL of scimd (https://id.example.com); the
	// redirect URIs and cookie paths derive from it.
	BaseURL    string
	Connectors []Connector
	Sessions   directory.SessionPolicy
	// Secrets opens break-glass TOTP secrets (and seals new ones); without
	// it, break-glass enrollment and sign-in fail.
	Secrets directory.Sealer
	// Alerts raises the alarm for every break-glass session opened; nil
	// logs only.
	Alerts *Alerter
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed for a client's address (break-glass throttles and the
	// audit log); none means the peer's address.
	TrustedProxies []netip.Prefix
	// Console is the path, under a tenant's pages, of the admin console
	// ("console/"): the home page sends owners and admins there. ""
	// keeps everyone on the home page.
	Console string
	// ConsoleRecovery is the console page, under Console, a break-glass
	// session starts at (console.RecoveryHome: the sign-in settings it is
	// there to repair). "" keeps break-glass sessions on the home page.
	ConsoleRecovery string
}

// Server serves the sign-in routes. It keeps nothing of its own between
// requests: every replica is the same.
type Server struct {
	svc        *directory.Service
	log        *slog.Logger
	base       *url.URL
	secure     bool
	connectors map[directory.ConnectionKind]Connector
	policy     directory.SessionPolicy
	cop        *http.CrossOriginProtection
	mux        *http.ServeMux
	secrets    directory.Sealer
	alerts     *Alerter
	proxies    []netip.Prefix
	console    string
	recovery   string
}

// New returns a Server. It fails on a base URL that is not absolute.
func New(cfg Config) (*Server, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("sso: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	s := &Server{
		svc: cfg.Service, log: cfg.Log, base: base,
		// Cookies are Secure unless scimd is reached over plain http on
		// this machine (development), where a browser would drop them.
		secure:     !(base.Scheme == "http" && isLoopback(base.Hostname())),
		connectors: map[directory.ConnectionKind]Connector{},
		policy:     cfg.Sessions,
		cop:        http.NewCrossOriginProtection(),
		mux:        http.NewServeMux(),
		secrets:    cfg.Secrets,
		alerts:     cfg.Alerts,
		proxies:    cfg.TrustedProxies,
		console:    cfg.Console,
		recovery:   cfg.ConsoleRecovery,
	}
	if s.alerts == nil {
		s.alerts = NewAlerter(cfg.Log, nil, nil)
	}
	for _, c := range cfg.Connectors {
		s.connectors[c.Kind()] = c
	}
	s.routes()
	return s, nil
}

// Secure reports whether cookies are marked Secure.
func (s *Server) Secure() bool { return s.secure }

func (s *Server) routes() {
	handle := func(pattern string, fn func(http.ResponseWriter, *http.Request, *directory.Tenant) error) {
		s.mux.Handle(pattern, s.page(fn))
	}
	handle("GET /t/{tenant}/{$}", s.home)
	handle("GET /t/{tenant}/login", s.login)
	handle("POST /t/{tenant}/logout", s.logout)
	for kind, c := range s.connectors {
		prefix := "/t/{tenant}/sso/" + string(kind) + "/"
		handle("GET "+prefix+"start", s.start(c))
		handle("GET "+prefix+c.CallbackPath(), s.callback(c))
		handle("POST "+prefix+c.CallbackPath(), s.callback(c))
		if r, ok := c.(Router); ok {
			for pattern, h := range r.Routes() {
				method, name, _ := strings.Cut(pattern, " ")
				handle(method+" "+prefix+name, func(w http.ResponseWriter, r *http.Request, _ *directory.Tenant) error {
					h(w, r)
					return nil
				})
			}
		}
	}
	s.breakGlassRoutes(handle)
	handle("/t/{tenant}/", func(http.ResponseWriter, *http.Request, *directory.Tenant) error {
		return &pageError{status: http.StatusNotFound, title: "Page not found",
			message: "There is nothing at this address.", hint: "Go to the sign-in page."}
	})
}

// ServeHTTP serves /t/{tenant}/....
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type tenantKey struct{}

// Tenant returns the tenant of a request the Server routed.
func Tenant(r *http.Request) *directory.Tenant {
	t, _ := r.Context().Value(tenantKey{}).(*directory.Tenant)
	return t
}

// page adapts a handler that returns an error: the tenant is looked up
// first, security headers set, and every error becomes a page.
func (s *Server) page(fn func(http.ResponseWriter, *http.Request, *directory.Tenant) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(w, r.Pattern)
		securityHeaders(w.Header())
		t, err := s.svc.TenantBySlug(r.Context(), r.PathValue("tenant"))
		if err == nil {
			r = r.WithContext(context.WithValue(r.Context(), tenantKey{}, t))
			w = s.withBanner(w, r, t)
			err = fn(w, r, t)
		} else if errors.Is(err, directory.ErrNotFound) || !directory.ValidSlug(r.PathValue("tenant")) {
			err = &pageError{status: http.StatusNotFound, title: "No such tenant",
				message: "scimd has no tenant named " + truncate(r.PathValue("tenant"), 64) + ".",
				hint:    "Check the address your administrator gave you."}
		}
		if err != nil {
			s.writeError(w, r, t, err)
		}
	})
}

// securityHeaders keeps pages out of frames and caches, sends no Referer
// (a callback URL holds a code and a state), and allows no script at all.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// tenantPath is the path of the tenant's pages, with the base URL's path
// in front: "/t/acme/".
func (s *Server) tenantPath(t *directory.Tenant) string {
	return s.base.Path + "/t/" + t.Slug + "/"
}

// CallbackURL is the absolute URL a provider sends the browser back to
// for a connection: what an admin registers at the provider (the OIDC
// redirect URI, the SAML ACS URL). It is "" for a kind no connector
// serves.
func (s *Server) CallbackURL(t *directory.Tenant, conn *directory.Connection) string {
	return s.callbackURL(t, conn.Kind, conn.ID)
}

func (s *Server) callbackURL(t *directory.Tenant, kind directory.ConnectionKind, connID string) string {
	c, ok := s.connectors[kind]
	if !ok {
		return ""
	}
	return CallbackURL(s.base.String(), t.Slug, kind, ConnectionPath(c.CallbackPath(), connID))
}

// CallbackURL is base + /t/{slug}/sso/{kind}/{path}.
func CallbackURL(base, slug string, kind directory.ConnectionKind, path string) string {
	return strings.TrimRight(base, "/") + "/t/" + slug + "/sso/" + string(kind) + "/" + path
}

// ConnectionPath fills the {connection} wildcard of a connector's path in
// with a connection's id.
func ConnectionPath(path, connID string) string {
	return strings.ReplaceAll(path, "{connection}", connID)
}

// home is the tenant's page for a signed-in user; owners and admins go on
// to the console.
func (s *Server) home(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	sess, u, err := s.session(r, t)
	if err != nil {
		http.Redirect(w, r, s.tenantPath(t)+"login", http.StatusSeeOther)
		return nil
	}
	// A break-glass session goes to the console's sign-in settings: the
	// console lets it use its recovery pages alone.
	if s.console != "" && sess.Kind == directory.SessionBreakGlass {
		if s.recovery != "" {
			http.Redirect(w, r, s.tenantPath(t)+s.console+s.recovery, http.StatusSeeOther)
			return nil
		}
	} else if s.console != "" && u.Role.Administers() {
		http.Redirect(w, r, s.tenantPath(t)+s.console, http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "home", map[string]any{"Title": t.Name, "Tenant": t, "User": u, "Base": s.tenantPath(t)})
}

// login lists the tenant's enabled connections.
func (s *Server) login(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	conns, err := s.svc.Connections(r.Context(), t.ID)
	if err != nil {
		return err
	}
	returnTo := s.safeReturn(t, r.URL.Query().Get("return"))
	type choice struct {
		Name string
		URL  string
	}
	var choices []choice
	for _, c := range conns {
		if _, ok := s.connectors[c.Kind]; !ok || !c.Enabled {
			continue
		}
		q := url.Values{"connection": {c.ID}}
		if returnTo != s.tenantPath(t) {
			q.Set("return", returnTo)
		}
		choices = append(choices, choice{Name: c.Name, URL: s.tenantPath(t) + "sso/" + string(c.Kind) + "/start?" + q.Encode()})
	}
	data := map[string]any{"Title": "Sign in to " + t.Name, "Tenant": t, "Choices": choices, "Base": s.tenantPath(t), "SignedOut": r.URL.Query().Has("signedout")}
	if _, u, err := s.session(r, t); err == nil {
		data["User"] = u
	}
	return s.render(w, http.StatusOK, "login", data)
}

// start begins a sign-in through the connection the query names.
func (s *Server) start(c Connector) func(http.ResponseWriter, *http.Request, *directory.Tenant) error {
	return func(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
		conn, err := s.svc.Connection(r.Context(), t.ID, r.URL.Query().Get("connection"))
		if errors.Is(err, directory.ErrNotFound) || err == nil && (!conn.Enabled || conn.Kind != c.Kind()) {
			return &pageError{status: http.StatusNotFound, title: "This sign-in option is not available",
				message: "The sign-in connection in this link does not exist or is turned off.",
				hint:    "Go back to the sign-in page and pick one of the options there."}
		}
		if err != nil {
			return err
		}
		state, browser := directory.NewSecret(), s.browserValue(r)
		p := &directory.PendingSignIn{TenantID: t.ID, ConnectionID: conn.ID, ReturnTo: s.safeReturn(t, r.URL.Query().Get("return"))}
		to, err := c.Start(r.Context(), &StartRequest{Tenant: t, Connection: conn, Pending: p, State: state, CallbackURL: s.CallbackURL(t, conn)})
		if err != nil {
			if se, ok := errors.AsType[*directory.SignInError](err); ok {
				s.recordRefusal(r, t, directory.SignInClaims{ConnectionID: conn.ID}, se)
			}
			return err
		}
		if err := s.svc.BeginSignIn(r.Context(), p, state, browser); err != nil {
			return err
		}
		binding := &http.Cookie{Name: BindingCookie, Value: browser, Path: s.tenantPath(t) + "sso/",
			MaxAge: int(directory.PendingTTL / time.Second), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
		if fp, ok := c.(FormPoster); ok && fp.FormPost() {
			binding.SameSite, binding.Secure = http.SameSiteNoneMode, true
		}
		http.SetCookie(w, binding)
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
}

// browserValue is the browser's binding value: the one it has, so that
// two sign-ins in two tabs both finish, or a new one.
func (s *Server) browserValue(r *http.Request) string {
	if c, err := r.Cookie(BindingCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	return directory.NewSecret()
}

// callback finishes a sign-in: the connector verifies the provider's
// answer, the directory links and starts a session, the browser gets its
// cookie.
func (s *Server) callback(c Connector) func(http.ResponseWriter, *http.Request, *directory.Tenant) error {
	return func(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
		var pending *directory.PendingSignIn
		var taken *directory.Connection
		req := &FinishRequest{
			HTTP: r, Tenant: t, CallbackURL: s.callbackURL(t, c.Kind(), r.PathValue("connection")),
			Take: func(state string) (*directory.PendingSignIn, *directory.Connection, error) {
				p, err := s.svc.TakeSignIn(r.Context(), t.ID, state)
				if err != nil {
					return nil, nil, err
				}
				pending = p
				bc, cerr := r.Cookie(BindingCookie)
				if cerr != nil || subtle.ConstantTimeCompare(directory.HashSecret(bc.Value), p.BrowserHash) != 1 {
					return nil, nil, Refuse(ReasonBrowserMismatch, "this sign-in was started in another browser (or this browser's cookies were cleared); start again from the sign-in page in this browser")
				}
				conn, err := s.svc.Connection(r.Context(), t.ID, p.ConnectionID)
				if errors.Is(err, directory.ErrNotFound) || err == nil && (!conn.Enabled || conn.Kind != c.Kind()) {
					return nil, nil, &directory.SignInError{Reason: directory.ReasonConnectionDisabled,
						Detail: "this sign-in connection was turned off or removed while you were signing in; ask your administrator"}
				}
				if err != nil {
					return nil, nil, err
				}
				taken = conn
				return p, conn, nil
			},
			Connections: func() ([]*directory.Connection, error) {
				all, err := s.svc.Connections(r.Context(), t.ID)
				var out []*directory.Connection
				for _, conn := range all {
					if conn.Enabled && conn.Kind == c.Kind() {
						out = append(out, conn)
					}
				}
				return out, err
			},
		}
		a, err := c.Finish(r.Context(), req)
		if err != nil {
			_, hasBinding := r.Cookie(BindingCookie)
			if se, ok := errors.AsType[*directory.SignInError](err); ok && se.Reason == directory.ReasonStateUnknown && hasBinding != nil {
				// No sign-in was started in this browser: a stray or
				// forged request, not a person's attempt. It is logged,
				// not written to the tenant's audit log, so that anyone
				// on the internet can't fill that log.
				s.log.InfoContext(r.Context(), "sign-in callback without a sign-in", "tenant", t.Slug)
				return err
			}
			if se, ok := errors.AsType[*directory.SignInError](err); ok {
				claims := directory.SignInClaims{}
				if taken != nil {
					claims.ConnectionID = taken.ID
				} else if pending != nil {
					claims.ConnectionID = pending.ConnectionID
				} else if id, ok := directory.CanonicalID(r.PathValue("connection")); ok {
					// An answer no pending sign-in names (IdP-initiated
					// SAML) arrived at this connection's address.
					claims.ConnectionID = id
				}
				s.recordRefusal(r, t, claims, se)
			}
			return err
		}
		res, err := s.svc.SignIn(r.Context(), t.ID, directory.SignInClaims{
			ConnectionID: a.Connection.ID, Subject: a.Subject, ExternalID: a.ExternalID,
			Email: a.Email, EmailVerified: a.EmailVerified, UserName: a.UserName,
			DisplayName: a.DisplayName, GivenName: a.GivenName, FamilyName: a.FamilyName,
		}, s.policy, httpx.RequestID(r.Context()))
		if err != nil {
			return err // SignIn recorded a refusal itself
		}
		s.log.InfoContext(r.Context(), "signed in", "tenant", t.Slug, "user", res.User.ID, "connection", a.Connection.ID, "session", res.Session.ID)
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: res.Secret, Path: s.tenantPath(t),
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
		to := s.tenantPath(t)
		if pending != nil {
			to = s.safeReturn(t, pending.ReturnTo)
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) recordRefusal(r *http.Request, t *directory.Tenant, c directory.SignInClaims, se *directory.SignInError) {
	if err := s.svc.RecordSignInRefused(r.Context(), t.ID, c, se, httpx.RequestID(r.Context())); err != nil {
		s.log.ErrorContext(r.Context(), "can't record a refused sign-in", "tenant", t.Slug, "err", err)
	}
}

// logout ends the session and clears the cookie. It is a POST from the
// tenant's own pages: a cross-site request is refused.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	if err := s.cop.Check(r); err != nil {
		return &pageError{status: http.StatusForbidden, title: "Sign-out refused",
			message: "This sign-out came from another site.", hint: "Sign out from scimd's own page."}
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.svc.SignOut(r.Context(), t.ID, c.Value, httpx.RequestID(r.Context())); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: s.tenantPath(t), MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.tenantPath(t)+"login?signedout", http.StatusSeeOther)
	return nil
}

// session returns the request's live session in t and its user.
func (s *Server) session(r *http.Request, t *directory.Tenant) (*directory.Session, *directory.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, nil, directory.ErrNotFound
	}
	return s.svc.Session(r.Context(), t.ID, c.Value, s.policy)
}

// safeReturn returns p if it is a path on this tenant's pages, else the
// tenant's home: a sign-in never sends a browser to another site (or
// tenant) afterwards.
func (s *Server) safeReturn(t *directory.Tenant, p string) string {
	home := s.tenantPath(t)
	if p == "" || len(p) > 1024 || !strings.HasPrefix(p, home) || strings.ContainsAny(p, "\\\x00\r\n\t") || strings.Contains(p, "//") {
		return home
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
		return home
	}
	return p
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
