package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/hubgen/hubgen/doctor"
)

var cmdDoctor = &command{
	name:     "doctor",
	synopsis: "SITE [--root DIR]",
	short:    "preflight on the server: certificate (and its wildcard with user subdomains), secrets, programs, the hub's Python modules, users, sign-in, nginx -v and -t",
	long: `Check the server before the hub starts, one line per check, each failure followed by the
command that fixes it:

` + doctorCheckList() + `

--root DIR is put before every path of the site (the same prefix as hubgen secrets --root):
the certificate, the secrets, state_dir, the rendered files. The programs the site names by an
absolute path (spawner.cmd, hub.executable and the hub's Python) are looked for under DIR first
and then on this machine, where a hub staged under DIR would run them. Users are looked up on
this machine. A fix line names only programs that exist: for a missing jupyterhub-singleuser,
the one installed elsewhere (Debian's /usr/bin/jupyterhub-singleuser), else pip of the hub's
own Python, else apt-get install jupyterhub.

Exit status: 0 no check failed (warnings allowed); 1 a check failed or the site is invalid;
2 the site file cannot be read, or a usage error.`,
	minArgs: 1,
	maxArgs: 1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		root := fs.String("root", "", "put `DIR` before every path of the site")
		return func(e *env, paths []string) int { return runDoctor(e, paths, *root) }
	},
}

// doctorSystem is the machine doctor examines; tests replace it.
var doctorSystem = doctor.Local

func runDoctor(e *env, paths []string, root string) int {
	sites, code := loadSites(e, paths)
	if sites == nil || sites[0].site == nil {
		return code
	}
	results := doctor.Run(sites[0].site, doctorSystem(root, paths[0]))
	var failed, warned int
	for _, r := range results {
		fmt.Fprintf(e.stdout, "%-4s  %s: %s\n", r.Status, r.Name, r.Detail)
		if r.Fix != "" && (r.Status == doctor.Fail || r.Status == doctor.Warn) {
			fmt.Fprintf(e.stdout, "      fix: %s\n", r.Fix)
		}
		switch r.Status {
		case doctor.Fail:
			failed++
		case doctor.Warn:
			warned++
		}
	}
	fmt.Fprintf(e.stdout, "%d checks: %d failed, %d warnings\n", len(results), failed, warned)
	if failed > 0 {
		return max(code, exitInvalid)
	}
	return code
}

// doctorCheckList is doctor's help's list of checks, one a line (wrapped at 100 columns), from
// doctor.Checks: the help and the man page made from it name every check doctor runs.
func doctorCheckList() string {
	const width, indent = 100, "\t                     "
	var lines []string
	for _, c := range doctor.Checks {
		line := fmt.Sprintf("\t%-20s %s", c.Name, c.Doc)
		for len(line)+7 > width { // a tab is 8 columns
			cut := strings.LastIndexByte(line[:width-7], ' ')
			lines = append(lines, line[:cut])
			line = indent + line[cut+1:]
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
