package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

const checkHelp = `For CI: validate each site file, render it in memory and compare the result with the files
under ROOT, in the layout "hubgen render SITE... -o ROOT" writes: with several site files, each
site's files are under ROOT/<site file name without .toml>/. Nothing is written.

Each file that differs or is missing is printed on standard output as a unified diff from the
file under ROOT (a/PATH) to what render would write (b/PATH), PATH relative to ROOT, so that
"git apply" or "patch -p1" run in ROOT would apply it. Files under ROOT that hubgen does not
write are not looked at.

With --format github, site problems and differing files are printed on standard output as
GitHub Actions annotations (::error file=F,line=L,col=C::key: message), which show on the pull
request; the diffs are printed as well.

Exit status: 0 every file matches its site; 1 a site is invalid, or a file differs or is
missing; 2 ROOT or a site file cannot be read, or a usage error.`

func runCheck(e *env, args []string) int {
	fs := newFlagSet(e, "check", "SITE... --against ROOT [--format text|github]", checkHelp)
	against := fs.String("against", "", "compare with the rendered files under `ROOT` (required)")
	format := fs.String("format", "text", "print problems as `text` (FILE:LINE:COL: ...) or as github annotations")
	paths, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	switch {
	case len(paths) == 0:
		fmt.Fprintln(e.stderr, "hubgen check: no site file (usage: hubgen check SITE... --against ROOT)")
		return exitFailure
	case *against == "":
		fmt.Fprintln(e.stderr, "hubgen check: no --against ROOT, the directory of committed files to compare with")
		return exitFailure
	case *format != "text" && *format != "github":
		fmt.Fprintf(e.stderr, "hubgen check: --format %q is not a format (text or github)\n", *format)
		return exitFailure
	}
	github := *format == "github"

	report := func(ps schema.Problems) { fmt.Fprintln(e.stderr, ps.Error()) }
	if github {
		report = func(ps schema.Problems) { ps.WriteGitHub(e.stdout) }
	}
	sites, code := loadSitesReporting(e, paths, report)
	if sites == nil {
		return code
	}
	// An unreadable ROOT is a broken CI setup, not a difference to show as a thousand-line diff.
	if _, err := os.ReadDir(*against); err != nil {
		fmt.Fprintf(e.stderr, "hubgen check: cannot read --against %s: %v\n", *against, errors.Unwrap(err))
		return exitFailure
	}

	several := len(sites) > 1
	for _, ls := range sites {
		if ls.site == nil {
			continue
		}
		files, err := render.Files(ls.site)
		if err != nil {
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", ls.path, err)
			code = max(code, exitFailure)
			continue
		}
		dir, prefix := *against, ""
		if several {
			dir, prefix = filepath.Join(*against, ls.name), ls.name
		}
		diffs, err := render.Diff(dir, files)
		if err != nil {
			fmt.Fprintf(e.stderr, "hubgen check: %s: %v\n", dir, err)
			code = max(code, exitFailure)
			continue
		}
		fix := fmt.Sprintf("hubgen render %s -o %s", shellArg(ls.path), shellArg(dir))
		for _, d := range diffs {
			file := filepath.Join(*against, filepath.FromSlash(path.Join(prefix, d.Path)))
			what := "differs from"
			if d.Missing {
				what = "is missing for"
			}
			msg := fmt.Sprintf("%s %s its site file %s; run %s", file, what, ls.path, fix)
			if github {
				schema.Problems{{File: file, Severity: schema.SeverityError, Summary: msg}}.WriteGitHub(e.stdout)
			} else {
				fmt.Fprintf(e.stderr, "hubgen check: %s\n", msg)
			}
			if _, err := e.stdout.Write(d.Unified(prefix)); err != nil {
				fmt.Fprintf(e.stderr, "hubgen check: write standard output: %v\n", err)
				return exitFailure
			}
		}
		if len(diffs) > 0 {
			code = max(code, exitInvalid)
		}
	}
	return code
}

// shellArg quotes s for a POSIX shell when it needs it, so a suggested command can be pasted.
func shellArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_./:=@%+,-", c))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
