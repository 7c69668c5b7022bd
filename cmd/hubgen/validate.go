package main

import (
	"fmt"

	"github.com/hubgen/hubgen/render"
)

const validateHelp = `Check each site file against the schema of site.toml and print every problem as
FILE:LINE:COL: key: what is wrong (what would be right). Nothing is written.`

func runValidate(e *env, args []string) int {
	fs := newFlagSet(e, "validate", "SITE...", validateHelp)
	paths, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprintln(e.stderr, "hubgen validate: no site file (usage: hubgen validate SITE...)")
		return exitFailure
	}
	_, code = loadSites(e, paths)
	return code
}

func version() string { return render.Version }
