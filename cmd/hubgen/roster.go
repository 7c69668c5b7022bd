package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/hubgen/hubgen/schema"
)

var cmdRoster = &command{
	name:     "roster",
	synopsis: "FILE [--column NAME] [--email-domain DOMAIN]",
	short:    "print a roster export's usernames, one a line: the plain list to commit",
	long: `Read a roster as users.roster does (a .csv export with a header row, or a .txt list) and
print its usernames on standard output, one a line, lowercased, each once, in the file's order.
That plain list is what to commit beside the site file, rather than an LMS export, which holds
people's names, student numbers and grades:

	hubgen roster ~/Downloads/gradebook.csv > rosters/engr101-2027s.txt
	# then in the site file: roster = "rosters/engr101-2027s.txt"

The column is picked as for users.roster_column: --column, else the first of ` + strings.Join(schema.RosterColumns, ", ") + `.
With --email-domain (as users.roster_email_domain), addresses at that domain become the name
before the @. Problems and warnings (a row without a login, such as Canvas's "Student, Test",
a name listed twice) go to standard error as FILE:LINE:COL.

Exit status: 0 the list is printed; 1 a row could not be read as a username (nothing is printed);
2 the file cannot be read, or a usage error.`,
	minArgs: 1,
	maxArgs: 1,
	setup: func(fs *flag.FlagSet) func(*env, []string) int {
		column := fs.String("column", "", "read usernames from the column headed `NAME` (default: the first of the usual login columns)")
		domain := fs.String("email-domain", "", "take addresses at `DOMAIN` as the name before the @")
		return func(e *env, args []string) int { return runRoster(e, args[0], *column, *domain) }
	},
}

func runRoster(e *env, file, column, domain string) int {
	names, problems, err := schema.ReadRoster(file, column, domain)
	if err != nil {
		fmt.Fprintf(e.stderr, "hubgen roster: %v\n", err)
		return exitFailure
	}
	if len(problems) > 0 {
		fmt.Fprintln(e.stderr, problems.Error())
	}
	if len(problems.Errors()) > 0 {
		return exitInvalid
	}
	if len(names) == 0 {
		fmt.Fprintf(e.stderr, "hubgen roster: %s has no usernames\n", file)
		return exitInvalid
	}
	return writeOut(e, "roster", []byte(strings.Join(names, "\n")+"\n"))
}
