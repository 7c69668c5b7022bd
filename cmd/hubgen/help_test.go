package main

import (
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"github.com/hubgen/hubgen/internal/golden"
)

// TestREADMECommandTable keeps README's table of commands in step with the command table, as
// cmd/go's help_test.go keeps its documentation: `go test ./cmd/hubgen -update` rewrites it.
func TestREADMECommandTable(t *testing.T) {
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	const head = "| command | does |\n|---|---|\n"
	start := strings.Index(string(data), head)
	if start < 0 {
		t.Fatalf("README has no table starting %q", head)
	}
	start += len(head)
	end := start + strings.Index(string(data[start:]), "\n\n") + 1
	var table strings.Builder
	for _, c := range commands {
		// A "|" inside a cell, even in code, ends the cell unless escaped.
		fmt.Fprintf(&table, "| `%s` | %s |\n", strings.ReplaceAll(c.usageLine(), "|", `\|`), c.short)
	}
	got := string(data[:start]) + table.String() + string(data[end:])
	golden.Check(t, readme, []byte(got))
}

// TestOutputThatCannotBeWrittenExitsTwo: help, version and the commands that print their result
// exit 2 when standard output is a full disk, rather than 0 with nothing written.
func TestOutputThatCannotBeWrittenExitsTwo(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"-h"}, {"help", "render"}, {"render", "-h"}, {"help", "-h"},
		{"version"}, {"schema"}, {"init"}, {"render", "../../examples/minimal.toml"},
	} {
		var stderr strings.Builder
		code := run(args, &env{stdin: strings.NewReader(""), stdout: failingWriter{}, stderr: &stderr})
		if code != exitFailure || !strings.Contains(stderr.String(), "no space left on device") {
			t.Errorf("hubgen %s to a full disk: exit %d, stderr %q; want 2 and the error", strings.Join(args, " "), code, stderr.String())
		}
	}
}

func TestResolveVersion(t *testing.T) {
	module := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: v}}, true }
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, tc := range []struct {
		name      string
		linked    string
		buildInfo func() (*debug.BuildInfo, bool)
		want      string
	}{
		{"release build", "v0.2.0", module("v0.1.9"), "v0.2.0"},
		{"go install @v0.2.0", "", module("v0.2.0"), "v0.2.0"},
		{"work tree", "", module("(devel)"), fallbackVersion},
		{"no module version", "", module(""), fallbackVersion},
		{"no build info", "", none, fallbackVersion},
	} {
		if got := resolveVersion(tc.linked, tc.buildInfo); got != tc.want {
			t.Errorf("%s: resolveVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
	// The golden files' headers name the version the tests render with, which is this one.
	if fallbackVersion != golden.Version {
		t.Errorf("fallbackVersion %q is not golden.Version %q", fallbackVersion, golden.Version)
	}
}

// TestSudoHint: a render by another user that fails for lack of permission (chown of a root-owned
// file, a root-owned directory) suggests the same command as root, ready to paste.
func TestSudoHint(t *testing.T) {
	denied := &fs.PathError{Op: "chown", Path: "/etc/nginx/.nginx.conf.tmp", Err: syscall.EPERM}
	wrapped := fmt.Errorf("stage /etc/nginx/nginx.conf: keep its owner 0:0: %w", denied)
	paths := []string{"my site.toml"}
	want := " (the files under /etc are not yours to write: run it as root, sudo hubgen render 'my site.toml' -o /etc)"
	if got := sudoHint(wrapped, 1000, paths, "/etc"); got != want {
		t.Errorf("as uid 1000: %q, want %q", got, want)
	}
	if got := sudoHint(wrapped, 0, paths, "/etc"); got != "" {
		t.Errorf("as root: %q, want no hint", got)
	}
	if got := sudoHint(fmt.Errorf("stage: %w", syscall.ENOSPC), 1000, paths, "/etc"); got != "" {
		t.Errorf("full disk: %q, want no hint", got)
	}
}
