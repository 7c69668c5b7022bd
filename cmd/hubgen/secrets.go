package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/schema"
	"github.com/hubgen/hubgen/secrets"
)

var cmdSecrets = &command{
	name:     "secrets",
	synopsis: "SITE [--root DIR]",
	short:    "create the missing cookie secret, proxy token and dhparam files, 0600; never overwrite",
	long: `Create the secret files the site names that do not exist yet:

	hub.cookie_secret_file      32 random bytes as 64 hex digits and a newline
	hub.proxy_auth_token_file   the same, a separate value
	tls.dhparam (when set)      RFC 7919's ffdhe2048 group as PEM, instantly (no openssl dhparam)

Each is created with mode 0600, and a directory made for one with mode 0700. An existing file is
never overwritten, re-moded or printed: a file with a mode that lets group or others at it, or
with contents that are not of its kind, is reported, and left for you to fix or remove.

--root DIR is put before every path, to prepare a tree for an image or a test.

On an OIDC or GitHub site, the client secret file (auth.client_secret_file) is not made: the
identity provider issues that secret. secrets says whether it is there, and if not, the command
that creates it empty with mode 0600 for you to paste the secret into. It never reads or prints
the file's contents.

Exit status: 0 every file exists and is good; 1 the site is invalid or an existing file is not
good; 2 a file could not be created or read, or a usage error.`,
	minArgs: 1,
	maxArgs: 1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		root := fs.String("root", "", "put `DIR` before every path of the site")
		return func(e *env, paths []string) int { return runSecrets(e, paths, *root, flagGiven(fs, "root")) }
	},
}

func runSecrets(e *env, paths []string, root string, rootGiven bool) int {
	// An empty --root (an unset shell variable, say) would write to the live / instead.
	if root == "" && rootGiven {
		return usageErrorIn(e, "secrets", "--root is empty (give a directory, or leave --root out to write the real paths)")
	}
	// A roster's warnings are validate's and doctor's to show: secrets has nothing to do with them.
	sites, code := loadSitesFor(e, paths, schema.TargetServer, rosterWarningsHidden)
	if sites == nil || sites[0].site == nil {
		return code
	}
	results, err := secrets.Ensure(root, sites[0].site)
	rerun := "hubgen secrets " + shell.Quote(sites[0].path)
	if root != "" {
		rerun += " --root " + shell.Quote(root)
	}
	for _, r := range results {
		var serr *secrets.Error
		switch {
		case errors.As(r.Err, &serr):
			fix := serr.Fix(rerun, "sudo "+rerun)
			if fix != "" {
				fix = " (fix: " + fix + ")"
			}
			fmt.Fprintf(e.stderr, "hubgen secrets: %s %s%s\n", r.Key, serr.Error(), fix)
			if serr.Reason == secrets.Unreadable {
				code = max(code, exitFailure)
			} else {
				code = max(code, exitInvalid)
			}
		case r.Created:
			fmt.Fprintf(e.stdout, "created %s (%s): %s\n", r.Path, r.Key, r.Detail)
		default:
			fmt.Fprintf(e.stdout, "kept    %s (%s): %s\n", r.Path, r.Key, r.Detail)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen secrets: %v\n", err)
		code = max(code, exitFailure)
	}
	if site := sites[0].site; site.Auth.OAuth() {
		fmt.Fprintln(e.stdout, secrets.ClientSecretNote(site, root))
	}
	return code
}

// flagGiven tells whether the flag name was on the command line, even with an empty value.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
