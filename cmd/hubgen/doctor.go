package main

import (
	"flag"
	"fmt"

	"github.com/hubgen/hubgen/doctor"
)

var cmdDoctor = &command{
	name:     "doctor",
	synopsis: "SITE [--root DIR]",
	short:    "preflight on the server: certificate (and its wildcard with user subdomains), secrets, programs, the hub's Python modules, users, sign-in, nginx -v and -t",
	long: `Check the server before the hub starts, one line per check, each failure followed by the
command that fixes it:

	certificate          tls.cert exists and parses
	private key          tls.key exists, parses and belongs to the certificate
	private key mode     group and others cannot read tls.key
	certificate domain   the certificate covers domain
	certificate expiry   not expired; a warning under 14 days left
	cookie secret        exists, mode 0600, 64 hex digits
	proxy auth token     exists, mode 0600, 64 hex digits
	dhparam              when tls.dhparam is set: exists, mode 0600, a DH group of 2048 bits or more
	spawner.cmd          the program exists and is executable
	hub.executable       the jupyterhub program exists and is executable
	hub python           the hub's Python imports jupyterhub_idle_culler (culler on) and systemdspawner
	                     (spawner.kind = "systemd")
	users                every admin and allowed user has a system account (PAM needs one)
	state_dir            hub.state_dir is a directory
	nginx -t             when nginx is installed, it accepts the nginx.conf render would write

Users are looked up on this machine even with --root, which is put before every path of the site
(the same prefix as hubgen secrets --root).

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
