package schema

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// RosterColumns are the CSV headers tried, in order, when users.roster_column is not set. Headers
// are compared after normalizeHeader, so Canvas's "SIS Login ID" is sis_login_id and Moodle's
// "Email address" is email_address.
var RosterColumns = []string{"username", "login_id", "sis_login_id", "login", "user", "email", "email_address"}

var rosterColumnList = strings.Join(RosterColumns, ", ")

// rosterEntry is one username read from a roster, with where it was written.
type rosterEntry struct {
	name      string
	line, col int
}

// roster reads one roster file into entries, collecting its problems at the file's own lines.
type roster struct {
	file        string   // the path as messages show it: the site file's directory joined with users.roster
	emailDomain string   // users.roster_email_domain, or ""
	columns     []string // a CSV roster's header, for messages; nil for a .txt roster
	// listing is set when `hubgen roster` reads the export to make the plain list: then the
	// export's names and grades are not a warning, since they are being left out.
	listing    bool
	subdomains bool // hub.user_subdomains: every name must be a DNS label
	entries    []rosterEntry
	problems   Problems
}

// validateRoster checks the roster keys and, when users.roster is set, reads the file and appends
// its users to AllowedUsers after those of users.allowed.
func validateRoster(c *checker) {
	s, set := c.site, c.set
	u := &s.Users
	ok := true
	for _, key := range []string{"users.roster_column", "users.roster_email_domain"} {
		if set(key) && !set("users.roster") {
			c.atKey(key, "is set but users.roster is not (add roster = %s, or remove this key)", exampleOf("users.roster"))
			ok = false
		}
	}
	if set("users.roster_column") && strings.TrimSpace(u.RosterColumn) == "" {
		c.atValue("users.roster_column", "is empty (the roster's header of the username column, like %s; leave it out to use the first of %s)", exampleOf("users.roster_column"), rosterColumnList)
		ok = false
	}
	if set("users.roster_email_domain") && !domainRE.MatchString(u.RosterEmailDomain) {
		c.atValue("users.roster_email_domain", "%s is not a domain name (the part after @ in the roster's addresses, lowercase, like %s)", quote(u.RosterEmailDomain), exampleOf("users.roster_email_domain"))
		ok = false
	}
	if !set("users.roster") {
		return
	}
	const key = "users.roster"
	ext := strings.ToLower(filepath.Ext(u.Roster))
	switch {
	case strings.TrimSpace(u.Roster) == "" || hasControl(u.Roster):
		c.atValue(key, "%s is not a file name (a path relative to the site file, like %s)", quote(u.Roster), exampleOf(key))
		return
	case ext != ".txt" && ext != ".csv":
		c.atValue(key, "%s is neither .txt nor .csv (export the roster as CSV, or list one username a line in a .txt file)", quote(u.Roster))
		return
	case ext == ".txt" && set("users.roster_column"):
		// Silently ignoring the column would read a file the user thinks has columns.
		c.atKey("users.roster_column", "is set, but users.roster %s is a .txt file, one username a line, which has no columns (remove roster_column, or export the roster as .csv)", quote(u.Roster))
		return
	case !ok:
		// Reading with a wrong column or domain would only repeat the same mistake on every line.
		return
	}

	file, hint := u.Roster, ""
	if !filepath.IsAbs(file) {
		file, hint = filepath.Join(s.Dir, file), "the path is relative to the site file"
	}
	data, err := os.ReadFile(file)
	if err != nil {
		c.report(c.pos.valueRange(key), key, SeverityError, message{summary: fmt.Sprintf("cannot read %s: %s", file, readError(err)), fix: hint})
		return
	}
	ro := &roster{file: file, emailDomain: u.RosterEmailDomain, subdomains: s.Hub.UserSubdomains}
	if !ro.checkEncoding(data) {
		c.problems = append(c.problems, ro.problems...)
		return
	}
	read := true
	if ext == ".csv" {
		read = ro.readCSV(data, u.RosterColumn, func(msg string) { c.atValue("users.roster_column", "%s", msg) })
	} else {
		ro.readText(data)
	}
	c.problems = append(c.problems, ro.problems...)
	u.AllowedUsers = mergeRoster(c, file, u.AllowedUsers, ro.entries)
	if read && len(ro.entries) == 0 && len(ro.problems.Errors()) == 0 {
		c.problems = append(c.problems, newProblem(file, point(Position{Line: 1, Col: 1}), key, SeverityWarning,
			messagef("has no users (export the roster again, or remove users.roster)")))
	}
}

// readError is err without the path, which the message already names.
func readError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// mergeRoster returns allowed followed by the roster's users that are not already in it. A name
// given twice is a warning: the course still works, but someone's list has a mistake.
func mergeRoster(c *checker, file string, allowed []string, entries []rosterEntry) []string {
	inAllowed := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		inAllowed[a] = true
	}
	firstLine := make(map[string]int, len(entries))
	merged := make([]string, len(allowed), len(allowed)+len(entries))
	copy(merged, allowed)
	for _, e := range entries {
		switch line, dup := firstLine[e.name]; {
		case dup:
			c.problems = append(c.problems, e.problem(file, SeverityWarning, messagef("%q is listed twice (line %d has it too)", e.name, line)))
		case inAllowed[e.name]:
			firstLine[e.name] = e.line
			c.problems = append(c.problems, e.problem(file, SeverityWarning, messagef("%q is also in users.allowed (keep one)", e.name)))
		default:
			firstLine[e.name] = e.line
			merged = append(merged, e.name)
		}
	}
	return merged
}

// problem is a problem with the roster's entry e, in the roster's file.
func (e rosterEntry) problem(file string, sev Severity, m message) Problem {
	return newProblem(file, point(Position{Line: e.line, Col: e.col}), "users.roster", sev, m)
}

// problem reports a problem in the roster at line and col; format reads "what is wrong (what
// would be right)".
func (ro *roster) problem(line, col int, format string, args ...any) {
	ro.report(line, col, SeverityError, messagef(format, args...))
}

func (ro *roster) warn(line, col int, format string, args ...any) {
	ro.report(line, col, SeverityWarning, messagef(format, args...))
}

func (ro *roster) report(line, col int, sev Severity, m message) {
	ro.problems = append(ro.problems, rosterEntry{line: line, col: col}.problem(ro.file, sev, m))
}

// add checks one roster value, trimmed and lowercased as the course's systems write usernames in
// any case, and keeps it when it is a username.
func (ro *roster) add(value string, line, col int) {
	name := strings.ToLower(strings.TrimSpace(value))
	if at := strings.LastIndexByte(name, '@'); at >= 0 {
		domain := name[at+1:]
		switch {
		case !domainRE.MatchString(domain):
			// No roster_email_domain could take it: do not suggest one.
			ro.problem(line, col, "%s has an @ but no domain name after it (a username like \"kendra\", or an address like \"kendra@college.edu\")", quote(name))
			return
		case ro.emailDomain == "":
			ro.problem(line, col, "%s is an email address (set users.roster_email_domain = %q to use the name before the @)", quote(name), domain)
			return
		case domain != ro.emailDomain:
			ro.problem(line, col, "%s is not an address at %s (users.roster_email_domain; give this person a login at %s, or remove the line)", quote(name), ro.emailDomain, ro.emailDomain)
			return
		}
		name = name[:at]
	}
	if m := usernameProblem(name); m.summary != "" {
		if isNumber(name) && ro.columns != nil {
			// A column of student numbers, not logins: the fix is another column.
			set := "set users.roster_column to"
			if ro.listing {
				set = "give --column"
			}
			m.fix = "this column holds numbers, not logins: " + set + " the column of usernames, one of: " + strings.Join(ro.columns, ", ")
		}
		ro.report(line, col, SeverityError, m)
		return
	}
	if m := hostLabelProblem(name, ro.subdomains); m.summary != "" {
		ro.report(line, col, SeverityError, m)
		return
	}
	if systemAccounts[name] {
		ro.warn(line, col, "%q is a system account, not a person's (use the person's own account)", name)
	}
	ro.entries = append(ro.entries, rosterEntry{name: name, line: line, col: col})
}

// checkEncoding reports a roster that is not UTF-8 text, and tells whether it is. Excel's
// "Unicode Text" and some exports write UTF-16, whose NULs and raw bytes would otherwise reach the
// terminal in messages.
func (ro *roster) checkEncoding(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.IndexByte(data, 0) >= 0 {
		ro.problem(1, 1, "is not UTF-8 but UTF-16 (save it as \"CSV UTF-8\" from the spreadsheet)")
		return false
	}
	if utf8.Valid(data) {
		return true // the common case, at memory speed; invalidUTF8 finds where only on failure
	}
	if i := invalidUTF8(data); i >= 0 {
		p := offsetPosition(data, i)
		ro.problem(p.Line, p.Col, "byte 0x%02x is not UTF-8 (save it as \"CSV UTF-8\" from the spreadsheet)", data[i])
		return false
	}
	return true
}

// csvDelimiter is the field separator of a CSV roster: spreadsheets in many European locales
// export with ";", and "Unicode Text" exports use tabs. The header row decides: the separator it
// has most of, outside quotes, with "," on a tie.
func csvDelimiter(data []byte) rune {
	header, _, _ := bytes.Cut(data, []byte("\n"))
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(header) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// readText reads one username a line; "#" starts a comment, and blank lines are skipped.
func (ro *roster) readText(data []byte) {
	text := string(bytes.TrimPrefix(data, utf8BOM))
	for line := 1; text != ""; line++ {
		var l string
		l, text, _ = strings.Cut(text, "\n")
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		trimmed := strings.TrimLeft(l, " \t")
		if strings.TrimSpace(trimmed) == "" {
			continue
		}
		ro.add(trimmed, line, len(l)-len(trimmed)+1)
	}
}

// utf8BOM starts the CSV files that Excel's "CSV UTF-8" and other exports write.
var utf8BOM = []byte("\xef\xbb\xbf")

// normalizeHeader makes "SIS Login ID", "sis_login_id" and "SIS-Login-ID" the same header.
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' {
			return '_'
		}
		return c
	}, h)
}

// readCSV reads a CSV roster with a header row. column is users.roster_column, or "" to pick the
// first of RosterColumns the header has; missingColumn reports a column the header lacks, where
// the column was given. It tells whether it got past the header.
func (ro *roster) readCSV(data []byte, column string, missingColumn func(string)) bool {
	data = bytes.TrimPrefix(data, utf8BOM)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = csvDelimiter(data)
	cr.FieldsPerRecord = -1 // exports pad rows differently; only the username column must be there
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		ro.problem(1, 1, "is empty (a header row, then one person a row)")
		return false
	}
	if err != nil {
		ro.csvError(err)
		return false
	}
	var names []string
	index := map[string]int{}
	for i, h := range header {
		names = append(names, strings.TrimSpace(h))
		if _, dup := index[normalizeHeader(h)]; !dup {
			index[normalizeHeader(h)] = i
		}
	}
	col := -1
	if column != "" {
		i, found := index[normalizeHeader(column)]
		if !found {
			missingColumn(fmt.Sprintf("%s is not a column of %s (its columns: %s)", quote(column), ro.file, strings.Join(names, ", ")))
			return false
		}
		col = i
	} else {
		for _, c := range RosterColumns {
			if i, found := index[c]; found {
				col = i
				break
			}
		}
		if col < 0 {
			ro.problem(1, 1, "has no username column (none of %s; set users.roster_column to one of: %s)", rosterColumnList, strings.Join(names, ", "))
			return false
		}
	}
	colName := names[col]
	ro.columns = names
	if !ro.listing {
		ro.warnPersonalColumns(names, col)
	}

	for {
		record, err := cr.Read()
		if err == io.EOF {
			return true
		}
		if err != nil {
			ro.csvError(err)
			return true
		}
		line, _ := cr.FieldPos(0)
		if col >= len(record) {
			ro.problem(line, 1, "has %d fields, so no %s (field %d of the header)", len(record), colName, col+1)
			continue
		}
		value := record[col]
		if strings.TrimSpace(value) == "" {
			first := strings.TrimSpace(record[0])
			// Canvas's gradebook export puts "Points Possible" (and, with manual posting, a row
			// with an empty first cell) under the header: they are not people.
			if first == "" || first == "Points Possible" {
				continue
			}
			_, c := cr.FieldPos(col)
			ro.warn(line, c, "%s has no %s (skipped: this person cannot log in)", quote(first), colName)
			continue
		}
		_, c := cr.FieldPos(col)
		ro.add(value, line, c)
	}
}

// warnPersonalColumns warns about a roster that holds more than logins: people's names, grades or
// scores, as Canvas's "Export Entire Gradebook" and Moodle's participants table do. The roster is
// committed beside the site file, often to a repository others can read, so hubgen points at the
// plain list `hubgen roster` makes from it. col is the username column, which is not counted.
func (ro *roster) warnPersonalColumns(names []string, col int) {
	var personal []string
	for i, h := range names {
		if i != col && personalColumn(h) {
			personal = append(personal, h)
		}
	}
	if len(personal) == 0 {
		return
	}
	const most = 4
	shown := strings.Join(personal[:min(len(personal), most)], ", ")
	if len(personal) > most {
		shown += fmt.Sprintf(" and %d more", len(personal)-most)
	}
	ro.warn(1, 1, "has columns with people's names or grades (%s), which do not belong in a repository (commit only the usernames: hubgen roster %s > rosters/NAME.txt, then set users.roster = \"rosters/NAME.txt\")",
		shown, ro.file)
}

// personalColumn tells whether a CSV header names a column of people's names or of grades.
// Canvas's gradebook has "Student", scores and "Final Grade", and one column per assignment named
// "Title (ID)"; Moodle's participants table has "First name" and "Last name".
func personalColumn(header string) bool {
	h := normalizeHeader(header)
	switch h {
	case "student", "name", "first_name", "last_name", "firstname", "lastname", "surname",
		"given_name", "family_name", "full_name", "fullname", "display_name", "sortable_name", "preferred_name":
		return true
	}
	for _, word := range []string{"score", "grade", "points", "mark", "percent"} {
		if strings.Contains(h, word) {
			return true
		}
	}
	return canvasAssignmentRE.MatchString(strings.TrimSpace(header))
}

// canvasAssignmentRE is a Canvas gradebook's assignment column: "Homework 1 (123456)".
var canvasAssignmentRE = regexp.MustCompile(`\(\d+\)$`)

// ReadRoster reads a roster file as users.roster does, with users.roster_column (column, or ""
// for the first of RosterColumns) and users.roster_email_domain (emailDomain, or ""), and returns
// its usernames in file order, each once, and its problems (warnings included) at the roster's
// own lines. It is for `hubgen roster`, which turns an export into the plain list to commit.
func ReadRoster(file, column, emailDomain string) ([]string, Problems, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	ro := &roster{file: file, emailDomain: emailDomain, listing: true}
	if ro.checkEncoding(data) {
		switch strings.ToLower(filepath.Ext(file)) {
		case ".csv":
			ro.readCSV(data, column, func(msg string) { ro.problem(1, 1, "%s", msg) })
		default:
			if column != "" {
				ro.problem(1, 1, "is not a .csv file, so it has no column %s (one username a line has no columns)", quote(column))
			} else {
				ro.readText(data)
			}
		}
	}
	seen := map[string]int{}
	var names []string
	for _, e := range ro.entries {
		if line, dup := seen[e.name]; dup {
			ro.problems = append(ro.problems, e.problem(file, SeverityWarning, messagef("%q is listed twice (line %d has it too)", e.name, line)))
			continue
		}
		seen[e.name] = e.line
		names = append(names, e.name)
	}
	sort.SliceStable(ro.problems, func(i, j int) bool { return ro.problems[i].Start.Line < ro.problems[j].Start.Line })
	return names, ro.problems, nil
}

// csvError reports a CSV syntax error where encoding/csv found it.
func (ro *roster) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		where := ""
		if pe.StartLine != pe.Line {
			// An unclosed quote runs on to a later line; the mistake is usually where it opened.
			where = fmt.Sprintf(" in the row that starts on line %d", pe.StartLine)
		}
		ro.problem(pe.Line, max(pe.Column, 1), "not CSV: %v%s (save the roster as CSV again from the spreadsheet)", pe.Err, where)
		return
	}
	ro.problem(1, 1, "cannot read: %v", err)
}
