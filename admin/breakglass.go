package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/scimd/scimd/directory"
)

// BreakGlassRoutes are what a break-glass session may use: exactly what
// recovery needs (see sign-in and its connections, repair, test and delete
// them, turn enforcement off and on, manage break-glass accounts, read the
// audit log). Everything else answers 403. The alert webhook is not among
// them: a break-glass session can't silence the alarm it raised.
var BreakGlassRoutes = map[string]bool{
	"GET " + Prefix + "/sso":                                true,
	"PATCH " + Prefix + "/sso/settings":                     true,
	"GET " + Prefix + "/sso/connections":                    true,
	"POST " + Prefix + "/sso/connections":                   true,
	"GET " + Prefix + "/sso/connections/{id}":               true,
	"PATCH " + Prefix + "/sso/connections/{id}":             true,
	"DELETE " + Prefix + "/sso/connections/{id}":            true,
	"POST " + Prefix + "/sso/connections/{id}/test":         true,
	"GET " + Prefix + "/audit":                              true,
	"GET " + Prefix + "/break-glass":                        true,
	"POST " + Prefix + "/break-glass/accounts":              true,
	"POST " + Prefix + "/break-glass/accounts/{id}/disable": true,
	"POST " + Prefix + "/break-glass/accounts/{id}/reset":   true,
	Prefix + "/": true, // no such endpoint: a 404 or 405, as for anyone
}

// checkBreakGlass refuses a break-glass session a route outside
// BreakGlassRoutes.
func (h *handler) checkBreakGlass(r *http.Request, p Principal) error {
	if p.Actor.Scope != directory.ScopeBreakGlass {
		return nil
	}
	if _, pattern := h.mux.Handler(r); BreakGlassRoutes[pattern] {
		return nil
	}
	return errorf(http.StatusForbidden, CodeForbidden,
		"A break-glass session can only repair how the tenant signs in: the sign-in connections and their test, SSO enforcement, break-glass accounts and the audit log. Sign in through your identity provider for everything else.")
}

// Finding is one result of a connection test.
type Finding struct {
	Level   string `json:"level"` // ok, warning or problem
	Message string `json:"message"`
}

// ConnectionTester tests a connection as sign-in will use it (scimd sso
// test's checks).
type ConnectionTester func(ctx context.Context, t *directory.Tenant, c *directory.Connection) []Finding

// breakGlassAccountJSON is a break-glass account and the state of its
// credentials, never the credentials.
type breakGlassAccountJSON struct {
	ID                string  `json:"id"`
	UserName          string  `json:"userName"`
	Active            bool    `json:"active"`
	Enrolled          *string `json:"enrolled"`
	LastSignIn        *string `json:"lastSignIn"`
	RecoveryCodesLeft int     `json:"recoveryCodesLeft"`
	LockedUntil       *string `json:"lockedUntil,omitempty"`
	EnrollmentExpires *string `json:"enrollmentExpires,omitempty"`
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timeJSON(*t)
	return &s
}

func breakGlassView(a *directory.BreakGlassAccount) *breakGlassAccountJSON {
	return &breakGlassAccountJSON{ID: a.User.ID, UserName: a.User.UserName, Active: a.User.Active,
		Enrolled: optTime(a.Enrolled), LastSignIn: optTime(a.LastSignIn), RecoveryCodesLeft: a.CodesLeft,
		LockedUntil: optTime(a.LockedUntil), EnrollmentExpires: optTime(a.EnrollExpires)}
}

// getBreakGlass answers the tenant's break-glass accounts and settings.
func (h *handler) getBreakGlass(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	accts, err := h.svc.BreakGlassAccounts(r.Context(), t.ID)
	if err != nil {
		return err
	}
	out := struct {
		Accounts    []*breakGlassAccountJSON `json:"accounts"`
		MaxAccounts int                      `json:"maxAccounts"`
		Settings    map[string]any           `json:"settings"`
	}{make([]*breakGlassAccountJSON, len(accts)), directory.MaxBreakGlass, breakGlassSettingsView(t.Settings.BreakGlass)}
	for i, a := range accts {
		out.Accounts[i] = breakGlassView(a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func breakGlassSettingsView(s directory.BreakGlassSettings) map[string]any {
	var hook any
	if s.AlertWebhook != "" {
		hook = s.AlertWebhook
	}
	return map[string]any{"alertWebhook": hook}
}

// accountWithLink answers an account with its new enrollment link.
func (h *handler) accountWithLink(w http.ResponseWriter, r *http.Request, status int, u *directory.User, link *directory.EnrollLink) error {
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	out := struct {
		Account           *breakGlassAccountJSON `json:"account"`
		EnrollmentURL     string                 `json:"enrollmentUrl,omitempty"`
		EnrollmentExpires string                 `json:"enrollmentExpires"`
	}{Account: breakGlassView(&directory.BreakGlassAccount{User: u, EnrollExpires: &link.Expires}), EnrollmentExpires: timeJSON(link.Expires)}
	if h.linkURL != nil {
		out.EnrollmentURL = h.linkURL(t, directory.PurposeEnroll, link.Secret)
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", Prefix+"/break-glass/accounts/"+u.ID)
	}
	writeJSON(w, status, out)
	return nil
}

// createBreakGlass makes an account: {"email": "..."}. The answer holds
// its enrollment link, shown once.
func (h *handler) createBreakGlass(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "email"); err != nil {
		return err
	}
	email, err := str(doc, "email")
	if err != nil {
		return err
	}
	u, link, err := h.svc.CreateBreakGlass(r.Context(), actorOf(r), tenantOf(r), email)
	if err != nil {
		return err
	}
	return h.accountWithLink(w, r, http.StatusCreated, u, link)
}

func (h *handler) disableBreakGlass(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.DisableBreakGlass(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, breakGlassView(&directory.BreakGlassAccount{User: u}))
	return nil
}

// resetBreakGlass forgets an account's credentials and answers a new
// enrollment link.
func (h *handler) resetBreakGlass(w http.ResponseWriter, r *http.Request) error {
	u, link, err := h.svc.ResetBreakGlass(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.accountWithLink(w, r, http.StatusOK, u, link)
}

// patchBreakGlassSettings sets the alert webhook: {"alertWebhook":
// "https://..."}, or null to remove it.
func (h *handler) patchBreakGlassSettings(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "alertWebhook"); err != nil {
		return err
	}
	v, set := doc["alertWebhook"]
	hook, isStr := v.(string)
	if set && v != nil && !isStr {
		return invalidf("alertWebhook", "alertWebhook must be a URL, or null to remove it.")
	}
	s, err := h.svc.SetBreakGlassSettings(r.Context(), actorOf(r), tenantOf(r), func(s *directory.BreakGlassSettings) error {
		if set {
			s.AlertWebhook = hook
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, breakGlassSettingsView(*s))
	return nil
}

// testConnection runs the connection test and answers its findings; ok is
// false when one is a problem.
func (h *handler) testConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Connection(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if h.tester == nil {
		return errorf(http.StatusNotImplemented, CodeInternal, "This server can't test connections.")
	}
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	findings := h.tester(r.Context(), t, c)
	ok := true
	for _, f := range findings {
		if f.Level == "problem" {
			ok = false
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"connection": c.ID, "ok": ok, "findings": findings})
	return nil
}
