package saml

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestXMLDSigVersion: the build verifies signatures with goxmldsig v1.6.1
// or later. crewjam/saml v0.5.1 asks for v1.4.0, whose checks a forged
// signature can pass (CVE-2026-33487); go.mod requires the fixed version,
// and this fails if a change to go.mod ever lets an older one back in.
// It asks the go command which version the module's build selects (a
// test binary carries no list of its dependencies to read).
func TestXMLDSigVersion(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.CommandContext(t.Context(), goCmd, "list", "-m", "-f", "{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}", "github.com/russellhaering/goxmldsig")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	version := strings.TrimSpace(string(out))
	var major, minor, patch int
	if _, err := fmt.Sscanf(version, "v%d.%d.%d", &major, &minor, &patch); err != nil {
		t.Fatalf("goxmldsig version %q: %v", version, err)
	}
	if slices.Compare([]int{major, minor, patch}, []int{1, 6, 1}) < 0 {
		t.Fatalf("the build uses goxmldsig %s; it needs v1.6.1 or later (CVE-2026-33487)", version)
	}
	t.Logf("goxmldsig %s", version)
}
