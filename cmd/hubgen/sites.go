package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hubgen/hubgen/schema"
)

// loadedSite is one site file given on the command line.
type loadedSite struct {
	path string
	name string       // the file name without .toml: its directory when several sites are rendered
	site *schema.Site // nil when the file is invalid or unreadable
}

// loadSites loads every site file, printing each one's problems and warnings. A bad file does not
// stop the others from being checked. The exit code is the worst seen: 2 for a file that could not
// be read, 1 for an invalid one.
func loadSites(e *env, paths []string) ([]loadedSite, int) {
	return loadSitesReporting(e, paths, func(ps schema.Problems) { fmt.Fprintln(e.stderr, ps.Error()) })
}

// loadSitesReporting is loadSites with another way to print problems and warnings, such as
// check's GitHub annotations.
func loadSitesReporting(e *env, paths []string, report func(schema.Problems)) ([]loadedSite, int) {
	code := exitOK
	names := map[string]string{}
	sites := make([]loadedSite, 0, len(paths))
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".toml")
		if len(paths) > 1 && (name == "" || name == "." || name == "..") {
			fmt.Fprintf(e.stderr, "hubgen: %s would be written under %q, not a directory of its own (rename the site file)\n", p, name+"/")
			return nil, exitFailure
		}
		if other, dup := names[name]; dup && len(paths) > 1 {
			fmt.Fprintf(e.stderr, "hubgen: %s and %s would both be written under %s/ (give the site files different names)\n", other, p, name)
			return nil, exitFailure
		}
		names[name] = p

		site, err := schema.Load(p)
		var problems schema.Problems
		switch {
		case errors.As(err, &problems):
			report(problems)
			code = max(code, exitInvalid)
		case err != nil:
			fmt.Fprintf(e.stderr, "hubgen: %s: %v\n", p, err)
			code = max(code, exitFailure)
		default:
			if len(site.Warnings) > 0 {
				report(site.Warnings)
			}
		}
		sites = append(sites, loadedSite{path: p, name: name, site: site})
	}
	return sites, code
}
