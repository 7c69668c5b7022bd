package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/schema"
)

// TestJSONSchemaGolden keeps the printed schema under review: `go test ./schema -update`
// rewrites testdata/site.schema.json.
func TestJSONSchemaGolden(t *testing.T) {
	golden.Check(t, filepath.Join("testdata", "site.schema.json"), schema.JSONSchema())
}

// TestJSONSchemaHasEveryField: every key of Fields is in the schema with its documentation, and
// nothing else is, so an editor knows exactly the keys hubgen does.
func TestJSONSchemaHasEveryField(t *testing.T) {
	root := loadJSONSchema(t)
	var got, want []string
	props := root["properties"].(map[string]any)
	for name, p := range props {
		p := p.(map[string]any)
		if p["type"] != "object" {
			got = append(got, name)
			continue
		}
		for key, sub := range p["properties"].(map[string]any) {
			got = append(got, name+"."+key)
			f, _ := schema.FieldByKey(name + "." + key)
			if d, _ := sub.(map[string]any)["description"].(string); !strings.HasPrefix(d, f.Doc) {
				t.Errorf("%s.%s: description %q does not start with Field.Doc %q", name, key, d, f.Doc)
			}
		}
	}
	for _, f := range schema.Fields {
		want = append(want, f.Key)
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema keys (-Fields +schema):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"domain", "tls", "users", "spawner"}, root["required"]); diff != "" {
		t.Errorf("required at the top (-want +got):\n%s", diff)
	}
}

func loadJSONSchema(t testing.TB) map[string]any {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(schema.JSONSchema(), &root); err != nil {
		t.Fatalf("JSONSchema() is not JSON: %v", err)
	}
	return root
}

// knownLimits are the site files on which the schema and hubgen validate disagree, each for a rule
// JSON Schema cannot express. The test requires them to disagree, so that a limit lifted is
// noticed and removed from here.
var knownLimits = map[string]string{
	"culler-max-age-overflow":         "a duration of at most 366 days: a sum of units a pattern cannot bound",
	"limits-cpu-nan":                  "TOML's nan has no JSON form, so no schema keyword can refuse it",
	"limits-local-spawner":            "per-user limits need spawner.kind = \"systemd\": a rule across tables",
	"port-clash":                      "every port must be different: a rule across keys",
	"secret-files-shared":             "the two secret files must differ: a rule across keys",
	"roster-missing-file":             "the roster file must exist and hold usernames: a rule about another file",
	"resolver-ipv6-invalid":           "IPv6 addresses are only checked for their characters",
	"port-float":                      "JSON Schema counts 8000.0 as an integer; TOML and hubgen do not",
	"path-long-in-bytes":              "paths are limited in bytes, JSON Schema's maxLength counts characters",
	"cmd-program-directory-newline":   "without hub.executable, spawner.cmd[0]'s directory holds jupyterhub: a rule across keys",
	"cmd-program-directory-dollar":    "without hub.executable, spawner.cmd[0]'s directory holds jupyterhub: a rule across keys",
	"spawner-cmd-backslash-directory": "without hub.executable, spawner.cmd[0]'s directory holds jupyterhub: a rule across keys",
	"auth-pam-with-client-id":         "which [auth] keys a login type reads, and what oidc and github need: rules across keys",
	"kubernetes-secret-without-name":  "tls = \"secret\" needs tls_secret: a rule across keys",
}

// schemaCases are site files beyond the examples and testdata/bad, for the rules and shapes those
// do not reach. Each is a small change to minimalSite.
var schemaCases = []struct {
	name, toml string
	valid      bool // what hubgen says, checked too, so each case tests what its name says
}{
	{"init-like-every-key", everyKeySite, true},
	{"kubernetes-secret-without-name", minimalSite + "[kubernetes]\ntls = \"secret\"\n", false},
	{"kubernetes-secret-name-uppercase", minimalSite + "[kubernetes]\ntls = \"secret\"\ntls_secret = \"Hub-TLS\"\n", false},
	{"kubernetes-contact-email", minimalSite + "[kubernetes]\nletsencrypt_contact_email = \"hub-admins@example.edu\"\n", true},
	{"admin-duplicate", strings.Replace(minimalSite, `admin = ["prof"]`, `admin = ["prof", "prof"]`, 1), false},
	{"allowed-empty", strings.Replace(minimalSite, `admin = ["prof"]`, `admin = ["prof"]`+"\nallowed = []", 1), true},
	{"cmd-string", strings.Replace(minimalSite, `cmd = ["/opt/conda/bin/jupyterhub-singleuser"]`, `cmd = "/usr/bin/jupyterhub-singleuser"`, 1), true},
	{"cmd-empty-string", strings.Replace(minimalSite, `cmd = ["/opt/conda/bin/jupyterhub-singleuser"]`, `cmd = ""`, 1), false},
	{"cmd-empty-program", strings.Replace(minimalSite, `cmd = ["/opt/conda/bin/jupyterhub-singleuser"]`, `cmd = ["", "--debug"]`, 1), false},
	{"cmd-nul", strings.Replace(minimalSite, `cmd = ["/opt/conda/bin/jupyterhub-singleuser"]`, `cmd = ["/bin/x", "a\u0000b"]`, 1), false},
	{"cmd-args", strings.Replace(minimalSite, `cmd = ["/opt/conda/bin/jupyterhub-singleuser"]`, `cmd = ["/bin/x", "", "--debug"]`, 1), true},
	{"missing-users-table", strings.Replace(minimalSite, "[users]\nadmin = [\"prof\"]\n", "", 1), false},
	{"tls-not-a-table", strings.Replace(minimalSite, "[tls]\n", "tls = 1\n[x]\n", 1), false},
	{"hub-port-string", minimalSite + "[hub]\nport = \"8000\"\n", false},
	{"hsts-false", strings.Replace(minimalSite, "[tls]\n", "[tls]\nhsts = false\n", 1), true},
	{"notebook-dir-empty", strings.Replace(minimalSite, "[spawner]\n", "[spawner]\nnotebook_dir = \"\"\n", 1), false},
	{"state-dir-trailing-slash", minimalSite + "[hub]\nstate_dir = \"/srv/hub/\"\n", false},
	{"executable-dollar-in-name", minimalSite + "[hub]\nexecutable = \"/opt/x/jupyter$hub\"\n", true},
	{"executable-dollar-in-directory", minimalSite + "[hub]\nexecutable = \"/opt/$x/jupyterhub\"\n", false},
	{"state-dir-trailing-backslash", minimalSite + "[hub]\nstate_dir = '/srv/hub\\'\n", false},
	{"pid-dot-segment", minimalSite + "[nginx]\npid = \"/run/./nginx.pid\"\n", false},
	{"nginx-version-new", minimalSite + "[nginx]\nversion = \"1.27\"\n", true},
	{"nginx-version-leading-zero", minimalSite + "[nginx]\nversion = \"1.018\"\n", true},
	{"nginx-user-dot", minimalSite + "[nginx]\nuser = \"www.data\"\n", false},
	{"ipv6-string", minimalSite + "[nginx]\nipv6 = \"no\"\n", false},
	{"resolver-ipv6", strings.Replace(minimalSite, "[tls]\n", "[tls]\nresolvers = [\"2620:fe::fe\", \"::1\"]\n", 1), true},
	{"resolver-ipv4-leading-zero", strings.Replace(minimalSite, "[tls]\n", "[tls]\nresolvers = [\"127.0.0.053\"]\n", 1), false},
	{"resolver-ipv6-invalid", strings.Replace(minimalSite, "[tls]\n", "[tls]\nresolvers = [\":::\"]\n", 1), false},
	{"roster-column-alone", strings.Replace(minimalSite, `admin = ["prof"]`, `admin = ["prof"]`+"\nroster_column = \"Username\"", 1), false},
	{"roster-email-domain-alone", strings.Replace(minimalSite, `admin = ["prof"]`, `admin = ["prof"]`+"\nroster_email_domain = \"college.edu\"", 1), false},
	{"roster-xlsx", strings.Replace(minimalSite, `admin = ["prof"]`, `admin = ["prof"]`+"\nroster = \"r.xlsx\"", 1), false},
	{"roster-missing-file", strings.Replace(minimalSite, `admin = ["prof"]`, `admin = ["prof"]`+"\nroster = \"testdata/none.csv\"", 1), false},
	{"auth-oidc-loopback-http", minimalSite + oidcAuth("http://127.0.0.1:9000/token"), true},
	{"auth-oidc-remote-http", minimalSite + oidcAuth("http://login.example.edu/token"), false},
	{"auth-oidc-user-in-url", minimalSite + oidcAuth("https://id:secret@login.example.edu/token"), false},
	{"auth-oidc-fragment", minimalSite + oidcAuth("https://login.example.edu/token#x"), false},
	{"auth-scope-quote", minimalSite + oidcAuth("https://login.example.edu/token") + "scope = [\"open\\\"id\"]\n", false},
	{"auth-github-team", minimalSite + "[auth]\ntype = \"github\"\nclient_id = \"abc\"\nallowed_organizations = [\"engr:ta-team\"]\n", true},
	{"auth-github-org-space", minimalSite + "[auth]\ntype = \"github\"\nclient_id = \"abc\"\nallowed_organizations = [\"engr 101\"]\n", false},
	{"auth-lti13", minimalSite + lti13Auth("https://canvas.instructure.com"), true},
	{"auth-lti13-loopback-http", minimalSite + lti13Auth("http://127.0.0.1:9000"), true},
	{"auth-lti13-issuer-query", minimalSite + lti13Auth("https://canvas.instructure.com/?a=b"), false},
	{"auth-lti13-issuer-remote-http", minimalSite + lti13Auth("http://canvas.instructure.com"), false},
	{"auth-client-id-space", minimalSite + "[auth]\ntype = \"github\"\nclient_id = \"a b\"\n", false},
	{"port-float", minimalSite + "[hub]\nport = 8000.0\n", false},
	{"path-long", minimalSite + "[hub]\nexecutable = \"/" + strings.Repeat("a", 4095) + "\"\n", false},
	{"path-longest", minimalSite + "[hub]\nexecutable = \"/" + strings.Repeat("a", 4094) + "\"\n", true},
	{"path-long-in-bytes", minimalSite + "[hub]\nexecutable = \"/" + strings.Repeat("é", 2048) + "\"\n", false},
	{"date-value", "domain = 2027-01-15\n" + strings.SplitN(minimalSite, "\n", 2)[1], false},
	{"array-of-tables", minimalSite + "[[nginx]]\nuser = \"nginx\"\n", false},
	{"limits-local-spawner", minimalSite + "[limits]\nmemory = \"2G\"\n", false},
	{"limits-systemd-spawner", strings.Replace(minimalSite, "[spawner]\n", "[spawner]\nkind = \"systemd\"\n", 1) + "[limits]\nmemory = \"2G\"\ncpu = 2\n", true},
	{"culler-durations", minimalSite + "[culler]\ntimeout = \"1h30m\"\ninterval = \"90s\"\nmax_age = \"2d\"\nkernel_timeout = \"20m\"\n", true},
	{"culler-duration-words", minimalSite + "[culler]\ntimeout = \"1 hour\"\n", false},
}

const minimalSite = `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
[users]
admin = ["prof"]
[spawner]
cmd = ["/opt/conda/bin/jupyterhub-singleuser"]
`

// everyKeySite sets every key of Fields to its example, as uncommenting all of `hubgen init`
// would, except the roster's, whose file the schema cannot see, and the [auth] keys of login
// types other than the example's "oidc".
var everyKeySite = func() string {
	var b strings.Builder
	table := ""
	for _, f := range schema.Fields {
		if strings.HasPrefix(f.Key, "users.roster") || f.Key == "auth.allowed_organizations" || f.Key == "kubernetes.tls_secret" ||
			f.Key == "auth.issuer" || f.Key == "auth.jwks_url" || f.Key == "auth.deployment_ids" {
			continue
		}
		t, name, ok := strings.Cut(f.Key, ".")
		if !ok {
			name = f.Key
			t = ""
		}
		if t != table {
			table = t
			fmt.Fprintf(&b, "[%s]\n", t)
		}
		fmt.Fprintf(&b, "%s = %s\n", name, f.Example)
	}
	return b.String()
}()

// agreementFiles are every site file the agreement test reads: the examples, the bad files of the
// validation tests, the hostile inputs, the files `hubgen init` writes, and schemaCases.
func agreementFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, glob := range []string{"../examples/*.toml", "testdata/bad/*.toml", "../cmd/hubgen/testdata/init/*.toml"} {
		paths, err := filepath.Glob(glob)
		if err != nil || len(paths) == 0 {
			t.Fatalf("no site files match %s (%v)", glob, err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[p] = data
		}
	}
	for _, c := range schemaCases {
		files[c.name] = []byte(c.toml)
	}
	for _, c := range hostileCases {
		files["hostile/"+c.name] = []byte(c.site)
	}
	return files
}

var patterns = map[string]*regexp.Regexp{}

// compiled compiles a schema's pattern with Go's RE2, as taplo's Rust regex would read it.
func compiled(pattern string) *regexp.Regexp {
	re, ok := patterns[pattern]
	if !ok {
		re = regexp.MustCompile(pattern)
		patterns[pattern] = re
	}
	return re
}

// TestJSONSchemaAgreesWithValidate: for every site file the tests know, a document the schema
// accepts is one hubgen validate accepts, and the other way round, except knownLimits. Files that
// hubgen refuses while decoding (syntax errors, invalid UTF-8, deep nesting) never reach a schema.
func TestJSONSchemaAgreesWithValidate(t *testing.T) {
	root := loadJSONSchema(t)
	checkedBad, checkedGood := 0, 0
	for name, data := range agreementFiles(t) {
		t.Run(name, func(t *testing.T) {
			path := name
			if !strings.HasSuffix(name, ".toml") {
				path = filepath.Join("testdata", name+".toml") // rosters resolve against testdata/
			}
			_, err := schema.Parse(path, data)
			var problems schema.Problems
			if err != nil && !errors.As(err, &problems) {
				t.Fatal(err)
			}
			hubgenOK := err == nil
			for _, c := range schemaCases {
				if c.name == name && c.valid != hubgenOK {
					t.Errorf("hubgen says valid=%v, the case says %v: %v", hubgenOK, c.valid, err)
				}
			}

			// A file hubgen refused before or while decoding never reaches a schema either; some
			// (100,000 nested tables) would take the decoder minutes, which is why hubgen refuses
			// them first.
			if notDecoded(problems) {
				return
			}
			var doc map[string]any
			if _, derr := toml.Decode(string(data), &doc); derr != nil || !utf8.Valid(data) {
				t.Errorf("not TOML (%v), yet hubgen decoded it: %v", derr, err)
				return
			}
			schemaErrs := validateJSONSchema(t, root, doc, "")
			schemaOK := len(schemaErrs) == 0
			base := strings.TrimSuffix(filepath.Base(name), ".toml")
			if why, limited := knownLimits[base]; limited {
				if schemaOK == hubgenOK {
					t.Errorf("listed in knownLimits (%s) but the schema and hubgen agree: remove it", why)
				}
				return
			}
			if schemaOK != hubgenOK {
				t.Errorf("schema says valid=%v %v; hubgen says valid=%v:\n%v", schemaOK, schemaErrs, hubgenOK, err)
			}
			if hubgenOK {
				checkedGood++
			} else {
				checkedBad++
			}
		})
	}
	if checkedGood < 8 || checkedBad < 40 {
		t.Errorf("compared %d valid and %d invalid files; the corpus is smaller than it should be", checkedGood, checkedBad)
	}
}

// notDecoded tells whether hubgen stopped at decoding: a syntax error, bytes that are not UTF-8,
// nesting too deep. Those are its only problems, since it stops there.
func notDecoded(problems schema.Problems) bool {
	for _, p := range problems {
		if p.Key == "toml" || strings.HasPrefix(p.Message(), "syntax error") || strings.HasPrefix(p.Message(), "cannot decode") {
			return true
		}
	}
	return false
}

// TestJSONSchemaRulesAgree throws many generated values at each key with a pattern and checks
// that the key's schema and the validator accept the same ones: the patterns written for the
// schema (clean paths, base URLs, nginx versions) against the code they stand for.
func TestJSONSchemaRulesAgree(t *testing.T) {
	root := loadJSONSchema(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const pathRunes = "/./a/b$?#% \\\x00\n\x7f\u0085\ufffdé"
	alphabets := map[string]string{
		"domain":                     "ab0-.A_/:é",
		"tls.cert":                   pathRunes,
		"tls.dhparam":                pathRunes,
		"users.allowed":              "aab_0.-A é",
		"users.roster":               "r./txtcsvTXCSx\n\u0085 ",
		"users.roster_column":        "Ab \t\u00a0\u2028\u3000",
		"users.roster_email_domain":  "ab0-.A_@",
		"spawner.cmd":                "/a\x00 ",
		"spawner.default_url":        "/a \t\u00a0\u2028\x00\u0085\ufffd",
		"spawner.notebook_dir":       "~/a \x01\u0085\ufffd",
		"hub.base_url":               "/./aZ~-_{ é",
		"hub.state_dir":              pathRunes,
		"hub.executable":             pathRunes,
		"nginx.client_max_body_size": "01mMkg x",
		"nginx.version":              "1.0289a",
		"nginx.user":                 "aw_-0.A",
		"nginx.pid":                  pathRunes,
	}
	for key, alphabet := range alphabets {
		runes := []rune(alphabet)
		values := []string{""}
		for range 400 {
			var b strings.Builder
			for range rng.IntN(12) {
				b.WriteRune(runes[rng.IntN(len(runes))])
			}
			values = append(values, b.String())
		}
		if key == "nginx.version" {
			for minor := range 1000 {
				values = append(values, fmt.Sprintf("1.%d", minor), fmt.Sprintf("1.%02d", minor), fmt.Sprintf("1.%03d", minor))
			}
			values = append(values, "1.22.1", "1.25.10", "1.27.999", "1.27.1000", "1.22.", "2.0", "1.22.1.1")
		}
		if key == "nginx.client_max_body_size" {
			// Either side of nginx's limit for each suffix, and the numbers near it.
			for _, suffix := range []string{"", "k", "K", "m", "g", "G"} {
				shift := map[string]uint{"": 0, "k": 10, "K": 10, "m": 20, "g": 30, "G": 30}[suffix]
				limit := uint64(math.MaxInt64) >> shift // nginx's off_t, scaled
				for _, n := range []uint64{limit - 1, limit, limit + 1, limit * 10, limit / 10 * 9} {
					values = append(values, fmt.Sprint(n)+suffix, "000"+fmt.Sprint(n)+suffix)
				}
				values = append(values, "99999999999999999999"+suffix, "0"+suffix, "00"+suffix)
			}
		}
		disagree := 0
		for _, v := range values {
			schemaOK, hubgenOK := keyVerdicts(t, root, key, v)
			if schemaOK != hubgenOK && disagree < 5 {
				disagree++
				t.Errorf("%s = %q: schema says valid=%v, hubgen says valid=%v", key, v, schemaOK, hubgenOK)
			}
		}
	}
}

// keyVerdicts sets key to value in minimalSite and returns whether the key's schema accepts the
// value and whether hubgen reports no problem with the key itself.
func keyVerdicts(t *testing.T, root map[string]any, key, value string) (schemaOK, hubgenOK bool) {
	var doc map[string]any
	if _, err := toml.Decode(minimalSite, &doc); err != nil {
		t.Fatal(err)
	}
	var v any = value
	if key == "users.allowed" {
		v = []any{value}
	}
	parent, name := doc, key
	if table, k, ok := strings.Cut(key, "."); ok {
		if doc[table] == nil {
			doc[table] = map[string]any{}
		}
		parent, name = doc[table].(map[string]any), k
	}
	parent[name] = v
	if strings.HasPrefix(key, "users.roster_") {
		doc["users"].(map[string]any)["roster"] = "none.csv"
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		t.Fatal(err)
	}
	_, err := schema.Parse("site.toml", b.Bytes())
	var problems schema.Problems
	if err != nil && !errors.As(err, &problems) {
		t.Fatal(err)
	}
	hubgenOK = true
	for _, p := range problems.Errors() {
		// Whether the roster file can be read is not the path's rule; see knownLimits.
		if (p.Key == key || strings.HasPrefix(p.Key, key+"[")) && !strings.HasPrefix(p.Message(), "cannot read") {
			hubgenOK = false
		}
	}
	props := root["properties"].(map[string]any)
	if table, _, ok := strings.Cut(key, "."); ok {
		props = props[table].(map[string]any)["properties"].(map[string]any)
	}
	sub := props[name].(map[string]any)
	return len(validateJSONSchema(t, sub, v, key)) == 0, hubgenOK
}

// validateJSONSchema checks value against schema for the keywords JSONSchema emits, and fails the
// test on any other keyword, so that the schema cannot grow a rule this test does not check.
func validateJSONSchema(t testing.TB, sch map[string]any, value any, path string) []string {
	t.Helper()
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	for kw, arg := range sch {
		switch kw {
		case "$schema", "title", "description", "default", "examples":
		case "type":
			if !hasJSONType(value, arg.(string)) {
				fail("%T is not %s", value, arg)
			}
		case "properties":
			obj, ok := value.(map[string]any)
			if !ok {
				continue
			}
			for name, sub := range arg.(map[string]any) {
				if v, present := obj[name]; present {
					errs = append(errs, validateJSONSchema(t, sub.(map[string]any), v, path+"."+name)...)
				}
			}
		case "additionalProperties":
			obj, ok := value.(map[string]any)
			if !ok || arg.(bool) {
				continue
			}
			props, _ := sch["properties"].(map[string]any)
			for name := range obj {
				if _, known := props[name]; !known {
					fail("unknown property %q", name)
				}
			}
		case "required":
			obj, ok := value.(map[string]any)
			if !ok {
				continue
			}
			for _, name := range arg.([]any) {
				if _, present := obj[name.(string)]; !present {
					fail("missing %q", name)
				}
			}
		case "dependentRequired":
			obj, ok := value.(map[string]any)
			if !ok {
				continue
			}
			for name, needs := range arg.(map[string]any) {
				if _, present := obj[name]; !present {
					continue
				}
				for _, need := range needs.([]any) {
					if _, present := obj[need.(string)]; !present {
						fail("%q needs %q", name, need)
					}
				}
			}
		case "enum":
			found := false
			for _, e := range arg.([]any) {
				found = found || reflect.DeepEqual(e, value)
			}
			if !found {
				fail("%v is not one of %v", value, arg)
			}
		case "pattern":
			if s, ok := value.(string); ok && !compiled(arg.(string)).MatchString(s) {
				fail("%q does not match %s", s, arg)
			}
		case "minLength", "maxLength":
			s, ok := value.(string)
			if !ok {
				continue
			}
			n, limit := utf8.RuneCountInString(s), int(arg.(float64))
			if kw == "minLength" && n < limit || kw == "maxLength" && n > limit {
				fail("length %d breaks %s %d", n, kw, limit)
			}
		case "minimum", "maximum", "exclusiveMinimum":
			n, ok := jsonNumber(value)
			if !ok {
				continue
			}
			limit := arg.(float64)
			if kw == "minimum" && n < limit || kw == "maximum" && n > limit || kw == "exclusiveMinimum" && n <= limit {
				fail("%v breaks %s %v", n, kw, limit)
			}
		case "minItems":
			if list, ok := value.([]any); ok && len(list) < int(arg.(float64)) {
				fail("%d items, fewer than %v", len(list), arg)
			}
		case "uniqueItems":
			list, _ := value.([]any)
			seen := map[any]int{} // site files' lists hold strings, which are comparable
			for i, v := range list {
				if j, dup := seen[v]; dup && arg.(bool) {
					fail("items %d and %d are equal", j, i)
				}
				seen[v] = i
			}
		case "prefixItems":
			list, _ := value.([]any)
			for i, sub := range arg.([]any) {
				if i < len(list) {
					errs = append(errs, validateJSONSchema(t, sub.(map[string]any), list[i], fmt.Sprintf("%s[%d]", path, i))...)
				}
			}
		case "items":
			list, _ := value.([]any)
			prefix, _ := sch["prefixItems"].([]any)
			for i := len(prefix); i < len(list); i++ {
				errs = append(errs, validateJSONSchema(t, arg.(map[string]any), list[i], fmt.Sprintf("%s[%d]", path, i))...)
			}
		case "allOf":
			for _, sub := range arg.([]any) {
				errs = append(errs, validateJSONSchema(t, sub.(map[string]any), value, path)...)
			}
		case "anyOf":
			var all []string
			for _, sub := range arg.([]any) {
				subErrs := validateJSONSchema(t, sub.(map[string]any), value, path)
				if len(subErrs) == 0 {
					all = nil
					break
				}
				all = append(all, subErrs...)
			}
			if all != nil {
				fail("matches none of anyOf: %v", all)
			}
		default:
			t.Fatalf("%s: keyword %q is not checked by this test's validator", path, kw)
		}
	}
	return errs
}

// hasJSONType says whether a decoded TOML value is of a JSON Schema type. As JSON Schema defines
// it, an integer is any number without a fractional part, 8000.0 included.
func hasJSONType(v any, typ string) bool {
	switch v := v.(type) {
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case int64:
		return typ == "integer" || typ == "number"
	case float64:
		return typ == "number" || typ == "integer" && v == float64(int64(v))
	case []any, []map[string]any:
		return typ == "array"
	case map[string]any:
		return typ == "object"
	}
	return false // TOML dates and times have no JSON type
}

func jsonNumber(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// lti13Auth is an [auth] table for LTI 1.3 whose issuer is issuer.
func lti13Auth(issuer string) string {
	return "[auth]\ntype = \"lti13\"\nclient_id = \"10000000000001\"\nissuer = \"" + issuer + "\"\n" +
		"authorize_url = \"https://sso.canvaslms.com/api/lti/authorize_redirect\"\njwks_url = \"https://sso.canvaslms.com/api/lti/security/jwks\"\n" +
		"deployment_ids = [\"1:abc\"]\nusername_claim = \"custom_login_id\"\n"
}

// oidcAuth is an [auth] table for OIDC whose token endpoint is tokenURL.
func oidcAuth(tokenURL string) string {
	return "[auth]\ntype = \"oidc\"\nclient_id = \"hub\"\nauthorize_url = \"https://login.example.edu/authorize\"\n" +
		"token_url = \"" + tokenURL + "\"\nuserdata_url = \"https://login.example.edu/userinfo\"\n"
}
