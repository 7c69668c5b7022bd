package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/hubgen/hubgen/accounts"
	"github.com/hubgen/hubgen/schema"
)

var cmdAccounts = &command{
	name:     "accounts",
	synopsis: "SITE [--apply --passwords FILE]",
	short:    "PAM sites: create the users' missing accounts, lock those the site dropped",
	long: `Keep the system accounts of a PAM site in step with its users (admins, allowed users and
the roster). Run as root on the server, after each new roster.

Without --apply, print the plan and change nothing:

	create  a user of the site with no account
	lock    an account hubgen made that the site no longer lists
	unlock  an account hubgen locked that the site lists again
	keep    an account hubgen did not make: left as it is
	refuse  a system account (root, uid below 1000): never touched; remove it from the site

--apply makes the changes. A new account gets a home from /etc/skel, bash, and a random initial
password set with chpasswd; "username,password" lines for the new accounts go to the file given
with --passwords (created 0600; an existing file is never overwritten), or to standard output
with --passwords -. Passwords are printed nowhere else. A locked account keeps its files: its
password is locked and the account expired (usermod --lock --expiredate 1).

hubgen lists the accounts it made in state_dir/hubgen_accounts (0600) and locks only those.
With auth.type "oidc", "github" or "lti13" the hub makes the accounts itself: this command is
for PAM.

Exit status: 0 done, or nothing to do; 1 the site is invalid, is not a PAM site, or names a
system account; 2 a usage error, or an account, file or program that failed.`,
	minArgs: 1,
	maxArgs: 1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		apply := fs.Bool("apply", false, "make the changes (without it, only print the plan)")
		passwordsPath := fs.String("passwords", "", "write the new accounts' `FILE` of username,password lines (0600, never overwritten; - for standard output)")
		return func(e *env, paths []string) int { return runAccounts(e, paths, *apply, *passwordsPath) }
	},
}

func runAccounts(e *env, paths []string, apply bool, passwordsPath string) int {
	sites, code := loadSites(e, paths)
	if sites == nil || sites[0].site == nil {
		return code
	}
	site := sites[0].site
	if site.Auth.HubMakesAccounts() {
		fmt.Fprintf(e.stderr, "hubgen accounts: %s: auth.type is %q: the hub makes each user's account when they first sign in (accounts is for PAM sites)\n", paths[0], site.Auth.Type)
		return exitInvalid
	}
	return accountsFor(e, site, accounts.Local{}, apply, passwordsPath)
}

// accountsFor plans, and with apply carries out, the accounts of site on machine m.
func accountsFor(e *env, site *schema.Site, m accounts.Machine, apply bool, passwordsPath string) int {
	statePath := accounts.StateFile(site)
	managed, err := accounts.ReadState(statePath)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen accounts: %v\n", err)
		return exitFailure
	}
	plan, err := accounts.MakePlan(accounts.Users(site), managed, m)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen accounts: %v\n", err)
		return exitFailure
	}
	code := exitOK
	for _, r := range plan.Refused {
		fmt.Fprintf(e.stderr, "refuse  %s (uid %d: a system account; hubgen never touches it, and PAM users should not be one: remove it from the site)\n", r.Name, r.UID)
		code = exitInvalid
	}
	if !apply {
		printPlan(e.stdout, plan)
		if plan.Changes() > 0 {
			fmt.Fprintf(e.stdout, "%d to create, %d to lock, %d to unlock: run again with --apply --passwords FILE to make these changes\n", len(plan.Create), len(plan.Lock), len(plan.Unlock))
		} else {
			fmt.Fprintln(e.stdout, "nothing to change")
		}
		return code
	}

	var passwords io.Writer
	var file *os.File
	if len(plan.Create) > 0 {
		switch passwordsPath {
		case "":
			fmt.Fprintf(e.stderr, "hubgen accounts: %d accounts to create: give --passwords FILE for their initial passwords (or --passwords - for standard output)\n", len(plan.Create))
			return exitFailure
		case "-":
			passwords = e.stdout
		default:
			// O_EXCL: a passwords file from an earlier run may be the only copy of those passwords.
			file, err = os.OpenFile(passwordsPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, fs.ErrExist) {
				fmt.Fprintf(e.stderr, "hubgen accounts: %s exists; hubgen never overwrites a passwords file (give a new name)\n", passwordsPath)
				return exitFailure
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "hubgen accounts: create the passwords file: %v\n", err)
				return exitFailure
			}
			passwords = file
		}
	}
	steps, err := accounts.Apply(plan, m, statePath, passwords)
	if file != nil {
		if serr := file.Sync(); serr != nil && err == nil {
			err = fmt.Errorf("write %s: %w", passwordsPath, serr)
		}
		if cerr := file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write %s: %w", passwordsPath, cerr)
		}
	}
	out := e.stdout
	if passwordsPath == "-" {
		// Standard output carries the passwords; the report goes beside it.
		out = e.stderr
	}
	for _, s := range steps {
		fmt.Fprintf(out, "%-8s %s\n", s.Action, s.Name)
	}
	for _, name := range plan.Gone {
		fmt.Fprintf(out, "dropped  %s (hubgen made it, someone deleted it since)\n", name)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen accounts: %v\n", err)
		return exitFailure
	}
	if file != nil {
		fmt.Fprintf(out, "initial passwords of the %d new accounts: %s\n", len(plan.Create), passwordsPath)
	}
	if len(steps) == 0 {
		fmt.Fprintln(out, "nothing to change")
	}
	return code
}

func printPlan(w io.Writer, p *accounts.Plan) {
	for _, row := range []struct {
		verb  string
		names []string
		why   string
	}{
		{"create", p.Create, ""},
		{"lock", p.Lock, " (hubgen made it; the site no longer lists it)"},
		{"unlock", p.Unlock, " (hubgen locked it; the site lists it again)"},
		{"keep", p.Keep, " (an account hubgen did not make: left as it is)"},
		{"drop", p.Gone, " (hubgen made it, someone deleted it since: dropped from hubgen's list)"},
	} {
		for _, name := range row.names {
			fmt.Fprintf(w, "%-7s %s%s\n", row.verb, name, row.why)
		}
	}
}
