package sso

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"

	"github.com/scimd/scimd/directory"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the server-rendered pages: plain HTML, escaped by
// html/template, no script. The console will restyle them.
var pages = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// pageError is an error that is a page: what happened and what to do.
type pageError struct {
	status  int
	title   string
	message string
	hint    string
}

func (e *pageError) Error() string { return e.title + ": " + e.message }

// refusalPages says, for each reason a sign-in is refused for, the status
// and the title of the page and what to do; the refusal's own detail says
// what happened.
var refusalPages = map[directory.SignInReason]struct {
	status int
	title  string
	hint   string
}{
	directory.ReasonUnknownUser:        {http.StatusForbidden, "You don't have an account here", "Ask your administrator to assign you to scimd in your identity provider, then sign in again."},
	directory.ReasonUserDisabled:       {http.StatusForbidden, "Your account is disabled", "Ask your administrator to enable it."},
	directory.ReasonUserDeleted:        {http.StatusForbidden, "Your account was deleted", "Ask your administrator."},
	directory.ReasonEmailUnverified:    {http.StatusForbidden, "Your email address is not verified", "Verify it with your identity provider, or ask your administrator."},
	directory.ReasonPrivilegedEmail:    {http.StatusForbidden, "This account can't be signed in to by email", "Ask your administrator to link your account by its externalId or userName."},
	directory.ReasonBreakGlass:         {http.StatusForbidden, "This is a break-glass account", "Break-glass accounts sign in with their password at the break-glass page."},
	directory.ReasonAlreadyLinked:      {http.StatusForbidden, "This account is linked to someone else", "Ask your administrator."},
	directory.ReasonAmbiguous:          {http.StatusForbidden, "More than one account matches you", "Ask your administrator."},
	directory.ReasonJITRefused:         {http.StatusForbidden, "Your account could not be made", "Ask your administrator."},
	directory.ReasonNoSubject:          {http.StatusBadGateway, "Your identity provider did not say who you are", "Ask your administrator to check the connection."},
	directory.ReasonConnectionDisabled: {http.StatusForbidden, "This sign-in option is turned off", "Go back to the sign-in page, or ask your administrator."},
	directory.ReasonStateUnknown:       {http.StatusBadRequest, "This sign-in link is no longer valid", "Start again from the sign-in page."},
	directory.ReasonStateExpired:       {http.StatusBadRequest, "This sign-in took too long", "Start again from the sign-in page."},
	ReasonBrowserMismatch:              {http.StatusBadRequest, "This sign-in started in another browser", "Start again from the sign-in page in this browser."},
	ReasonIdPError:                     {http.StatusBadGateway, "Your identity provider did not sign you in", "Try again; if it keeps failing, ask your administrator."},
	ReasonExchangeFailed:               {http.StatusBadGateway, "Your identity provider did not confirm the sign-in", "Start again from the sign-in page."},
	ReasonTokenInvalid:                 {http.StatusBadGateway, "The answer from your identity provider could not be trusted", "Start again; if it keeps failing, ask your administrator to run scimd sso test."},
	ReasonTokenExpired:                 {http.StatusBadGateway, "The answer from your identity provider had expired", "Start again; if it keeps failing, check the server's clock."},
	ReasonNonceMismatch:                {http.StatusBadRequest, "The answer from your identity provider was not for this sign-in", "Start again from the sign-in page."},
	ReasonUnavailable:                  {http.StatusServiceUnavailable, "Your identity provider can't be reached", "Try again in a moment; if it keeps failing, ask your administrator to run scimd sso test."},
	ReasonUnsolicited:                  {http.StatusForbidden, "This sign-in was not asked for", "Start from the sign-in page."},
	directory.ReasonBadCredentials:     {http.StatusUnauthorized, "You could not be signed in", "Check what you typed and try again."},
	directory.ReasonLocked:             {http.StatusTooManyRequests, "Break-glass sign-in is locked", "Wait until the time shown, or ask your scimd operator for a recover link."},
	directory.ReasonLinkInvalid:        {http.StatusNotFound, "This link does not work", "Ask your scimd operator for a new one."},
	directory.ReasonLinkExpired:        {http.StatusGone, "This link has expired", "Ask your scimd operator for a new one."},
	ReasonNotYetValid:                  {http.StatusBadGateway, "The answer from your identity provider is not valid yet", "Start again; if it keeps failing, the clock of this server or of your identity provider is off."},
	directory.ReasonReplayed:           {http.StatusBadRequest, "This sign-in answer was used already", "Start again from the sign-in page."},
	directory.ReasonIdPCertExpired:     {http.StatusServiceUnavailable, "Your identity provider's signing certificate has expired", "Nobody can sign in through it until an administrator uploads the identity provider's new metadata; an owner can still sign in with a break-glass account."},
}

// writeError writes err as a page. Refusals say what happened and what to
// do; anything else is logged and shown as a generic failure, never with
// its text.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, t *directory.Tenant, err error) {
	pe, ok := errors.AsType[*pageError](err)
	if se, isRefusal := errors.AsType[*directory.SignInError](err); !ok && isRefusal {
		p, known := refusalPages[se.Reason]
		if !known {
			p.status, p.title, p.hint = http.StatusForbidden, "You could not be signed in", "Start again from the sign-in page, or ask your administrator."
		}
		pe, ok = &pageError{status: p.status, title: p.title, message: sentence(se.Detail), hint: p.hint}, true
	}
	if !ok {
		s.log.ErrorContext(r.Context(), "sign-in page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		pe = &pageError{status: http.StatusInternalServerError, title: "Something went wrong",
			message: "scimd could not finish this request.", hint: "Try again; if it keeps failing, ask your scimd operator to check the server log."}
	}
	data := map[string]any{"Title": pe.title, "Message": pe.message, "Hint": pe.hint}
	if t != nil {
		data["Tenant"], data["Base"] = t, s.tenantPath(t)
	}
	s.render(w, pe.status, "error", data)
}

// render writes the named page, with the break-glass banner when the
// request is of a break-glass session.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) error {
	if m, ok := data.(map[string]any); ok {
		if bw, ok := w.(*bannerWriter); ok && bw.banner != nil {
			m["Banner"] = bw.banner
		}
	}
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name+".html", data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
	return nil
}

// sentence capitalizes a detail and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if s[len(s)-1] != '.' {
		s += "."
	}
	return s
}
