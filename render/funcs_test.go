package render

import (
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/sprig/v3"

	"github.com/hubgen/hubgen/schema"
)

// impure are sprig functions whose result depends on the clock, chance, the machine or its
// network rather than on their arguments. sprig's own list (the difference between its full and
// its hermetic map) is checked as well; this one adds what that list misses.
var impure = []string{
	"now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify", "mustDateModify",
	"must_date_modify", "htmlDate", "htmlDateInZone", "ago", "toDate", "mustToDate", "unixEpoch",
	"randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt", "shuffle",
	"uuidv4", "genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert",
	"genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey", "buildCustomCert",
	"bcrypt", "htpasswd", "encryptAES", "env", "expandenv", "getHostByName",
	// Map order, and the path separator of the machine hubgen runs on.
	"keys", "values", "osBase", "osClean", "osDir", "osExt", "osIsAbs",
}

// vettedSprig are the sprig functions reviewed as pure: adding one to pureSprig means adding it
// here, in review.
var vettedSprig = []string{
	"contains", "first", "has", "hasPrefix", "hasSuffix", "indent", "join", "last", "list",
	"lower", "nindent", "repeat", "replace", "semverCompare", "sortAlpha", "splitList", "trim",
	"trimPrefix", "trimSuffix", "uniq", "upper",
}

func TestFuncsArePure(t *testing.T) {
	all := sprig.TxtFuncMap()
	hermetic := sprig.HermeticTxtFuncMap()
	for name, fn := range funcs() {
		if hubgenFunc(fn) {
			continue
		}
		if _, fromSprig := all[name]; !fromSprig {
			t.Errorf("template function %q is neither hubgen's nor sprig's", name)
		}
		if _, ok := hermetic[name]; !ok {
			t.Errorf("template function %q is on sprig's own list of non-hermetic functions", name)
		}
		if slices.Contains(impure, name) {
			t.Errorf("template function %q does not depend on its arguments alone", name)
		}
		if !slices.Contains(vettedSprig, name) {
			t.Errorf("sprig function %q is reachable from the templates but not vetted as pure", name)
		}
	}
	// The vetted names must all exist, or the list would promise functions that are not there.
	for _, name := range vettedSprig {
		if _, ok := all[name]; !ok {
			t.Errorf("vetted function %q is not in sprig", name)
		}
	}
}

// hubgenFunc tells whether fn is defined in this package: the quoting helpers.
func hubgenFunc(fn any) bool {
	name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	return strings.HasPrefix(name, "github.com/hubgen/hubgen/render.")
}

func TestHTTP2Directive(t *testing.T) {
	// nginx added "http2 on;" in 1.25.1 and deprecated "listen ... http2" there.
	for _, c := range []struct {
		version string
		on      bool
	}{
		{"1.18", false},
		{"1.22", false},
		{"1.22.1", false},
		{"1.24.0", false},
		{"1.25.0", false},
		{"1.25", true},
		{"1.25.1", true},
		{"1.25.10", true},
		{"1.26.3", true},
		{"1.100", true},
		{"2.0", true},
		{"2.0.0", true},
	} {
		l := newListen(schema.Nginx{Version: c.version, HTTPPort: 80, HTTPSPort: 443, IPv6: true})
		if l.HTTP2On != c.on {
			t.Errorf("nginx %s: http2 on is %v, want %v", c.version, l.HTTP2On, c.on)
		}
		for _, https := range l.HTTPS {
			if param := slices.Contains(https, "http2"); param == c.on {
				t.Errorf("nginx %s: listen %v has the http2 parameter %v, want %v", c.version, https, param, !c.on)
			}
		}
	}
}
