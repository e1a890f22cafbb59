package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
)

// TestSkipsWithoutBrowser: without a browser a test is skipped, loudly,
// unless SCIMD_TEST_REQUIRE_BROWSER=1.
func TestSkipsWithoutBrowser(t *testing.T) {
	t.Setenv(ChromiumEnv, filepath.Join(t.TempDir(), "no-chromium"))
	t.Setenv(RequireEnv, "")
	if p := Path(); p != "" {
		t.Fatalf("Path() = %q for a browser that isn't there", p)
	}
	skipped := false
	t.Run("without", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		New(t)
		t.Error("New returned without a browser")
	})
	if !skipped {
		t.Error("the test was not skipped")
	}
}

// TestBrowser: with the browser, a page opens and its text is read.
func TestBrowser(t *testing.T) {
	b := New(t)
	b.Open("open", "data:text/html,<h1 id=x>hello</h1>")
	b.WaitText("read", "#x", "hello")
	if got := b.Text("read", "#x"); got != "hello" {
		t.Errorf("text %q", got)
	}
	if p := b.Problems(nil); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
}

// TestStatusAndTexts: a refusal's status reaches the test, and so does
// the text of each element a selector matches, in order.
func TestStatusAndTexts(t *testing.T) {
	b := New(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<ul><li> one </li><li>two</li></ul><p>"quoted"</p>`)
	}))
	defer srv.Close()
	if got := b.OpenStatus("open", srv.URL+"/refused"); got != http.StatusForbidden {
		t.Errorf("status %d, want 403", got)
	}
	if got := b.Texts("read", "li"); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("texts %q", got)
	}
	if got := b.Texts("read", `p:not([id="x"])`); !slices.Equal(got, []string{`"quoted"`}) {
		t.Errorf("texts %q", got)
	}
	if got := b.Texts("read", "table"); len(got) != 0 {
		t.Errorf("texts of nothing %q", got)
	}
}
