package schema

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPathLength is Linux's PATH_MAX less the NUL; nginx also refuses a longer token.
const maxPathLength = 4095

// validate checks every rule on the built site and reports each broken one. The rules of one
// table are in that table's file (tls.go, users.go, ...), beside their helpers; the rules any row
// implies (required, paths) are here.
func validate(c *checker) {
	for _, f := range Fields {
		if f.Required && !c.set(f.Key) && !typeErrorReported(c, f.Key) {
			c.atKey(f.Key, "missing (add %s = %s%s)", lastSegment(f.Key), f.Example, inTable(f.Key))
		}
	}
	if c.set("domain") {
		validateDomain(c, c.site.Domain)
	}
	for _, f := range Fields {
		if f.Path != NotPath && c.set(f.Key) {
			validatePath(c, f.Key, c.values[f.Key].(string), f.Path == PathReadByNginx)
		}
	}
	validateHubFiles(c)
	validateTLS(c)
	validateUserLists(c)
	validateRoster(c)
	validateAuth(c)
	validateSpawner(c)
	validateHub(c)
	validatePathCollisions(c)
	validateNginx(c)
	validateCuller(c)
	validateLimits(c)
	validateKubernetes(c)
}

// typeErrorReported tells whether key already has a problem, so a wrongly typed required key is
// not also called missing.
func typeErrorReported(c *checker, key string) bool {
	for _, p := range c.problems {
		if p.Key == key || strings.HasPrefix(p.Key, key+"[") {
			return true
		}
	}
	return false
}

func inTable(key string) string {
	if table, _, ok := strings.Cut(key, "."); ok {
		return " under [" + table + "]"
	}
	return " at the top, before any [table]"
}

func validatePath(c *checker, key, p string, nginx bool) {
	switch {
	case p == "":
		c.atValue(key, "is empty (an absolute path, like %s)", exampleOf(key))
	case len(p) > maxPathLength:
		c.atValue(key, "is %d bytes long (a path has at most %d)", len(p), maxPathLength)
	case hasControl(p):
		c.atValue(key, "%s has a control character (%s; a path is printable text)", quote(p), badRune(p, func(c rune) bool { return !unicode.IsControl(c) }))
	case !strings.HasPrefix(p, "/"):
		c.atValue(key, "%s is not absolute (start it with /, like %s)", quote(p), exampleOf(key))
	case hasDotDot(p):
		c.atValue(key, "%s has a \"..\" segment (write the path it means: %q)", quote(p), path.Clean(p))
	case path.Clean(p) != p:
		c.atValue(key, "%s is not clean (write it as %q)", quote(p), path.Clean(p))
	case nginx && strings.Contains(p, "$"):
		c.atValue(key, "%s has a \"$\", which nginx reads as a variable (rename the file or directory)", quote(p))
	}
}

func hasDotDot(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	for _, c := range s {
		if unicode.IsControl(c) || c == utf8.RuneError {
			return true
		}
	}
	return false
}

func exampleOf(key string) string {
	if f, ok := FieldByKey(key); ok {
		return f.Example
	}
	return `"/srv/jupyterhub"`
}

// quote writes a value in messages so that control characters and invisible runes show.
func quote(s string) string { return strconv.QuoteToASCII(s) }

// badRune names the first rune of s that ok refuses, and where it is.
func badRune(s string, ok func(rune) bool) string {
	n := 0
	for _, c := range s {
		n++
		if !ok(c) {
			return fmt.Sprintf("character %d is %s", n, describeRune(c))
		}
	}
	return "it is malformed"
}

func describeRune(c rune) string {
	switch {
	case c == ' ':
		return "a space"
	case c < 0x80 && unicode.IsPrint(c):
		return fmt.Sprintf("%q", c)
	default:
		return fmt.Sprintf("%s (U+%04X)", strconv.QuoteRuneToASCII(c), c)
	}
}
