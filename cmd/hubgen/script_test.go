package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs testdata/script/*.txtar: each holds the site files, the hubgen commands as a
// user types them, and their expected output and exit status (see go-internal's testscript).
// `go test ./cmd/hubgen -run TestScripts -testwork` keeps the work directories to look at, and
// `-update` rewrites each script's expected stdout and stderr files (cmp stdout FILE) with what the
// commands printed, like the other golden files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: golden.Updating(),
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// crlf FILE... gives the files Windows line endings, as a checkout with
			// core.autocrlf does.
			"crlf": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, name := range args {
					file := ts.MkAbs(name)
					data, err := os.ReadFile(file)
					ts.Check(err)
					ts.Check(os.WriteFile(file, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o644))
				}
			},
			// edit FILE adds a line to the end of FILE, as a hand edit would.
			"edit": func(ts *testscript.TestScript, neg bool, args []string) {
				f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_APPEND|os.O_WRONLY, 0)
				ts.Check(err)
				_, err = f.WriteString("# edited by hand\n")
				ts.Check(err)
				ts.Check(f.Close())
			},
		},
	})
}
