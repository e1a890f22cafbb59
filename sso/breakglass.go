package sso

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/pquerna/otp"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
)

// Break-glass pages: sign-in at /t/{tenant}/break-glass (a page of its
// own, which the tenant's sign-in page links to discreetly), enrollment from the
// link scimd breakglass create prints, and the recover link scimd recover
// prints. A link's GET only shows a page with a button: link scanners in
// mail and chat fetch links, and must not use them up.

func (s *Server) breakGlassRoutes(handle func(string, func(http.ResponseWriter, *http.Request, *directory.Tenant) error)) {
	handle("GET /t/{tenant}/break-glass", s.breakGlassForm)
	handle("POST /t/{tenant}/break-glass", s.breakGlassSignIn)
	handle("GET /t/{tenant}/break-glass/enroll", s.enrollForm)
	handle("POST /t/{tenant}/break-glass/enroll", s.enroll)
	handle("GET /t/{tenant}/break-glass/recover", s.recoverForm)
	handle("POST /t/{tenant}/break-glass/recover", s.recover)
}

// BreakGlassURL is the absolute URL of a break-glass link: base +
// /t/{slug}/break-glass/{enroll|recover}?token=SECRET. The token is in the
// query, which the access log leaves out.
func BreakGlassURL(base, slug string, purpose directory.LinkPurpose, secret string) string {
	return strings.TrimRight(base, "/") + "/t/" + slug + "/break-glass/" + string(purpose) + "?" + url.Values{"token": {secret}}.Encode()
}

// LinkURL is BreakGlassURL under this server's base URL.
func (s *Server) LinkURL(t *directory.Tenant, purpose directory.LinkPurpose, secret string) string {
	return BreakGlassURL(s.base.String(), t.Slug, purpose, secret)
}

// maxForm bounds a break-glass form's body.
const maxForm = 64 << 10

// form parses a POSTed form from scimd's own pages: a cross-origin one is
// refused.
func (s *Server) form(w http.ResponseWriter, r *http.Request) error {
	if err := s.cop.Check(r); err != nil {
		return &pageError{status: http.StatusForbidden, title: "Request refused",
			message: "This form was sent from another site.", hint: "Open the page at scimd and send it from there."}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return &pageError{status: http.StatusBadRequest, title: "The form could not be read",
			message: "What was sent is not a form scimd understands.", hint: "Go back, and send the form again."}
	}
	return nil
}

func (s *Server) breakGlassForm(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	return s.render(w, http.StatusOK, "breakglass", map[string]any{"Title": "Break-glass sign-in", "Tenant": t, "Base": s.tenantPath(t)})
}

// breakGlassSignIn checks the password and code in one step, so that no
// answer tells which was wrong, and opens a break-glass session.
func (s *Server) breakGlassSignIn(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	if err := s.form(w, r); err != nil {
		return err
	}
	email := r.PostForm.Get("email")
	addr := s.clientAddr(r)
	res, err := s.svc.BreakGlassSignIn(r.Context(), t.ID, directory.BreakGlassAttempt{
		UserName: email, Password: r.PostForm.Get("password"), Code: r.PostForm.Get("code"),
		Address: addr, RequestID: httpx.RequestID(r.Context()),
	}, s.secrets, s.policy)
	if se, ok := errors.AsType[*directory.SignInError](err); ok {
		status := http.StatusUnauthorized
		if se.Reason == directory.ReasonLocked {
			status = http.StatusTooManyRequests
		}
		s.log.InfoContext(r.Context(), "break-glass sign-in refused", "tenant", t.Slug, "reason", se.Reason, "address", addr)
		return s.render(w, status, "breakglass", map[string]any{"Title": "Break-glass sign-in", "Tenant": t, "Base": s.tenantPath(t),
			"Email": email, "Error": sentence(se.Detail)})
	}
	if err != nil {
		return err
	}
	s.opened(w, r, t, res, addr)
	return nil
}

// opened sets the session cookie of a break-glass session, raises the
// alarm and sends the browser to the tenant's home.
func (s *Server) opened(w http.ResponseWriter, r *http.Request, t *directory.Tenant, res *directory.BreakGlassResult, addr string) {
	event := "breakglass.signin"
	if res.Method == "recover_link" {
		event = "breakglass.recover"
	}
	s.alerts.Raise(r.Context(), t.Settings.BreakGlass.AlertWebhook, Alert{
		Event: event, Tenant: t.Slug, Account: res.User.UserName, AccountID: res.User.ID, Method: res.Method,
		Session: res.Session.ID, SessionExpires: res.Session.Expires, Address: addr, At: res.Session.Created,
		RequestID: httpx.RequestID(r.Context()), RecoveryCodesLeft: res.CodesLeft,
	})
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: res.Secret, Path: s.tenantPath(t),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.tenantPath(t), http.StatusSeeOther)
}

func (s *Server) enrollForm(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	token := r.URL.Query().Get("token")
	_, u, err := s.svc.BreakGlassLinkFor(r.Context(), t.ID, token, directory.PurposeEnroll)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "enroll", map[string]any{"Title": "Set up your break-glass account", "Tenant": t,
		"Base": s.tenantPath(t), "Token": token, "User": u, "Min": directory.MinPasswordLength})
}

// enroll is both steps of enrollment: "password" sets the password and
// shows the TOTP key and recovery codes, once; "confirm" checks a first
// code and finishes.
func (s *Server) enroll(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	if err := s.form(w, r); err != nil {
		return err
	}
	if s.secrets == nil {
		return errors.New("sso: no key to seal break-glass TOTP secrets with")
	}
	token := r.PostForm.Get("token")
	data := map[string]any{"Title": "Set up your break-glass account", "Tenant": t, "Base": s.tenantPath(t),
		"Token": token, "Min": directory.MinPasswordLength}
	switch r.PostForm.Get("step") {
	case "password":
		_, u, err := s.svc.BreakGlassLinkFor(r.Context(), t.ID, token, directory.PurposeEnroll)
		if err != nil {
			return err
		}
		data["User"] = u
		pw := r.PostForm.Get("password")
		if pw != r.PostForm.Get("password2") {
			data["Error"] = "The two passwords differ; type the same password twice."
			return s.render(w, http.StatusBadRequest, "enroll", data)
		}
		en, err := s.svc.StartEnrollment(r.Context(), t.ID, token, pw, "scimd "+t.Slug, s.secrets)
		if ve, ok := errors.AsType[*directory.ValidationError](err); ok {
			data["Error"] = sentence(ve.Detail)
			return s.render(w, http.StatusBadRequest, "enroll", data)
		}
		if err != nil {
			return err
		}
		qr, err := qrDataURL(en.TOTPURL)
		if err != nil {
			return err
		}
		// The QR code is an image in the page itself: allow data: images
		// here, and nothing else more.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		data["QR"], data["Secret"], data["Codes"], data["User"] = qr, en.TOTPSecret, en.RecoveryCodes, u
		return s.render(w, http.StatusOK, "enroll_codes", data)
	case "confirm":
		u, err := s.svc.FinishEnrollment(r.Context(), t.ID, token, r.PostForm.Get("code"), httpx.RequestID(r.Context()), s.secrets)
		if se, ok := errors.AsType[*directory.SignInError](err); ok && se.Reason == directory.ReasonBadCredentials {
			data["Error"] = sentence(se.Detail)
			return s.render(w, http.StatusBadRequest, "enroll_codes", data)
		}
		if err != nil {
			return err
		}
		s.log.WarnContext(r.Context(), "break-glass account enrolled", "tenant", t.Slug, "account", u.UserName)
		data["User"] = u
		return s.render(w, http.StatusOK, "enroll_done", data)
	}
	return &pageError{status: http.StatusBadRequest, title: "The form could not be read",
		message: "This form has no step scimd knows.", hint: "Open the enrollment link again."}
}

// qrDataURL draws the otpauth:// URL as a QR code, as a PNG in a data:
// URL: the page needs no other request, and no script.
func qrDataURL(otpURL string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(otpURL)
	if err != nil {
		return "", err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())), nil
}

func (s *Server) recoverForm(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	token := r.URL.Query().Get("token")
	l, u, err := s.svc.BreakGlassLinkFor(r.Context(), t.ID, token, directory.PurposeRecover)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "recover", map[string]any{"Title": "Recover access", "Tenant": t, "Base": s.tenantPath(t),
		"Token": token, "User": u, "Expires": l.Expires.UTC().Format("2006-01-02 15:04 UTC")})
}

func (s *Server) recover(w http.ResponseWriter, r *http.Request, t *directory.Tenant) error {
	if err := s.form(w, r); err != nil {
		return err
	}
	addr := s.clientAddr(r)
	res, err := s.svc.UseRecoverLink(r.Context(), t.ID, r.PostForm.Get("token"), addr, httpx.RequestID(r.Context()), s.policy)
	if err != nil {
		return err
	}
	s.opened(w, r, t, res, addr)
	return nil
}

// banner is what the break-glass banner says.
type banner struct {
	UserName string
	Expires  string
}

// bannerWriter carries, to render, the banner of the request's
// break-glass session.
type bannerWriter struct {
	http.ResponseWriter
	banner *banner
}

// withBanner returns w carrying the banner when the request comes with a
// break-glass session of t.
func (s *Server) withBanner(w http.ResponseWriter, r *http.Request, t *directory.Tenant) http.ResponseWriter {
	if _, err := r.Cookie(SessionCookie); err != nil {
		return w
	}
	sess, u, err := s.session(r, t)
	if err != nil || sess.Kind != directory.SessionBreakGlass {
		return w
	}
	return &bannerWriter{ResponseWriter: w, banner: &banner{UserName: u.UserName, Expires: sess.Expires.UTC().Format("15:04 UTC")}}
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *bannerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientAddr is the address a request comes from: the peer, or, when the
// peer is a trusted proxy, the last address in X-Forwarded-For that is
// not one.
func (s *Server) clientAddr(r *http.Request) string {
	return ClientAddr(r, s.proxies)
}

// ClientAddr is the address r comes from, believing X-Forwarded-For only
// from proxies.
func ClientAddr(r *http.Request, proxies []netip.Prefix) string {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return truncate(r.RemoteAddr, 64)
	}
	if !trusted(peer, proxies) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseAddr(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			break
		}
		if !trusted(a, proxies) {
			return a.String()
		}
	}
	return peer.String()
}

// parseAddr reads "host:port" or a bare address, and unmaps IPv4 in
// IPv6.
func parseAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
