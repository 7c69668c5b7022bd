package main

import (
	"flag"
	"slices"

	"github.com/hubgen/hubgen/schema"
)

var cmdValidate = &command{
	name:     "validate",
	synopsis: "SITE... [--target server|z2jh]",
	short:    "validate sites only",
	long: `Check each site file against the schema of site.toml and print every problem as
FILE:LINE:COL: key: what is wrong (what would be right). Nothing is written.
A site file given as "-" is read from standard input.

With --target z2jh, also check what the Zero to JupyterHub target needs (no PAM, an address for
Let's Encrypt) and warn about the keys it ignores, as render --target z2jh does.`,
	minArgs: 1,
	maxArgs: -1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		target := fs.String("target", schema.TargetServer, "validate for `TARGET`: server or z2jh")
		return func(e *env, paths []string) int {
			if !slices.Contains(schema.Targets, *target) {
				return usageErrorIn(e, "validate", "--target %q is not a target (server or z2jh)", *target)
			}
			_, code := loadSitesFor(e, paths, *target)
			return code
		}
	},
}
