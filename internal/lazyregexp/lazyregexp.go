// Package lazyregexp is a regular expression compiled when first used, as the Go tools' own
// internal/lazyregexp. Compiling every pattern when the program starts cost each hubgen command,
// `hubgen version` included, for patterns most commands never match.
package lazyregexp

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use; a bad pattern panics then, as
// regexp.MustCompile would have at start-up (each package's tests use all of its patterns).
type Regexp struct {
	compiled func() *regexp.Regexp
}

// New returns expr, compiled when first used.
func New(expr string) *Regexp {
	return &Regexp{sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
}

// The methods hubgen calls, as regexp.Regexp's.

func (r *Regexp) MatchString(s string) bool  { return r.compiled().MatchString(s) }
func (r *Regexp) FindString(s string) string { return r.compiled().FindString(s) }
func (r *Regexp) FindStringSubmatch(s string) []string {
	return r.compiled().FindStringSubmatch(s)
}
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.compiled().FindAllStringSubmatch(s, n)
}
