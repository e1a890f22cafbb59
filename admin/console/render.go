package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds one template set per page: the layout, the shared
// partials, and the page's own "content".
var pages = parsePages()

var funcs = template.FuncMap{
	"when":  when,
	"label": label,
	// query builds a query string from pairs, leaving out empty values.
	"query": func(pairs ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i+1] != "" {
				v.Set(pairs[i], pairs[i+1])
			}
		}
		if len(v) == 0 {
			return ""
		}
		return "?" + v.Encode()
	},
	"join": strings.Join,
	"fmtint": func(n int) string {
		s := fmt.Sprint(n)
		for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	},
}

// navItem is an entry of the console's navigation.
type navItem struct{ Path, Title, Section string }

// nav returns the navigation's entries, the main ones then the settings:
// all of them, or for a break-glass session those it may open.
func (c *Console) nav(breakGlass bool) (main, settings []navItem) {
	for _, list := range []struct {
		items []navItem
		out   *[]navItem
	}{{navItems, &main}, {settingsSections, &settings}} {
		for _, it := range list.items {
			if !breakGlass || c.recovery["GET /t/{tenant}/"+Path+it.pattern()] {
				*list.out = append(*list.out, it)
			}
		}
	}
	return main, settings
}

// pattern is the ServeMux path of the entry's page under the console.
func (n navItem) pattern() string {
	if n.Path == "" {
		return "{$}"
	}
	return n.Path
}

var navItems = []navItem{
	{"", "Overview", "overview"},
	{"users", "Users", "users"},
	{"teams", "Teams", "teams"},
	{"organizations", "Organizations", "organizations"},
	{"custom-fields", "Custom fields", "custom-fields"},
	{"provisioning", "Provisioning log", "provisioning"},
	{"audit", "Audit log", "audit"},
}

func parsePages() map[string]*template.Template {
	shared := []string{"templates/layout.html", "templates/partials.html"}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		if n == shared[0] || n == shared[1] {
			continue
		}
		t := template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, append([]string{n}, shared...)...))
		out[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return out
}

// render writes the page named name with p.
func (c *Console) render(w http.ResponseWriter, p *page, name string) error {
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return fmt.Errorf("console: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(p.status)
	w.Write(b.Bytes())
	return nil
}

// problem is why a page can't be shown, or why a change was refused: what
// an admin reads, and the form field at fault.
type problem struct {
	Status  int
	Title   string
	Message string
	Field   string
}

func (e *problem) Error() string { return e.Title + ": " + e.Message }

// problemFor decides what an admin reads for err: the one place directory
// errors become page messages. The directory's messages are written for
// admins; anything unknown is a failure whose text is logged, never shown.
func problemFor(err error) *problem {
	if e, ok := errors.AsType[*problem](err); ok {
		return e
	}
	if e, ok := errors.AsType[*directory.ReadOnlyError](err); ok {
		return &problem{Status: http.StatusConflict, Title: "Managed by your identity provider", Field: e.Field,
			Message: label(e.Field) + " is managed by your identity provider. Change it there and it will sync here."}
	}
	if e, ok := errors.AsType[*directory.ConflictError](err); ok {
		return &problem{Status: http.StatusConflict, Title: "Already in use", Field: e.Field, Message: sentence(e.Detail())}
	}
	if e, ok := errors.AsType[*directory.InvariantError](err); ok {
		return &problem{Status: http.StatusConflict, Title: "Not allowed", Field: e.Field, Message: sentence(e.Detail)}
	}
	if e, ok := errors.AsType[*directory.ValidationError](err); ok {
		return &problem{Status: http.StatusBadRequest, Title: "Check the value", Field: e.Field, Message: sentence(e.Detail)}
	}
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return &problem{Status: http.StatusNotFound, Title: "Not found",
			Message: "It does not exist, was deleted, or belongs to another tenant."}
	case errors.Is(err, directory.ErrPrecondition):
		return &problem{Status: http.StatusConflict, Title: "Changed in the meantime",
			Message: "Someone changed this since you opened the page. Nothing was changed; reload the page and make your change again."}
	}
	return &problem{Status: http.StatusInternalServerError, Title: "Something went wrong",
		Message: "scimd could not finish this request, and it may not have been applied. Reload the page to see where things stand; if this keeps happening, ask your scimd operator to check the server log."}
}

// refused shows the page again after a refused change, with why. Errors
// that are no refusal (a failure, a page that is gone) are returned, to
// be shown as a page of their own.
func refused(p *page, err error, show func() error) error {
	pr := problemFor(err)
	if pr.Status >= 500 || pr.Status == http.StatusNotFound {
		return err
	}
	p.status, p.Problem = pr.Status, pr
	return show()
}

// writeProblem shows err as a page, logging failures with their error.
func (c *Console) writeProblem(w http.ResponseWriter, r *http.Request, p *page, err error) {
	pr := problemFor(err)
	if pr.Status >= 500 {
		c.log.ErrorContext(r.Context(), "console page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.status, p.Problem, p.Title, p.ProblemPage = pr.Status, pr, pr.Title, true
	if err := c.render(w, p, "problem"); err != nil {
		c.log.ErrorContext(r.Context(), "console problem page failed", "err", err)
		http.Error(w, pr.Title, pr.Status)
	}
}

// flashes says what a change did, by the code the change redirected with
// (so that no text from a URL reaches a page).
var flashes = map[string]string{
	"role":                "The role was changed. It applies from the user's next request; no sign-out needed.",
	"disabled":            "The user was disabled and signed out everywhere. Their history stays.",
	"enabled":             "The user was enabled.",
	"deleted":             "The user was deleted. Their history stays in the audit log.",
	"identity-added":      "Added. It stays unverified until you verify it.",
	"identity-verified":   "Verified.",
	"identity-primary":    "It is the primary one now.",
	"identity-removed":    "Removed.",
	"team-joined":         "Added to the team.",
	"team-left":           "Removed from the team.",
	"team-created":        "The team was created.",
	"team-renamed":        "The team was renamed.",
	"team-deleted":        "The team was deleted.",
	"member-added":        "Added to the team.",
	"member-removed":      "Removed from the team.",
	"org-created":         "The organization was created.",
	"org-saved":           "The organization was saved.",
	"org-deleted":         "The organization was deleted; its customers are in no organization now.",
	"field-created":       "The custom field was created.",
	"field-deleted":       "The custom field was deleted, with every user's value for it.",
	"token-revoked":       "The token was revoked. It stopped working at once.",
	"sso-saved":           "The sign-in settings were saved.",
	"connection-created":  "The connection was created.",
	"connection-saved":    "The connection was saved.",
	"connection-deleted":  "The connection was deleted, with its links and the sessions begun through it.",
	"breakglass-disabled": "The break-glass account was disabled; its sessions ended.",
	"webhook-saved":       "The alert webhook was saved.",
}

// flash returns what to say for the request's done code: one of flashes,
// or "saved:FIELD" for a field of a user.
func flash(r *http.Request) string {
	code := r.URL.Query().Get("done")
	if f, ok := strings.CutPrefix(code, "saved:"); ok {
		if _, known := labels[f]; known || strings.HasPrefix(f, directory.FieldCustomPrefix) && directory.ValidCustomName(f[len(directory.FieldCustomPrefix):]) {
			return "Saved " + label(f) + "."
		}
		return ""
	}
	return flashes[code]
}

// when writes a time for people: UTC, to the second.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// sentence capitalizes a detail and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
