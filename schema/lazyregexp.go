package schema

import (
	"regexp"
	"sync"
)

// lazyRegexp is a regular expression compiled when first used. Compiling every pattern of the
// schema when the program starts cost each command, `hubgen version` included, more than the
// rest of its start-up; most commands match none of them.
type lazyRegexp func() *regexp.Regexp

func newLazyRegexp(expr string) lazyRegexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func (re lazyRegexp) MatchString(s string) bool { return re().MatchString(s) }

func (re lazyRegexp) FindAllStringSubmatch(s string, n int) [][]string {
	return re().FindAllStringSubmatch(s, n)
}
