// Package browsertest drives a real browser from tests: Debian's Chromium,
// headless, through the DevTools protocol (chromedp). Each step waits for
// what it expects on the page, never for a while; a step that doesn't
// find it fails the test saying what it expected and what the page showed,
// with a screenshot.
//
// Without Chromium the tests skip loudly, unless SCIMD_TEST_REQUIRE_BROWSER
// is 1 (CI sets it), where they fail: a broken install can't turn the
// suite green.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// RequireEnv, set to 1, makes browser tests fail rather than skip when no
// browser can be found.
const RequireEnv = "SCIMD_TEST_REQUIRE_BROWSER"

// ChromiumEnv names the browser binary, when it is not chromium on PATH.
const ChromiumEnv = "SCIMD_TEST_CHROMIUM"

// ScreenshotsEnv names a directory to keep screenshots in, one folder per
// test; without it they go to the test's artifact directory (kept with go
// test -artifacts, else removed with the test).
const ScreenshotsEnv = "SCIMD_SCREENSHOTS"

// waitFor bounds how long a step waits for what it expects before it
// fails; the page usually shows it in milliseconds.
const waitFor = 30 * time.Second

// Browser is one headless Chromium with one tab, for one test.
type Browser struct {
	t     testing.TB
	ctx   context.Context
	shots string
	n     int

	mu       sync.Mutex
	problems []string // script errors, policy violations, failed loads
}

// Path returns the browser binary tests use, or "" when there is none.
func Path() string {
	if p := os.Getenv(ChromiumEnv); p != "" {
		p, _ = exec.LookPath(p)
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a browser for t, with a profile of its own, and stops it when
// t ends. The flags keep a machine without internet quiet: no background
// networking, updates, sync or QUIC probes.
func New(t *testing.T) *Browser {
	t.Helper()
	path := Path()
	if path == "" {
		msg := "no Chromium found (looked for chromium, chromium-browser, google-chrome on PATH)"
		if env := os.Getenv(ChromiumEnv); env != "" {
			msg = ChromiumEnv + "=" + env + " is not a program that can be run"
		}
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s, and %s=1 requires it; install it with apt-get install chromium", msg, RequireEnv)
		}
		t.Skipf("SKIPPING BROWSER TEST: %s; install chromium, or set %s=1 to fail instead", msg, RequireEnv)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	b := &Browser{t: t, ctx: ctx, shots: os.Getenv(ScreenshotsEnv)}
	b.watch()
	if b.shots != "" {
		b.shots = filepath.Join(b.shots, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	} else {
		b.shots = t.ArtifactDir()
	}
	return b
}

// watch notes what the browser reports going wrong in a page: uncaught
// script errors and error-level log entries, which include refused loads
// and Content-Security-Policy violations.
func (b *Browser) watch() {
	logs := chromedp.Events(b.ctx, cdplog.EntryAdded)
	exceptions := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	note := func(s string) {
		b.mu.Lock()
		b.problems = append(b.problems, s)
		b.mu.Unlock()
	}
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError {
				note(fmt.Sprintf("%s: %s (%s)", e.Source, e.Text, e.URL))
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			if d := ev.ExceptionDetails; d != nil {
				msg := d.Text
				if d.Exception != nil && d.Exception.Description != "" {
					msg += " " + d.Exception.Description
				}
				note(fmt.Sprintf("script error: %s (%s:%d)", msg, d.URL, d.LineNumber))
			}
		}
	}()
}

// Problems returns what went wrong in the pages so far (see watch), but
// for what ignore reports as expected.
func (b *Browser) Problems(ignore func(string) bool) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range b.problems {
		if ignore == nil || !ignore(p) {
			out = append(out, p)
		}
	}
	return out
}

// Context is the browser's context, for chromedp actions of a test's own.
func (b *Browser) Context() context.Context { return b.ctx }

// Shot saves a screenshot of the whole page as NN-name.png and returns its
// path.
func (b *Browser) Shot(name string) string {
	b.t.Helper()
	b.n++
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// fail ends the test at step with what it expected, the page's address and
// text, and a screenshot.
func (b *Browser) fail(step, expected string, err error) {
	b.t.Helper()
	shot := b.Shot("FAILED-" + step)
	url, _ := chromedp.Run(b.ctx, chromedp.Location())
	text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(text) > 2000 {
		text = text[:2000] + "…"
	}
	b.t.Fatalf("step %q: expected %s (%v)\npage %s shows:\n%s\nscreenshot: %s", step, expected, err, url, text, shot)
}

// Open loads url and waits for it.
func (b *Browser) Open(step, url string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		b.fail(step, "to open "+url, err)
	}
}

// OpenStatus loads url, waits for it, and returns the HTTP status the
// page came with: for a step whose page is a refusal.
func (b *Browser) OpenStatus(step, url string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(url))
	if err != nil || resp == nil {
		b.fail(step, "to open "+url, err)
	}
	return resp.Status
}

// Texts returns the text of every element sel matches, in order.
func (b *Browser) Texts(step, sel string) []string {
	b.t.Helper()
	quoted, _ := json.Marshal(sel)
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+string(quoted)+`), e => e.innerText.trim())`))
	if err != nil {
		b.fail(step, "to read every "+sel, err)
	}
	return out
}

// WaitText waits until the first element sel matches contains want; an
// empty want waits for sel to be shown.
func (b *Browser) WaitText(step, sel, want string) {
	b.t.Helper()
	if want == "" { // (an empty argument would reach the page as undefined)
		b.WaitVisible(step, sel)
		return
	}
	b.wait(step, fmt.Sprintf("%s to contain %q", sel, want),
		`(sel, want) => { const e = document.querySelector(sel); return !!e && e.innerText.includes(want); }`, sel, want)
}

// WaitGone waits until no element sel matches contains want (or none
// matches at all).
func (b *Browser) WaitGone(step, sel, text string) {
	b.t.Helper()
	b.wait(step, fmt.Sprintf("%s not to contain %q", sel, text),
		`(sel, text) => { const e = document.querySelector(sel); return !e || !e.innerText.includes(text); }`, sel, text)
}

// WaitVisible waits until sel matches an element that is shown.
func (b *Browser) WaitVisible(step, sel string) {
	b.t.Helper()
	b.wait(step, sel+" to be visible",
		`(sel) => { const e = document.querySelector(sel); return !!e && e.checkVisibility(); }`, sel)
}

// WaitFocus waits until sel has the keyboard's focus.
func (b *Browser) WaitFocus(step, sel string) {
	b.t.Helper()
	b.wait(step, sel+" to have the focus", `(sel) => document.activeElement === document.querySelector(sel)`, sel)
}

// WaitURL waits until the address's path starts with prefix.
func (b *Browser) WaitURL(step, prefix string) {
	b.t.Helper()
	b.wait(step, "the address "+prefix+"…",
		`(prefix) => location.pathname.startsWith(prefix) && document.readyState === "complete"`, prefix)
}

// wait polls fn (a JavaScript function of args) until it is true. A
// navigation under way destroys the page the poll runs in; the poll then
// starts again on the new page.
func (b *Browser) wait(step, expected, fn string, args ...any) {
	b.t.Helper()
	deadline := time.Now().Add(waitFor)
	var err error
	for try := 0; try < 20 && time.Now().Before(deadline); try++ {
		_, err = chromedp.Run(b.ctx, chromedp.PollFunction[bool](fn,
			chromedp.WithPollingArgs(args...), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if errors.Is(err, context.Canceled) {
			break
		}
	}
	b.fail(step, expected, err)
}

// Click clicks sel, which must be there and visible.
func (b *Browser) Click(step, sel string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		b.fail(step, "to click "+sel, err)
	}
}

// ClickAndLoad clicks sel and waits for the page it leads to (a link, a
// form's button).
func (b *Browser) ClickAndLoad(step, sel string) {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		b.fail(step, "to click "+sel+" and load the next page", err)
	}
}

// Type types text into sel as keystrokes.
func (b *Browser) Type(step, sel, text string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible)); err != nil {
		b.fail(step, "to type into "+sel, err)
	}
}

// Press presses one key as a keyboard does: a keyDown that carries its
// text, so that a page that handles the key (and prevents its default)
// sees what it would see from a person, then a keyUp. key is the DOM key
// ("/"), code the physical key ("Slash").
func (b *Browser) Press(step, key, code string) {
	b.t.Helper()
	for _, p := range []input.DispatchKeyEventParams{
		{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code, Text: key, UnmodifiedText: key},
		{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: code},
	} {
		if _, err := chromedp.Call(b.ctx, input.DispatchKeyEvent, p); err != nil {
			b.fail(step, "to press "+key, err)
		}
	}
}

// Keys types text into whatever has the focus.
func (b *Browser) Keys(step, text string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(text)); err != nil {
		b.fail(step, "to type "+text, err)
	}
}

// Clear empties the input sel.
func (b *Browser) Clear(step, sel string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Clear(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		b.fail(step, "to clear "+sel, err)
	}
}

// Text returns the text of sel.
func (b *Browser) Text(step, sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		b.fail(step, "to read "+sel, err)
	}
	return strings.TrimSpace(s)
}

// Value returns the value of the input sel.
func (b *Browser) Value(step, sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		b.fail(step, "to read the value of "+sel, err)
	}
	return s
}

// Location returns the page's address.
func (b *Browser) Location() string {
	u, _ := chromedp.Run(b.ctx, chromedp.Location())
	return u
}
