package main

import "flag"

var cmdValidate = &command{
	name:     "validate",
	synopsis: "SITE...",
	short:    "validate sites only",
	long: `Check each site file against the schema of site.toml and print every problem as
FILE:LINE:COL: key: what is wrong (what would be right). Nothing is written.
A site file given as "-" is read from standard input.`,
	minArgs: 1,
	maxArgs: -1,
	setup: func(*flag.FlagSet) func(*env, []string) int {
		return func(e *env, paths []string) int {
			_, code := loadSites(e, paths)
			return code
		}
	},
}
