package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/schema"
)

// stdinName names a site file read from standard input ("-") in messages and headers.
const stdinName = "<stdin>"

// loadedSite is one site file given on the command line.
type loadedSite struct {
	path string
	name string       // the file name without .toml
	dir  string       // where its files go under ROOT, slash-separated: see siteDir
	site *schema.Site // nil when the file is invalid or unreadable
}

// siteDir is the directory under ROOT that a site's files go to: ROOT itself for one site file,
// ROOT/<name> for several. render writes there and check compares there, so that check compares
// with exactly what render writes.
func siteDir(name string, several bool) string {
	if several {
		return name
	}
	return ""
}

// loadSites loads every site file, printing each one's problems and warnings. A bad file does not
// stop the others from being checked. The exit code is the worst seen: 2 for a file that could not
// be read, 1 for an invalid one.
func loadSites(e *env, paths []string) ([]loadedSite, int) {
	return loadSitesReporting(e, paths, schema.TargetServer, rosterWarningsShown, func(ps schema.Problems) { fmt.Fprintln(e.stderr, ps.Error()) })
}

// Whether a command shows the warnings about a roster file's rows (a row without a login, such
// as Canvas's "Student, Test"; a name listed twice; columns of names and grades). validate,
// doctor and accounts show them; render, check and secrets, which run at every change and in
// CI, do not, so that the same advice does not repeat at every run nor become a CI annotation
// on every pull request. Errors in a roster are shown by all: they make the site invalid.
const (
	rosterWarningsShown  = true
	rosterWarningsHidden = false
)

// loadSitesFor is loadSites for a render target: a site that does not suit the target (PAM on
// Kubernetes) is invalid, and keys the target ignores are warnings.
func loadSitesFor(e *env, paths []string, target string, rosterWarnings bool) ([]loadedSite, int) {
	return loadSitesReporting(e, paths, target, rosterWarnings, func(ps schema.Problems) { fmt.Fprintln(e.stderr, ps.Error()) })
}

// loadSitesReporting is loadSites with another way to print problems and warnings, such as
// check's GitHub annotations. It returns nil sites for a usage error.
func loadSitesReporting(e *env, paths []string, target string, rosterWarnings bool, report func(schema.Problems)) ([]loadedSite, int) {
	code := exitOK
	several := len(paths) > 1
	names := map[string]string{}
	sites := make([]loadedSite, 0, len(paths))
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".toml")
		if several && p == "-" {
			fmt.Fprintln(e.stderr, "hubgen: a site file read from standard input (-) has no name to put its files under; with several site files, give each as a file")
			return nil, exitFailure
		}
		if several && (name == "" || name == "." || name == "..") {
			fmt.Fprintf(e.stderr, "hubgen: %s would be written under %q, not a directory of its own (rename the site file)\n", p, name+"/")
			return nil, exitFailure
		}
		if other, dup := names[name]; dup && several {
			fmt.Fprintf(e.stderr, "hubgen: %s and %s would both be written under %s/ (give the site files different names)\n", other, p, name)
			return nil, exitFailure
		}
		names[name] = p

		ls := loadedSite{path: p, name: name, dir: siteDir(name, several)}
		data, err := readSite(e, p)
		if err != nil {
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", p, err)
			code = max(code, exitFailure)
			sites = append(sites, ls)
			continue
		}
		if p == "-" {
			ls.path = stdinName
		}
		site, err := schema.Parse(ls.path, data, schema.WithTarget(target))
		var problems schema.Problems
		switch {
		case errors.As(err, &problems):
			report(problems)
			code = max(code, exitInvalid)
		case err != nil:
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", p, err)
			code = max(code, exitFailure)
		default:
			warnings := site.Warnings
			if !rosterWarnings {
				warnings = nil
				for _, w := range site.Warnings {
					// A roster's own problems are placed in the roster file, not the site file.
					if w.File == ls.path {
						warnings = append(warnings, w)
					}
				}
			}
			if len(warnings) > 0 {
				report(warnings)
			}
		}
		ls.site = site
		sites = append(sites, ls)
	}
	parsed := make([]*schema.Site, len(sites))
	for i, ls := range sites {
		parsed[i] = ls.site
	}
	// Sites that share a domain are dropped, so that neither is written.
	if clash, problems := schema.SharedDomains(parsed); len(clash) > 0 {
		report(problems)
		for _, i := range clash {
			sites[i].site = nil
		}
		code = max(code, exitInvalid)
	}
	return sites, code
}

// readSite reads a site file, or standard input for "-".
func readSite(e *env, p string) ([]byte, error) {
	if p == "-" {
		data, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read site file: %w", err)
	}
	return data, nil
}

// outputPath is where a site's output file goes under ROOT, in the operating system's form.
func outputPath(root string, ls loadedSite, p string) string {
	return filepath.Join(root, filepath.FromSlash(path.Join(ls.dir, p)))
}
