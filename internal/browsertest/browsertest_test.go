package browsertest

import (
	"path/filepath"
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
