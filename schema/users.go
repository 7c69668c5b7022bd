package schema

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// UsernamePattern is what the PAM authenticator's system accounts can be called (the
	// useradd NAME_REGEX Debian ships, without the trailing "$" of machine accounts).
	UsernamePattern = `^[a-z_][a-z0-9_.-]{0,31}$`
	// MaxUsernameLength is the longest login name useradd accepts by default.
	MaxUsernameLength = 32
)

// validateUserLists checks users.admin and users.allowed; roster.go checks the roster.
func validateUserLists(c *checker) {
	s, set := c.site, c.set
	validateUsers(c, "users.admin", s.Users.AdminUsers, s.Hub.UserSubdomains)
	validateUsers(c, "users.allowed", s.Users.AllowedUsers, s.Hub.UserSubdomains)
	warnSystemAccounts(c, "users.admin", s.Users.AdminUsers)
	warnSystemAccounts(c, "users.allowed", s.Users.AllowedUsers)
	if set("users.admin") && len(s.Users.AdminUsers) == 0 {
		c.atValue("users.admin", "is empty (at least one admin, like admin = [\"peter\"])")
	}
}

func validateUsers(c *checker, key string, users []string, subdomains bool) {
	// An element's key is made only for a problem: with a roster of thousands, formatting one per
	// user cost more than checking them.
	elem := func(i int) string { return key + "[" + strconv.Itoa(i) + "]" }
	first := make(map[string]int, len(users))
	for i, u := range users {
		if m := usernameProblem(u); m.summary != "" {
			c.report(c.pos.valueRange(elem(i)), elem(i), SeverityError, m)
			continue
		}
		if m := hostLabelProblem(u, subdomains); m.summary != "" {
			c.report(c.pos.valueRange(elem(i)), elem(i), SeverityError, m)
			continue
		}
		if j, dup := first[u]; dup {
			c.atValue(elem(i), "%q is listed twice (remove this one; it is %s[%d])", u, key, j)
			continue
		}
		first[u] = i
	}
}

// hostLabelProblem says why, with hub.user_subdomains on, the username u cannot be the first
// label of its server's host name; its summary is empty when it can, or when subdomains are off.
// JupyterHub makes the label from the name, and its versions do it differently: 3.x keeps "."
// (a host two labels deep, which a *.domain certificate does not cover) and writes "_" as
// "_5f" (not a host name), 5.x replaces any name that is not already a label, or that holds
// "--", with "u-STUB--HASH". Names of lowercase letters, digits and single "-" inside are their
// own label on both, so the server's host is NAME.domain wherever the hub runs.
func hostLabelProblem(u string, subdomains bool) message {
	if !subdomains {
		return message{}
	}
	const fix = "with hub.user_subdomains each username is its server's host name NAME.domain: lowercase letters, digits and \"-\", starting with a letter, not ending in \"-\" and without \"--\"; rename the account, or set hub.user_subdomains = false"
	switch {
	case u == "":
		return message{}
	case u[0] < 'a' || u[0] > 'z':
		return messagef("%s starts with %s, which cannot start a DNS label (%s)", quote(u), describeRune(rune(u[0])), fix)
	case strings.HasSuffix(u, "-"):
		return messagef("%s ends with \"-\", which cannot end a DNS label (%s)", quote(u), fix)
	case strings.Contains(u, "--"):
		return messagef("%s has \"--\", which JupyterHub 5 replaces with a hashed host name (%s)", quote(u), fix)
	}
	if i := strings.IndexFunc(u, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') }); i >= 0 {
		return messagef("%s has %s, which a DNS label cannot hold (%s)", quote(u), describeRune(rune(u[i])), fix)
	}
	return message{}
}

// usernameProblem says what is wrong with a username; its summary is empty if nothing is.
func usernameProblem(u string) message {
	lower := strings.ToLower(u)
	switch {
	case u == "":
		return messagef("is empty (a username, like \"kendra\")")
	case lower != u && usernameOK(lower):
		return messagef("%q has an uppercase letter (usernames are lowercase: %q)", u, lower)
	case isNumber(u):
		return messagef("%s is a number, not a username (a username starts with a lowercase letter or \"_\": use the person's login name, not a student or employee number)", quote(u))
	case !usernameOK(u):
		first, _ := utf8.DecodeRuneInString(u)
		if !(first == '_' || first >= 'a' && first <= 'z') && (first < 0x80 && unicode.IsPrint(first)) {
			return messagef("%s starts with %s (a username starts with a lowercase letter or \"_\")", quote(u), describeRune(first))
		}
		if strings.IndexFunc(u, func(c rune) bool { return !usernameRune(c) }) < 0 {
			return messagef("%s is %d characters long (usernames have at most %d)", quote(u), len(u), MaxUsernameLength)
		}
		return messagef("%s is not a username (%s; use lowercase letters, digits, \"_\", \"-\" and \".\")", quote(u), badRune(u, usernameRune))
	}
	return message{}
}

// isNumber tells whether s is all ASCII digits, as a student number is.
func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// usernameOK tells whether u matches UsernamePattern. It is written out rather than a regexp
// because it runs once per user, and a roster can have tens of thousands (a third of validating
// 50,000 users went to the regexp); pattern_test.go checks that the two agree.
func usernameOK(u string) bool {
	if len(u) == 0 || len(u) > MaxUsernameLength || !(u[0] == '_' || u[0] >= 'a' && u[0] <= 'z') {
		return false
	}
	for i := 1; i < len(u); i++ {
		if !usernameRune(rune(u[i])) {
			return false
		}
	}
	return true
}

func usernameRune(c rune) bool {
	return c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// systemAccounts are the accounts Debian's base-passwd and common packages create for services
// (uid below 1000): none is a person. Logging in as one runs notebooks with its rights, and as
// root with every right on the machine.
var systemAccounts = map[string]bool{
	"root": true, "daemon": true, "bin": true, "sys": true, "sync": true, "games": true, "man": true,
	"lp": true, "mail": true, "news": true, "uucp": true, "proxy": true, "www-data": true,
	"backup": true, "list": true, "irc": true, "gnats": true, "nobody": true, "_apt": true,
	"systemd-network": true, "systemd-resolve": true, "systemd-timesync": true, "messagebus": true,
	"sshd": true, "nginx": true, "postgres": true, "mysql": true, "postfix": true, "ntp": true,
	"polkitd": true, "avahi": true, "dnsmasq": true, "statd": true, "_chrony": true, "tss": true,
	"jupyterhub": true, "adm": true, "operator": true, "halt": true, "shutdown": true,
}

// warnSystemAccounts warns about a system account among the users of key.
func warnSystemAccounts(c *checker, key string, users []string) {
	for i, u := range users {
		if !systemAccounts[u] {
			continue
		}
		elem := key + "[" + strconv.Itoa(i) + "]"
		why := "a service's account, not a person's: notebooks would run with its rights"
		if u == "root" {
			why = "the superuser: notebooks would run with every right on the machine"
		}
		c.warnAt(elem, "%q is %s (use a person's own account)", u, why)
	}
}
