package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// failRecorder is a testing.TB that notes a failure instead of failing the test running it.
type failRecorder struct {
	testing.TB
	failed bool
}

func (r *failRecorder) Errorf(string, ...any) { r.failed = true }
func (r *failRecorder) Helper()               {}

// TestCheckConfigWarningsNeedsTheLog: the check fails when it has no log to read, rather than
// passing without looking, and still fails on a warning and passes a clean log. It needs no hub.
func TestCheckConfigWarningsNeedsTheLog(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	st := &stack{Name: "test", JupyterHub: "0"}
	for _, tc := range []struct {
		name, path string
		fail       bool
	}{
		{"missing", filepath.Join(dir, "absent.log"), true},
		{"empty", write("empty.log", ""), true},
		{"warning", write("warn.log", "[W 2026-01-01 00:00:00.000 JupyterHub configurable:200] Config option `x` not recognized by `Spawner`.\n"), true},
		{"clean", write("clean.log", "[I 2026-01-01 00:00:00.000 JupyterHub app:3000] JupyterHub is now running\n"), false},
	} {
		r := &failRecorder{TB: t}
		checkConfigWarnings(r, st, tc.path)
		if r.failed != tc.fail {
			t.Errorf("%s log: failed %v, want %v", tc.name, r.failed, tc.fail)
		}
	}
}
