package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainEnv, set in a child's environment, makes the test binary run main
// instead of the tests, so that the tests can run scimd as a process:
// exit status, signals and all.
const mainEnv = "SCIMD_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// scimd returns a command that runs main with args, in an environment
// without SCIMD_* variables of the test's own.
func scimd(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	cmd.Dir = t.TempDir()
	return cmd
}

func TestProcessError(t *testing.T) {
	out, err := scimd(t, "frobnicate").CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	want := `scimd: unknown command "frobnicate"; commands are serve, migrate, tenant, token, user, team, sso, breakglass, recover, audit` + "\n"
	if string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

// TestProcessSIGTERM: scimd serve shuts down on SIGTERM and exits 0, its
// stderr nothing but JSON log lines.
func TestProcessSIGTERM(t *testing.T) {
	cmd := scimd(t, "serve", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(t.TempDir(), "data"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var logs []string
	var addr string
	deadline := time.After(60 * time.Second)
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("scimd exited before serving: %v\n%s", cmd.Wait(), strings.Join(logs, "\n"))
			}
			logs = append(logs, l)
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "scimd serving" {
				addr = rec.Addr
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("scimd did not serve within a minute:\n%s", strings.Join(logs, "\n"))
		}
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		logs = append(logs, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v, want exit status 0", err)
	}
	var stopped bool
	for _, l := range logs {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("stderr line is not JSON: %q", l)
		}
		stopped = stopped || rec["msg"] == "scimd stopped"
	}
	if !stopped {
		t.Errorf("no shutdown logged:\n%s", strings.Join(logs, "\n"))
	}
}
