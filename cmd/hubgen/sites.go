package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hubgen/hubgen/schema"
)

// stdinName names a site file read from standard input ("-") in messages and headers.
const stdinName = "<stdin>"

// loadedSite is one site file given on the command line.
type loadedSite struct {
	path string
	name string       // the file name without .toml
	dir  string       // where its files go under ROOT, slash-separated: see siteDir
	data []byte       // the file's contents, for positions in messages; nil when unreadable
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
		ls.data = data
		site, err := schema.Parse(ls.path, data)
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
			problems := append(warnings, schema.TargetProblems(ls.path, data, site, target)...)
			if len(problems) > 0 {
				report(problems)
			}
			if len(problems.Errors()) > 0 {
				site = nil
				code = max(code, exitInvalid)
			}
		}
		ls.site = site
		sites = append(sites, ls)
	}
	if refuseSharedDomains(e, sites) {
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

// refuseSharedDomains finds sites of one run that serve the same domain, prints a problem for
// each and drops them, so that neither is written. Several sites in one run are several servers
// (one directory each in a configuration repository); a domain name reaches one of them, so the
// other hub could never be reached, and both would ask Let's Encrypt for the same certificate.
// Ports are not compared: two servers may both listen on 443.
func refuseSharedDomains(e *env, sites []loadedSite) bool {
	first := map[string]int{}
	clash := map[int]bool{}
	for i, ls := range sites {
		if ls.site == nil {
			continue
		}
		if j, seen := first[ls.site.Domain]; seen {
			clash[i], clash[j] = true, true
			line, col := topLevelValuePosition(ls.data, "domain")
			fl, fc := topLevelValuePosition(sites[j].data, "domain")
			fmt.Fprintf(e.stderr, "%s:%d:%d: domain: %q is also the domain of %s:%d:%d (one domain name reaches one server: give each course its own domain, or render the two sites in separate runs)\n",
				ls.path, line, col, ls.site.Domain, sites[j].path, fl, fc)
			continue
		}
		first[ls.site.Domain] = i
	}
	for i := range clash {
		sites[i].site = nil
	}
	return len(clash) > 0
}

// topLevelValuePosition is the line and column of a top-level key's value, as the schema reports
// positions (in characters, a byte order mark not counted), found by reading the lines before the
// first table; 1:1 when not found (a key written in a form this does not read, such as a quoted
// key, which the decoder accepted all the same).
func topLevelValuePosition(data []byte, key string) (line, col int) {
	for i, line := range strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(trimmed, "[") {
			break
		}
		rest, ok := strings.CutPrefix(trimmed, key)
		if !ok {
			continue
		}
		after := strings.TrimLeft(rest, " \t")
		if !strings.HasPrefix(after, "=") {
			continue
		}
		value := strings.TrimLeft(after[1:], " \t")
		return i + 1, utf8.RuneCountInString(line[:len(line)-len(value)]) + 1
	}
	return 1, 1
}

// outputPath is where a site's output file goes under ROOT, in the operating system's form.
func outputPath(root string, ls loadedSite, p string) string {
	return filepath.Join(root, filepath.FromSlash(path.Join(ls.dir, p)))
}
