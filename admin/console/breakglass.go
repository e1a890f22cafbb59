package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// Break-glass settings: the accounts that get owners back in when SSO
// breaks, and the webhook their sign-ins alert. A break-glass session may
// manage the accounts but never the webhook (see routes).

type breakGlassData struct {
	Accounts []*directory.BreakGlassAccount
	Max      int
	CanEdit  bool
	// New is an enrollment link just made: shown this once.
	New *newLink
	// Email is the create form's value after a refused create.
	Email string
}

// newLink is an account's enrollment link, shown once.
type newLink struct {
	UserName string
	URL      string
	Expires  time.Time
	Reset    bool
}

// BreakGlassBanner is the banner of every console page of a break-glass
// session: who, until when, and that everything is audited. Wire it as
// Config.Banners.
func BreakGlassBanner(r *http.Request, s *directory.Session, u *directory.User) []Banner {
	if s.Kind != directory.SessionBreakGlass {
		return nil
	}
	return []Banner{{Kind: "warning", Text: "Break-glass session — signed in as " + u.UserName + ", ends at " +
		s.Expires.UTC().Format("15:04") + " UTC; every action is audited."}}
}

func (c *Console) breakGlass(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showBreakGlass(w, r, p, &breakGlassData{})
}

func (c *Console) showBreakGlass(w http.ResponseWriter, r *http.Request, p *page, d *breakGlassData) error {
	accts, err := c.svc.BreakGlassAccounts(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	d.Accounts, d.Max, d.CanEdit = accts, directory.MaxBreakGlass, p.Me.Role == directory.RoleOwner
	p.Title, p.Section, p.Data = "Break-glass accounts", "settings/break-glass", d
	return c.render(w, p, "breakglass")
}

// linkFor makes an enrollment link's URL; without Config.LinkURL the page
// says to use the CLI.
func (c *Console) linkFor(p *page, u *directory.User, l *directory.EnrollLink, reset bool) *newLink {
	out := &newLink{UserName: u.UserName, Expires: l.Expires, Reset: reset}
	if c.cfg.LinkURL != nil {
		out.URL = c.cfg.LinkURL(p.Tenant, directory.PurposeEnroll, l.Secret)
	}
	return out
}

// createBreakGlass makes an account and shows its enrollment link once,
// in the answer to the POST: the link's secret is never stored.
func (c *Console) createBreakGlass(w http.ResponseWriter, r *http.Request, p *page) error {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	u, link, err := c.svc.CreateBreakGlass(r.Context(), actor(r, p), p.Tenant.ID, email)
	if err != nil {
		return refused(p, err, func() error { return c.showBreakGlass(w, r, p, &breakGlassData{Email: email}) })
	}
	return c.showBreakGlass(w, r, p, &breakGlassData{New: c.linkFor(p, u, link, false)})
}

func (c *Console) disableBreakGlass(w http.ResponseWriter, r *http.Request, p *page) error {
	if _, err := c.svc.DisableBreakGlass(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id")); err != nil {
		return refused(p, err, func() error { return c.showBreakGlass(w, r, p, &breakGlassData{}) })
	}
	return c.seeOther(w, r, p, "settings/break-glass", "breakglass-disabled")
}

// resetBreakGlass forgets an account's password, TOTP and codes, and shows
// its new enrollment link once.
func (c *Console) resetBreakGlass(w http.ResponseWriter, r *http.Request, p *page) error {
	u, link, err := c.svc.ResetBreakGlass(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id"))
	if err != nil {
		return refused(p, err, func() error { return c.showBreakGlass(w, r, p, &breakGlassData{}) })
	}
	return c.showBreakGlass(w, r, p, &breakGlassData{New: c.linkFor(p, u, link, true)})
}

type webhookData struct {
	URL     string
	CanEdit bool
}

func (c *Console) alertWebhook(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showAlertWebhook(w, r, p, nil)
}

// showAlertWebhook renders the webhook's page; typed, after a refused
// save, is what the owner typed.
func (c *Console) showAlertWebhook(w http.ResponseWriter, r *http.Request, p *page, typed *string) error {
	t, err := c.svc.Tenant(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	d := &webhookData{URL: t.Settings.BreakGlass.AlertWebhook, CanEdit: p.Me.Role == directory.RoleOwner}
	if typed != nil {
		d.URL = *typed
	}
	p.Title, p.Section, p.Data = "Alert webhook", "settings/alert-webhook", d
	return c.render(w, p, "alert-webhook")
}

// setAlertWebhook sets or, when empty, removes the webhook.
func (c *Console) setAlertWebhook(w http.ResponseWriter, r *http.Request, p *page) error {
	hook := strings.TrimSpace(r.PostForm.Get("alertWebhook"))
	_, err := c.svc.SetBreakGlassSettings(r.Context(), actor(r, p), p.Tenant.ID, func(s *directory.BreakGlassSettings) error {
		s.AlertWebhook = hook
		return nil
	})
	if err != nil {
		return refused(p, err, func() error { return c.showAlertWebhook(w, r, p, &hook) })
	}
	return c.seeOther(w, r, p, "settings/alert-webhook", "webhook-saved")
}
