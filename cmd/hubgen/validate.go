package main

import (
	"flag"
	"fmt"
	"slices"

	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

var cmdValidate = &command{
	name:     "validate",
	synopsis: "SITE... [--target server|z2jh]",
	short:    "validate sites only",
	long: `Check each site file against the schema of site.toml and print every problem as
FILE:LINE:COL: key: what is wrong (what would be right), and one line on standard output for
each valid site: "FILE: valid: N users can log in, M of them admins". Nothing is written.
Warnings about a roster's rows (a row without a login, such as Canvas's "Student, Test") are
shown here and by doctor, not by render and check, which run at every change.
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
			sites, code := loadSitesFor(e, paths, *target, rosterWarningsShown)
			// Silence on success read as "did it run?": say what was checked.
			for _, ls := range sites {
				if ls.site == nil {
					continue
				}
				users := len(render.AllowedUsers(ls.site.Users))
				fmt.Fprintf(e.stdout, "%s: valid: %d %s can log in, %d of them %s\n", ls.path,
					users, plural(users, "user", "users"), len(ls.site.Users.AdminUsers), plural(len(ls.site.Users.AdminUsers), "admin", "admins"))
			}
			return code
		}
	},
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
