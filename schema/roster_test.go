package schema

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rosterSite is a valid site whose [users] table ends with the lines a case adds, from line 8 on.
const rosterSite = `domain = "hub.example.edu"
[tls]
cert = "/c.pem"
key = "/k.pem"
[users]
admin = ["prof"]
allowed = ["kendra"]
%s
[spawner]
cmd = "/opt/conda/bin/jupyterhub-singleuser"
`

// loadRosterSite writes site.toml with usersLines and the files into a new directory, loads it,
// and returns the allowed users and every problem printed relative to that directory.
//
// The warning about columns of names and grades is left out: most rows here use realistic exports,
// which have them. TestRosterPersonalColumns tests it with loadRosterSiteAll.
func loadRosterSite(t testing.TB, usersLines string, files map[string]string) (allowed, problems []string) {
	t.Helper()
	allowed, all := loadRosterSiteAll(t, usersLines, files)
	for _, p := range all {
		if !strings.Contains(p, "has columns with people's names or grades") {
			problems = append(problems, p)
		}
	}
	return allowed, problems
}

func loadRosterSiteAll(t testing.TB, usersLines string, files map[string]string) (allowed, problems []string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sitePath := filepath.Join(dir, "site.toml")
	site, err := Parse(sitePath, []byte(fmt.Sprintf(rosterSite, usersLines)))
	var ps Problems
	switch {
	case errors.As(err, &ps):
	case err != nil:
		t.Fatalf("Parse: %v (want Problems or a site)", err)
	default:
		ps = site.Warnings
		allowed = site.Users.AllowedUsers
	}
	for _, p := range ps {
		problems = append(problems, strings.ReplaceAll(p.String(), dir+string(filepath.Separator), ""))
	}
	return allowed, problems
}

func TestRoster(t *testing.T) {
	for _, tc := range []struct {
		name     string
		users    string            // lines added to [users], from line 8
		files    map[string]string // written beside site.toml
		allowed  []string          // nil when the site is invalid
		problems []string          // every problem and warning, as printed
	}{
		{
			name:    "text: comments, blank lines, case and spaces",
			users:   `roster = "rosters/engr101.txt"`,
			files:   map[string]string{"rosters/engr101.txt": "# ENGR 101, spring 2027\n\n  Sam\nli.wei   # TA\n\t_grader\r\n"},
			allowed: []string{"kendra", "sam", "li.wei", "_grader"},
		},
		{
			name:    "text: byte order mark and CRLF",
			users:   `roster = "r.TXT"`,
			files:   map[string]string{"r.TXT": "\xef\xbb\xbfsam\r\nada\r\n"},
			allowed: []string{"kendra", "sam", "ada"},
		},
		{
			name:  "text: invalid usernames at their line and column",
			users: `roster = "r.txt"`,
			files: map[string]string{"r.txt": "sam\n  kendra smith\n1ada\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nk\u0435ndra\n"},
			problems: []string{
				`r.txt:2:3: users.roster: "kendra smith" is not a username (character 7 is a space; use lowercase letters, digits, "_", "-" and ".")`,
				`r.txt:3:1: users.roster: "1ada" starts with '1' (a username starts with a lowercase letter or "_")`,
				`r.txt:4:1: users.roster: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is 33 characters long (usernames have at most 32)`,
				`r.txt:5:1: users.roster: "k\u0435ndra" is not a username (character 2 is '\u0435' (U+0435); use lowercase letters, digits, "_", "-" and ".")`,
			},
		},
		{
			name:  "text: an address without roster_email_domain",
			users: `roster = "r.txt"`,
			files: map[string]string{"r.txt": "sam\nada@college.edu\n"},
			problems: []string{
				`r.txt:2:1: users.roster: "ada@college.edu" is an email address (set users.roster_email_domain = "college.edu" to use the name before the @)`,
			},
		},
		{
			name:    "text: addresses at roster_email_domain become usernames",
			users:   "roster = \"r.txt\"\nroster_email_domain = \"college.edu\"",
			files:   map[string]string{"r.txt": "Ada@College.edu\nsam\n"},
			allowed: []string{"kendra", "ada", "sam"},
		},
		{
			name:  "text: an address at another domain",
			users: "roster = \"r.txt\"\nroster_email_domain = \"college.edu\"",
			files: map[string]string{"r.txt": "ada@college.edu\nsam@gmail.com\n"},
			problems: []string{
				`r.txt:2:1: users.roster: "sam@gmail.com" is not an address at college.edu (users.roster_email_domain; give this person a login at college.edu, or remove the line)`,
			},
		},
		{
			name:    "text: duplicates are warnings",
			users:   `roster = "r.txt"`,
			files:   map[string]string{"r.txt": "sam\nKendra\nada\n Sam\n"},
			allowed: []string{"kendra", "sam", "ada"},
			problems: []string{
				`r.txt:2:1: warning: users.roster: "kendra" is also in users.allowed (keep one)`,
				`r.txt:4:2: warning: users.roster: "sam" is listed twice (line 1 has it too)`,
			},
		},
		{
			name:     "text: no users is a warning",
			users:    `roster = "r.txt"`,
			files:    map[string]string{"r.txt": "# nobody yet\n"},
			allowed:  []string{"kendra"},
			problems: []string{`r.txt:1:1: warning: users.roster: has no users (export the roster again, or remove users.roster)`},
		},
		{
			name:    "csv: Canvas gradebook, SIS Login ID by default",
			users:   `roster = "grades.csv"`,
			files:   map[string]string{"grades.csv": "Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n\"Alvarez, Kendra\",1,9001,KAlvarez,S1\n,,,,\n\"Brooks, Sam\",2,9002, sbrooks ,S1\n"},
			allowed: []string{"kendra", "kalvarez", "sbrooks"},
		},
		{
			name:    "csv: the first default column wins",
			users:   `roster = "r.csv"`,
			files:   map[string]string{"r.csv": "Email,Login,Username\nx@y.edu,xlogin,sam\n"},
			allowed: []string{"kendra", "sam"},
		},
		{
			name:    "csv: Moodle participants with roster_email_domain",
			users:   "roster = \"p.csv\"\nroster_email_domain = \"students.example.edu\"",
			files:   map[string]string{"p.csv": "\xef\xbb\xbfFirst name,Last name,Email address,Roles\r\nAda,Lovelace,ada.lovelace@students.example.edu,Student\r\n"},
			allowed: []string{"kendra", "ada.lovelace"},
		},
		{
			name:    "csv: roster_column ignores case, spaces and underscores",
			users:   "roster = \"r.csv\"\nroster_column = \"net_id\"",
			files:   map[string]string{"r.csv": "Name,Net ID,Username\nAda,ada,wrong\n"},
			allowed: []string{"kendra", "ada"},
		},
		{
			name:  "csv: invalid username at the field's column",
			users: `roster = "r.csv"`,
			files: map[string]string{"r.csv": "Name,Username\nAda,ada\n\"Sam, B\",sam b\n"},
			problems: []string{
				`r.csv:3:10: users.roster: "sam b" is not a username (character 4 is a space; use lowercase letters, digits, "_", "-" and ".")`,
			},
		},
		{
			name:    "csv: an empty username cell is a warning",
			users:   `roster = "r.csv"`,
			files:   map[string]string{"r.csv": "Student,SIS Login ID\n\"Student, Test\",\nAda,ada\n"},
			allowed: []string{"kendra", "ada"},
			problems: []string{
				`r.csv:2:17: warning: users.roster: "Student, Test" has no SIS Login ID (skipped: this person cannot log in)`,
			},
		},
		{
			name:  "csv: a short row",
			users: `roster = "r.csv"`,
			files: map[string]string{"r.csv": "Name,Section,Username\nAda,1,ada\nSam\n"},
			problems: []string{
				`r.csv:3:1: users.roster: has 1 fields, so no Username (field 3 of the header)`,
			},
		},
		{
			name:     "csv: no username column",
			users:    `roster = "r.csv"`,
			files:    map[string]string{"r.csv": "Name,Student Number\nAda,17\n"},
			problems: []string{`r.csv:1:1: users.roster: has no username column (none of username, login_id, sis_login_id, login, user, email, email_address; set users.roster_column to one of: Name, Student Number)`},
		},
		{
			name:     "csv: roster_column not in the header",
			users:    "roster = \"r.csv\"\nroster_column = \"NetID\"",
			files:    map[string]string{"r.csv": "Name,Username\nAda,ada\n"},
			problems: []string{`site.toml:9:17: users.roster_column: "NetID" is not a column of r.csv (its columns: Name, Username)`},
		},
		{
			name:     "csv: empty file",
			users:    `roster = "r.csv"`,
			files:    map[string]string{"r.csv": ""},
			problems: []string{`r.csv:1:1: users.roster: is empty (a header row, then one person a row)`},
		},
		{
			name:     "csv: a stray quote",
			users:    `roster = "r.csv"`,
			files:    map[string]string{"r.csv": "Name,Username\nAda,ada\nSam \"the\" B,sam\n"},
			problems: []string{`r.csv:3:5: users.roster: not CSV: bare " in non-quoted-field (save the roster as CSV again from the spreadsheet)`},
		},
		{
			name:     "csv: a broken header",
			users:    `roster = "r.csv"`,
			files:    map[string]string{"r.csv": "Name,\"User\nAda,ada\n"},
			problems: []string{`r.csv:2:9: users.roster: not CSV: extraneous or missing " in quoted-field in the row that starts on line 1 (save the roster as CSV again from the spreadsheet)`},
		},
		{
			name:     "missing file",
			users:    `roster = "rosters/none.csv"`,
			problems: []string{`site.toml:8:10: users.roster: cannot read rosters/none.csv: no such file or directory (the path is relative to the site file)`},
		},
		{
			name:     "a directory",
			users:    `roster = "d.txt"`,
			files:    map[string]string{"d.txt/x": ""},
			problems: []string{`site.toml:8:10: users.roster: cannot read d.txt: is a directory (the path is relative to the site file)`},
		},
		{
			name:     "not .txt or .csv",
			users:    `roster = "roster.xlsx"`,
			problems: []string{`site.toml:8:10: users.roster: "roster.xlsx" is neither .txt nor .csv (export the roster as CSV, or list one username a line in a .txt file)`},
		},
		{
			name:     "empty path",
			users:    `roster = ""`,
			problems: []string{`site.toml:8:10: users.roster: "" is not a file name (a path relative to the site file, like "rosters/engr101.csv")`},
		},
		{
			name:     "control character in the path",
			users:    `roster = "r\n.txt"`,
			problems: []string{`site.toml:8:10: users.roster: "r\n.txt" is not a file name (a path relative to the site file, like "rosters/engr101.csv")`},
		},
		{
			name:  "roster keys without a roster",
			users: "roster_column = \"Username\"\nroster_email_domain = \"college.edu\"",
			problems: []string{
				`site.toml:8:1: users.roster_column: is set but users.roster is not (add roster = "rosters/engr101.csv", or remove this key)`,
				`site.toml:9:1: users.roster_email_domain: is set but users.roster is not (add roster = "rosters/engr101.csv", or remove this key)`,
			},
		},
		{
			name:     "empty roster_column",
			users:    "roster = \"r.csv\"\nroster_column = \" \"",
			files:    map[string]string{"r.csv": "Username\nada\n"},
			problems: []string{`site.toml:9:17: users.roster_column: is empty (the roster's header of the username column, like "SIS Login ID"; leave it out to use the first of username, login_id, sis_login_id, login, user, email, email_address)`},
		},
		{
			name:     "roster_email_domain not a domain",
			users:    "roster = \"r.txt\"\nroster_email_domain = \"@College.edu\"",
			files:    map[string]string{"r.txt": "ada@college.edu\n"},
			problems: []string{`site.toml:9:23: users.roster_email_domain: "@College.edu" is not a domain name (the part after @ in the roster's addresses, lowercase, like "example.edu")`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allowed, problems := loadRosterSite(t, tc.users, tc.files)
			if diff := cmp.Diff(tc.problems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.allowed, allowed); diff != "" {
				t.Errorf("allowed users (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRosterExamples loads the Canvas and Moodle examples as a user would, from the repository
// root's point of view, with the usernames their exports hold.
func TestRosterExamples(t *testing.T) {
	for path, want := range map[string][]string{
		"../examples/canvas.toml": {"ta_jordan", "kalvarez", "sbrooks", "lwchen", "adiallo", "cokafor2"},
		"../examples/moodle.toml": {"kendra.alvarez", "sam.brooks", "liwei.chen", "aminata.diallo", "chidi.okafor"},
	} {
		site, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		// The examples are exports as the LMS makes them, names and grades included: the one
		// warning says to commit the plain list instead.
		if len(site.Warnings) != 1 || !strings.Contains(site.Warnings[0].Summary, "has columns with people's names or grades") {
			t.Errorf("%s: warnings:\n%v\nwant only the one about names and grades", path, site.Warnings)
		}
		if diff := cmp.Diff(want, site.Users.AllowedUsers); diff != "" {
			t.Errorf("%s: allowed users (-want +got):\n%s", path, diff)
		}
	}
}

// bigRoster is a Canvas-like export of n students.
func bigRoster(n int) string {
	var b strings.Builder
	b.WriteString("Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n")
	for i := range n {
		fmt.Fprintf(&b, "\"Student, Number %d\",%d,9%08d,s%07d,ENGR 101 Section %03d\n", i, 80000+i, i, i, i%12)
	}
	return b.String()
}

// TestRosterOfFiftyThousand guards against anything quadratic: a whole university's roster loads
// in well under a second (BenchmarkRoster measures it).
func TestRosterOfFiftyThousand(t *testing.T) {
	files := map[string]string{"r.csv": bigRoster(50000)}
	start := time.Now()
	allowed, problems := loadRosterSite(t, `roster = "r.csv"`, files)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("loading 50,000 roster lines took %v", took)
	}
	if len(allowed) != 50001 || len(problems) != 0 {
		t.Errorf("got %d allowed users and problems %v, want 50001 and none", len(allowed), problems)
	}
}

func BenchmarkRoster(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.csv"), []byte(bigRoster(50000)), 0o644); err != nil {
		b.Fatal(err)
	}
	src := []byte(fmt.Sprintf(rosterSite, `roster = "r.csv"`))
	sitePath := filepath.Join(dir, "site.toml")
	for b.Loop() {
		if _, err := Parse(sitePath, src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRosterSlips: rosters as spreadsheets in other locales and programs export them.
func TestRosterSlips(t *testing.T) {
	utf16 := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, c := range s {
			b = append(b, byte(c), 0)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name     string
		users    string
		files    map[string]string
		allowed  []string
		problems []string
	}{
		{"UTF-16 with a byte order mark", `roster = "r.csv"`, map[string]string{"r.csv": utf16("username\r\nsam\r\n")}, nil, []string{
			`r.csv:1:1: users.roster: is not UTF-8 but UTF-16 (save it as "CSV UTF-8" from the spreadsheet)`,
		}},
		{"UTF-16 without one", `roster = "r.txt"`, map[string]string{"r.txt": utf16("sam\n")[2:]}, nil, []string{
			`r.txt:1:1: users.roster: is not UTF-8 but UTF-16 (save it as "CSV UTF-8" from the spreadsheet)`,
		}},
		{"Latin-1", `roster = "r.csv"`, map[string]string{"r.csv": "username,name\nsam,Ren\xe9e\n"}, nil, []string{
			`r.csv:2:8: users.roster: byte 0xe9 is not UTF-8 (save it as "CSV UTF-8" from the spreadsheet)`,
		}},
		{"semicolons", `roster = "r.csv"`, map[string]string{"r.csv": "\ufeffName;SIS Login ID;Section\n\"Doe; Sam\";sam;A\nLee;lee;B\n"}, []string{"kendra", "sam", "lee"}, nil},
		{"tabs", `roster = "r.csv"`, map[string]string{"r.csv": "Name\tusername\nSam Doe\tsam\n"}, []string{"kendra", "sam"}, nil},
		{"commas with a semicolon in a quoted header", `roster = "r.csv"`, map[string]string{"r.csv": "\"a;b;c\",username\nx,sam\n"}, []string{"kendra", "sam"}, nil},
		{"an @ without a domain", `roster = "r.txt"`, map[string]string{"r.txt": "sam\nk@\n"}, nil, []string{
			`r.txt:2:1: users.roster: "k@" has an @ but no domain name after it (a username like "kendra", or an address like "kendra@college.edu")`,
		}},
		{"roster_column with a .txt roster", "roster = \"r.txt\"\nroster_column = \"login\"", map[string]string{"r.txt": "sam\n"}, nil, []string{
			`site.toml:9:1: users.roster_column: is set, but users.roster "r.txt" is a .txt file, one username a line, which has no columns (remove roster_column, or export the roster as .csv)`,
		}},
		{"a system account", `roster = "r.txt"`, map[string]string{"r.txt": "sam\nroot\n"}, []string{"kendra", "sam", "root"}, []string{
			`r.txt:2:1: warning: users.roster: "root" is a system account, not a person's (use the person's own account)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allowed, problems := loadRosterSite(t, tc.users, tc.files)
			if diff := cmp.Diff(tc.allowed, allowed); diff != "" {
				t.Errorf("allowed users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.problems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRosterPersonalColumns: a roster with people's names or grades beside the logins gets one
// warning, naming those columns (not the login column) and the command that makes a plain list;
// a roster of logins alone gets none.
func TestRosterPersonalColumns(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"canvas gradebook", "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (4101),Current Score,Final Grade\nAda L,1,9001,ada,S1,10,90,A\n", []string{
			`r.csv:1:1: warning: users.roster: has columns with people's names or grades (Student, Homework 1 (4101), Current Score, Final Grade), which do not belong in a repository (commit only the usernames: hubgen roster r.csv > rosters/NAME.txt, then set users.roster = "rosters/NAME.txt")`,
		}},
		{"moodle participants", "First name,Last name,Email address,Roles\nAda,L,ada@college.edu,Student\n", []string{
			`r.csv:1:1: warning: users.roster: has columns with people's names or grades (First name, Last name), which do not belong in a repository (commit only the usernames: hubgen roster r.csv > rosters/NAME.txt, then set users.roster = "rosters/NAME.txt")`,
		}},
		{"many", "Username,Name,A (1),B (2),C (3),D (4)\nada,Ada,1,2,3,4\n", []string{
			`r.csv:1:1: warning: users.roster: has columns with people's names or grades (Name, A (1), B (2), C (3) and 1 more), which do not belong in a repository (commit only the usernames: hubgen roster r.csv > rosters/NAME.txt, then set users.roster = "rosters/NAME.txt")`,
		}},
		{"logins only", "Username,Section\nada,S1\n", nil},
		{"the login column is not counted", "Name\nada\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			users := `roster = "r.csv"`
			if strings.HasPrefix(tc.csv, "First name") {
				users += "\nroster_email_domain = \"college.edu\""
			}
			if tc.name == "the login column is not counted" {
				users += "\nroster_column = \"Name\""
			}
			_, problems := loadRosterSiteAll(t, users, map[string]string{"r.csv": tc.csv})
			if diff := cmp.Diff(tc.want, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRosterNumbers: a column of student numbers is refused with the fix: another column.
func TestRosterNumbers(t *testing.T) {
	_, problems := loadRosterSite(t, "roster = \"r.csv\"\nroster_column = \"SIS User ID\"", map[string]string{"r.csv": "SIS User ID,SIS Login ID\n9001,ada\n"})
	want := []string{`r.csv:2:1: users.roster: "9001" is a number, not a username (this column holds numbers, not logins: set users.roster_column to the column of usernames, one of: SIS User ID, SIS Login ID)`}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
