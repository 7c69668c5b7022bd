package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

var cmdCheck = &command{
	name:     "check",
	synopsis: "SITE... --against ROOT [--target server|z2jh] [--format text|github]",
	short:    "for CI: validate, render in memory and diff against committed files",
	long: `For CI: validate each site file, render it in memory and compare the result with the files
under ROOT, in the layout "hubgen render SITE... -o ROOT" writes: with several site files, each
site's files are under ROOT/<site file name without .toml>/. Nothing is written.

Each file that differs or is missing is printed on standard output as a unified diff from the
file under ROOT (a/PATH) to what render would write (b/PATH), PATH relative to ROOT, so that
"git apply" or "patch -p1" run in ROOT would apply it. A file that differs only in its line
endings (CRLF, as a Windows checkout may leave it) is named as such, without a diff.

The version of hubgen is not compared: rendered files do not name it, so files rendered by one
release pass the check of another as long as the content is the same. A file whose only
difference is a header naming a version (as hubgen 0.2.0 and earlier wrote) passes with a note.

A stray file is an error too: one at an output path (nginx/nginx.conf, ...) under ROOT or under
a directory of ROOT that no site file given writes, as going from one site to several leaves the
top-level files behind. Other files under ROOT are not looked at.

With --format github, site problems and differing files are printed on standard output as
GitHub Actions annotations (::error file=F,line=L,col=C::key: message), which show on the pull
request; the diffs are printed as well.

Exit status: 0 every file matches its site; 1 a site is invalid, or a file differs, is missing
or is stray; 2 ROOT or a site file cannot be read, or a usage error.`,
	minArgs: 1,
	maxArgs: -1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		against := fs.String("against", "", "compare with the rendered files under `ROOT` (required)")
		format := fs.String("format", "text", "print problems as `text` (FILE:LINE:COL: ...) or as github annotations")
		target := fs.String("target", schema.TargetServer, "compare the files of `TARGET`: server (nginx, JupyterHub, systemd) or z2jh (z2jh/values.yaml)")
		return func(e *env, paths []string) int { return runCheck(e, paths, *against, *format, *target) }
	},
}

func runCheck(e *env, paths []string, against, format, target string) int {
	switch {
	case !slices.Contains(schema.Targets, target):
		return usageErrorIn(e, "check", "--target %q is not a target (server or z2jh)", target)
	case against == "":
		return usageErrorIn(e, "check", "no --against ROOT, the directory of committed files to compare with")
	case format != "text" && format != "github":
		return usageErrorIn(e, "check", "--format %q is not a format (text or github)", format)
	}
	github := format == "github"
	// problem prints one finding about a file under ROOT, with what to do about it.
	problem := func(file, msg string) {
		if github {
			schema.Problems{{File: file, Severity: schema.SeverityError, Summary: msg}}.WriteGitHub(e.stdout)
		} else {
			fmt.Fprintf(e.stderr, "hubgen check: %s\n", msg)
		}
	}

	report := func(ps schema.Problems) { fmt.Fprintln(e.stderr, ps.Error()) }
	if github {
		report = func(ps schema.Problems) { ps.WriteGitHub(e.stdout) }
	}
	sites, code := loadSitesReporting(e, paths, target, rosterWarningsHidden, report)
	if sites == nil {
		return code
	}
	// An unreadable ROOT is a broken CI setup, not a difference to show as a thousand-line diff.
	if _, err := os.ReadDir(against); err != nil {
		fmt.Fprintf(e.stderr, "hubgen check: cannot read --against %s: %v\n", against, errors.Unwrap(err))
		return exitFailure
	}

	expected := map[string]bool{} // every file the sites write, relative to ROOT
	outputs := map[string]bool{}  // the output paths, relative to a site's directory
	allRendered := true           // else a file of the site that failed could be taken for stray
	for _, ls := range sites {
		if ls.site == nil {
			allRendered = false
			continue
		}
		files, err := render.Files(ls.site, render.WithTarget(target))
		if err != nil {
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", ls.path, err)
			code = max(code, exitFailure)
			allRendered = false
			continue
		}
		for p := range files {
			expected[path.Join(ls.dir, p)] = true
			outputs[p] = true
		}
		dir := filepath.Join(against, filepath.FromSlash(ls.dir))
		diffs, err := render.Diff(dir, files)
		if err != nil {
			fmt.Fprintf(e.stderr, "hubgen check: %s: %v\n", dir, err)
			code = max(code, exitFailure)
			continue
		}
		fix := fmt.Sprintf("hubgen render %s -o %s", shell.Quote(ls.path), shell.Quote(dir))
		if target != schema.TargetServer {
			fix = fmt.Sprintf("hubgen render %s --target %s -o %s", shell.Quote(ls.path), target, shell.Quote(dir))
		}
		drift := false
		for _, d := range diffs {
			file := outputPath(against, ls, d.Path)
			if !d.Drift() {
				// Not a problem, so no annotation: a note on standard error, once per file.
				fmt.Fprintf(e.stderr, "hubgen check: %s matches its site file %s; only its header names the hubgen that wrote it (%s), which %s leaves out\n", file, ls.path, d.OldVersion, fix)
				continue
			}
			drift = true
			switch {
			case d.Missing:
				problem(file, fmt.Sprintf("%s is missing for its site file %s; run %s", file, ls.path, fix))
			case d.LineEndingsOnly():
				problem(file, fmt.Sprintf("%s differs from its site file %s only in line endings (CRLF on disk, LF rendered: is git's core.autocrlf on?); run %s", file, ls.path, fix))
				continue
			default:
				problem(file, fmt.Sprintf("%s differs from its site file %s; run %s", file, ls.path, fix))
			}
			if _, err := e.stdout.Write(d.Unified(ls.dir)); err != nil {
				fmt.Fprintf(e.stderr, "hubgen check: write standard output: %v\n", err)
				return exitFailure
			}
		}
		if drift {
			code = max(code, exitInvalid)
		}
	}
	if allRendered {
		for _, file := range render.StrayFiles(against, outputs, expected) {
			problem(file, fmt.Sprintf("%s is not written by any site file given (left from an earlier layout or a removed site?); remove it", file))
			code = max(code, exitInvalid)
		}
	}
	return code
}
