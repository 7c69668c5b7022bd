package render

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hubgen/hubgen/schema"
)

// The fuzz targets check the whole path from site file to rendered text. Their seed corpora are
// the examples, the cases in testdata/fuzz/<target>/ (schema's hostile-input table writes its
// rows there with `go test ./schema -update`) and whatever a fuzzing run found. CI runs each for
// a bounded time:
//
//	go test -run='^$' -fuzz='^FuzzRender$' -fuzztime=20s ./render
//	go test -run='^$' -fuzz='^FuzzValue$' -fuzztime=20s ./render
//
// Python is checked in Go while fuzzing (tokenizePython, whose decoding TestPythonDecoderAgrees
// WithPython holds to python3's), and by python3's ast in TestRenderedPythonAssignsSiteValues over
// every seed: one python3 per batch, not per input.

// FuzzRender feeds arbitrary site files through Parse and Files.
func FuzzRender(f *testing.F) {
	for _, path := range examples(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSiteFile(t, "site.toml", data)
	})
}

// FuzzValue puts one arbitrary string into one key of an otherwise valid site, so that every
// value reaches validation and, when accepted, the templates. For list keys, "|" separates the
// elements.
func FuzzValue(f *testing.F) {
	for i, key := range valueKeys {
		f.Add(uint8(i), fuzzValueSeeds[i%len(fuzzValueSeeds)])
		f.Add(uint8(i), key)
	}
	f.Fuzz(func(t *testing.T, field uint8, value string) {
		key := valueKeys[int(field)%len(valueKeys)]
		site := checkSiteFile(t, "site.toml", siteWithValue(key, value))
		if site == nil {
			return
		}
		want := []string{value}
		if kind(key) != schema.KindString {
			want = strings.Split(value, "|")
		}
		// Durations are kept as their length: "100m" and "1h40m" are the same site.
		if d, err := schema.ParseDuration(value); err == nil && strings.HasPrefix(key, "culler.") {
			want = []string{schema.FormatDuration(d)}
		}
		if got := siteStrings(site)[key]; !equalStrings(got, want) {
			t.Errorf("%s = %q reached the site as %q", key, want, got)
		}
	})
}

var fuzzValueSeeds = []string{
	"/etc/ssl/a b.pem", `/etc/x";`, "/etc/it's", `/srv/a\b`, "/srv/x{y}#z", "/srv/\u202eevil",
	"/srv/x\ny", "~/notes", "/lab", "1.22", "100m", "www-data", "hub.example.edu", "peter|kendra",
	"/opt/a b/jupyterhub-singleuser|--debug|it's \"quoted\"", "/engr101/", "127.0.0.53|2620:fe::fe",
}

// valueKeys are the string-valued keys of site.toml, in Fields order.
var valueKeys = func() []string {
	var keys []string
	for _, f := range schema.Fields {
		if f.Kind == schema.KindString || f.Kind == schema.KindStrings || f.Kind == schema.KindCommand {
			keys = append(keys, f.Key)
		}
	}
	return keys
}()

func kind(key string) schema.Kind {
	f, _ := schema.FieldByKey(key)
	return f.Kind
}

// siteWithValue is a valid site file with key set to value (a list split on "|" for list keys).
func siteWithValue(key, value string) []byte {
	values := map[string]string{
		"domain":      `"hub.example.edu"`,
		"tls.cert":    `"/etc/ssl/hub.pem"`,
		"tls.key":     `"/etc/ssl/hub.key"`,
		"users.admin": `["prof"]`,
		"spawner.cmd": `["/usr/bin/jupyterhub-singleuser"]`,
	}
	for k, v := range authBase(key) {
		values[k] = v
	}
	if kind(key) == schema.KindString {
		values[key] = tomlString(value)
	} else {
		parts := strings.Split(value, "|")
		for i, p := range parts {
			parts[i] = tomlString(p)
		}
		values[key] = "[" + strings.Join(parts, ", ") + "]"
	}
	var b strings.Builder
	if v, ok := values["domain"]; ok {
		b.WriteString("domain = " + v + "\n")
	}
	for _, t := range schema.Tables {
		table := t.Name
		b.WriteString("\n[" + table + "]\n")
		for _, f := range schema.Fields {
			if t, name, _ := strings.Cut(f.Key, "."); t == table {
				if v, ok := values[f.Key]; ok {
					b.WriteString(name + " = " + v + "\n")
				}
			}
		}
	}
	return []byte(b.String())
}

// tomlString writes s as a TOML basic string. Bytes that are not UTF-8 are written as they are,
// so that the decoder sees them.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			b.WriteByte(s[i])
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteRune(c)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// checkSiteFile parses data and checks the property of every input: it is refused with problems
// that each name a position in the file, or it renders into files whose structure is the
// templates' with the site's values in place. It returns the site when it was accepted.
func checkSiteFile(t *testing.T, name string, data []byte) *schema.Site {
	t.Helper()
	site, err := schema.Parse(name, data)
	if err != nil {
		checkRefusal(t, name, data, err)
		return nil
	}
	checkRendered(t, site)
	if _, err := schema.Parse(name, data, schema.WithTarget(schema.TargetZ2JH)); err == nil {
		checkZ2JH(t, site)
	}
	return site
}

// z2jhTopLevel are the only top-level lines values.yaml has: a value that broke out of its string
// would start another.
var z2jhTopLevel = regexp.MustCompile(`^(?:#.*|hub:|proxy:|ingress:|singleuser:(?: \{\})?|cull:|)$`)

// checkZ2JH renders site for --target z2jh: every site that suits the target renders, into
// printable ASCII (yamlStr escapes the rest), with no top-level key but the chart's sections.
// yaml_test.go checks yamlStr itself against PyYAML; the chart test, the whole file against Helm.
func checkZ2JH(t *testing.T, site *schema.Site) {
	t.Helper()
	files, err := Files(site, WithTarget(schema.TargetZ2JH))
	if err != nil {
		t.Fatalf("suits --target z2jh but does not render: %v", err)
	}
	for i, line := range strings.Split(string(files[Z2JHValues]), "\n") {
		for _, c := range []byte(line) {
			if (c < ' ' || c > '~') && !strings.HasPrefix(line, "#") {
				t.Fatalf("%s:%d has the byte 0x%02x: %q", Z2JHValues, i+1, c, line)
			}
		}
		if !strings.HasPrefix(line, " ") && !z2jhTopLevel.MatchString(line) {
			t.Fatalf("%s:%d starts a new top-level key: %q", Z2JHValues, i+1, line)
		}
	}
}

func checkRefusal(t *testing.T, name string, data []byte, err error) {
	t.Helper()
	var problems schema.Problems
	if !errors.As(err, &problems) {
		t.Fatalf("refused with %T, not schema.Problems: %v", err, err)
	}
	if len(problems) == 0 {
		t.Fatal("refused with no problem")
	}
	lines := strings.Split(string(data), "\n")
	for _, p := range problems {
		if p.File != name || p.Key == "" || p.Message() == "" {
			t.Errorf("problem without file, key or message: %#v", p)
		}
		if p.Start.Line < 1 || p.Start.Line > len(lines) || p.Start.Col < 1 || p.Start.Col > len(lines[p.Start.Line-1])+1 {
			t.Errorf("problem at %d:%d, outside the file (%d lines): %s", p.Start.Line, p.Start.Col, len(lines), p)
		}
		// A U+FFFD the file holds may show as itself; bytes that are not UTF-8 may not.
		if !utf8.ValidString(p.String()) {
			t.Errorf("problem is not UTF-8: %q", p.String())
		}
		for _, c := range p.String() {
			if !unicode.IsPrint(c) {
				t.Errorf("problem has the unprintable rune %U, which a terminal would not show: %q", c, p.String())
				break
			}
		}
	}
}

// checkRendered renders site and a reference site whose every string is a plain placeholder, and
// compares them: nginx.conf must have exactly the reference's directives and blocks with each
// placeholder replaced by the site's value as one token; the Python config exactly its tokens with
// each string decoding to the site's value; the unit exactly its settings.
func checkRendered(t *testing.T, site *schema.Site) {
	t.Helper()
	files, err := Files(site)
	if err != nil {
		t.Fatalf("the site was accepted but does not render: %v", err)
	}
	ref, substitute := placeholderSite(site)
	refFiles, err := Files(ref)
	if err != nil {
		t.Fatalf("the placeholder site does not render: %v", err)
	}
	if len(files) != len(outputs) {
		t.Errorf("rendered %d files, want %d", len(files), len(outputs))
	}

	want, err := parseNginxConf(string(refFiles[NginxConf]))
	if err != nil {
		t.Fatalf("reference nginx.conf: %v", err)
	}
	got, err := parseNginxConf(string(files[NginxConf]))
	if err != nil {
		t.Fatalf("nginx.conf does not parse: %v\n%s", err, files[NginxConf])
	}
	for _, d := range compareNginxTrees(want, got, substitute) {
		t.Error(d)
	}

	wantPy, err := tokenizePython(string(refFiles[JupyterHubConf]))
	if err != nil {
		t.Fatalf("reference jupyterhub_config.py: %v", err)
	}
	gotPy, err := tokenizePython(string(files[JupyterHubConf]))
	if err != nil {
		t.Fatalf("jupyterhub_config.py does not tokenize: %v\n%s", err, files[JupyterHubConf])
	}
	// The username pattern is made from the users, not copied from one value, so the placeholder
	// comparison cannot hold it: it is checked by what it admits instead.
	pattern := takeUsernamePattern(t, gotPy)
	takeUsernamePattern(t, wantPy)
	checkUsernamePattern(t, pattern, AllowedUsers(site.Users))
	for _, d := range comparePythonTokens(wantPy, gotPy, substitute) {
		t.Error(d)
	}

	for _, d := range checkUnit(site, string(files[SystemdUnit]), string(refFiles[SystemdUnit])) {
		t.Error(d)
	}
}

// placeholderSite copies site with every string value replaced by a plain placeholder, equal
// values by the same one, keeping what the templates branch on (empty or not, base_url "/" or
// not, profile, version). substitute turns a reference token back into the expected one.
func placeholderSite(site *schema.Site) (*schema.Site, func(string) string) {
	byValue := map[string]string{}
	var pairs []string
	of := func(v, rendered string) string {
		if v == "" || v == "/" {
			return v
		}
		id := rendered + "\x00" + v
		if ph, ok := byValue[id]; ok {
			return ph
		}
		ph := "hubgenvalue" + strconv.Itoa(len(byValue)) + "x"
		byValue[id] = ph
		pairs = append(pairs, ph, rendered)
		return ph
	}
	str := func(p *string) { *p = of(*p, *p) }
	list := func(p *[]string) {
		l := make([]string, len(*p))
		for i, v := range *p {
			l[i] = of(v, v)
		}
		*p = l
	}
	s := *site
	str(&s.Domain)
	str(&s.TLS.Cert)
	str(&s.TLS.Key)
	str(&s.TLS.DHParam)
	str(&s.TLS.TrustedCertificate)
	resolvers := make([]string, len(s.TLS.Resolvers))
	for i, r := range s.TLS.Resolvers {
		rendered := r
		if ip, err := netip.ParseAddr(r); err == nil && ip.Is6() {
			rendered = "[" + r + "]" // nginx wants IPv6 resolvers in brackets
		}
		resolvers[i] = of(r, rendered)
	}
	s.TLS.Resolvers = resolvers
	list(&s.Users.AdminUsers)
	list(&s.Users.AllowedUsers)
	str(&s.Users.Roster)
	list(&s.Spawner.Cmd)
	str(&s.Spawner.DefaultURL)
	str(&s.Spawner.NotebookDir)
	str(&s.Hub.BaseURL)
	str(&s.Hub.StateDir)
	str(&s.Hub.CookieSecretFile)
	str(&s.Hub.ProxyAuthTokenFile)
	str(&s.Hub.Executable)
	str(&s.Nginx.ClientMaxBodySize)
	str(&s.Nginx.ACMEWebroot)
	str(&s.Nginx.User)
	str(&s.Nginx.PIDFile)
	str(&s.Auth.ClientID)
	str(&s.Auth.ClientSecretFile)
	str(&s.Auth.LoginService)
	str(&s.Auth.AuthorizeURL)
	str(&s.Auth.TokenURL)
	str(&s.Auth.UserdataURL)
	list(&s.Auth.Scope)
	str(&s.Auth.UsernameClaim)
	str(&s.Auth.EmailDomain)
	list(&s.Auth.AllowedOrganizations)
	if len(pairs) == 0 {
		return &s, func(x string) string { return x }
	}
	r := strings.NewReplacer(pairs...)
	return &s, r.Replace
}

// siteStrings returns the string values of a site by key, for comparing with what a file set.
func siteStrings(s *schema.Site) map[string][]string {
	one := func(v string) []string { return []string{v} }
	return map[string][]string{
		"domain":                               one(s.Domain),
		"tls.cert":                             one(s.TLS.Cert),
		"tls.key":                              one(s.TLS.Key),
		"tls.dhparam":                          one(s.TLS.DHParam),
		"tls.trusted_certificate":              one(s.TLS.TrustedCertificate),
		"tls.resolvers":                        s.TLS.Resolvers,
		"tls.profile":                          one(s.TLS.Profile),
		"users.admin":                          s.Users.AdminUsers,
		"users.allowed":                        s.Users.AllowedUsers,
		"users.roster":                         one(s.Users.Roster),
		"spawner.cmd":                          s.Spawner.Cmd,
		"spawner.default_url":                  one(s.Spawner.DefaultURL),
		"spawner.notebook_dir":                 one(s.Spawner.NotebookDir),
		"hub.base_url":                         one(s.Hub.BaseURL),
		"hub.state_dir":                        one(s.Hub.StateDir),
		"hub.cookie_secret_file":               one(s.Hub.CookieSecretFile),
		"hub.proxy_auth_token_file":            one(s.Hub.ProxyAuthTokenFile),
		"hub.executable":                       one(s.Hub.Executable),
		"nginx.client_max_body_size":           one(s.Nginx.ClientMaxBodySize),
		"nginx.acme_webroot":                   one(s.Nginx.ACMEWebroot),
		"nginx.version":                        one(s.Nginx.Version),
		"nginx.user":                           one(s.Nginx.User),
		"nginx.pid":                            one(s.Nginx.PIDFile),
		"spawner.kind":                         one(s.Spawner.Kind),
		"culler.timeout":                       one(schema.FormatDuration(s.Culler.Timeout)),
		"culler.interval":                      one(schema.FormatDuration(s.Culler.Interval)),
		"culler.max_age":                       one(schema.FormatDuration(s.Culler.MaxAge)),
		"culler.kernel_timeout":                one(schema.FormatDuration(s.Culler.KernelTimeout)),
		"limits.memory":                        one(s.Limits.Memory),
		"limits.hub_memory_max":                one(s.Limits.HubMemoryMax),
		"limits.hub_memory_high":               one(s.Limits.HubMemoryHigh),
		"limits.hub_tasks_max":                 one(s.Limits.HubTasksMax),
		"auth.type":                            one(s.Auth.Type),
		"auth.client_id":                       one(s.Auth.ClientID),
		"auth.client_secret_file":              one(s.Auth.ClientSecretFile),
		"auth.login_service":                   one(s.Auth.LoginService),
		"auth.authorize_url":                   one(s.Auth.AuthorizeURL),
		"auth.token_url":                       one(s.Auth.TokenURL),
		"auth.userdata_url":                    one(s.Auth.UserdataURL),
		"auth.scope":                           s.Auth.Scope,
		"auth.username_claim":                  one(s.Auth.UsernameClaim),
		"auth.email_domain":                    one(s.Auth.EmailDomain),
		"auth.allowed_organizations":           s.Auth.AllowedOrganizations,
		"auth.issuer":                          one(s.Auth.Issuer),
		"auth.jwks_url":                        one(s.Auth.JWKSURL),
		"auth.deployment_ids":                  s.Auth.DeploymentIDs,
		"kubernetes.tls":                       one(s.Kubernetes.TLS),
		"kubernetes.tls_secret":                one(s.Kubernetes.TLSSecret),
		"kubernetes.letsencrypt_contact_email": one(s.Kubernetes.LetsEncryptContactEmail),
		"kubernetes.oauth_secret":              one(s.Kubernetes.OAuthSecret),
	}
}

// authBase is the [auth] table a value for key needs to be read at all: an [auth] key counts only
// for the login types that use it, so the fuzzer puts it in a site of that type.
func authBase(key string) map[string]string {
	// The login type the key is for, from its row: OIDC when it is one of them, since it needs
	// the most keys and so checks the most.
	f, _ := schema.FieldByKey(key)
	switch {
	case f.AuthTypes == nil:
		return nil
	case slices.Equal(f.AuthTypes, []string{schema.AuthLTI13}):
		// An LTI 1.3 key is read only in a site with the platform's whole registration.
		return map[string]string{
			"auth.type":           `"lti13"`,
			"auth.client_id":      `"10000000000001"`,
			"auth.issuer":         `"https://lms.example.edu"`,
			"auth.authorize_url":  `"https://lms.example.edu/mod/lti/auth.php"`,
			"auth.jwks_url":       `"https://lms.example.edu/mod/lti/certs.php"`,
			"auth.deployment_ids": `["1"]`,
			"auth.email_domain":   `"example.edu"`,
		}
	case !slices.Contains(f.AuthTypes, schema.AuthOIDC):
		return map[string]string{"auth.type": strconv.Quote(f.AuthTypes[0]), "auth.client_id": `"hub"`}
	}
	base := map[string]string{
		"auth.type":          `"oidc"`,
		"auth.client_id":     `"hub"`,
		"auth.authorize_url": `"https://login.example.edu/authorize"`,
		"auth.token_url":     `"https://login.example.edu/token"`,
		"auth.userdata_url":  `"https://login.example.edu/userinfo"`,
	}
	if key == "auth.email_domain" {
		base["auth.username_claim"] = `"email"`
	}
	return base
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkUnit reads the unit as systemd does (systemd.syntax(7)): a line ending in "\" continues on
// the next, spaces around a value are dropped, "%%" is a percent sign; ExecStart= and
// Environment= split words with quotes and C escapes, and ExecStart= also turns "$$" into "$"
// (Environment= does not expand variables, so "$" has no special meaning there). It checks that
// the unit has the reference's settings and that the site's values come out exactly.
func checkUnit(site *schema.Site, unit, reference string) []string {
	got, err := unitSettings(unit)
	if err != nil {
		return []string{"jupyterhub.service: " + err.Error()}
	}
	want, err := unitSettings(reference)
	if err != nil {
		return []string{"reference jupyterhub.service: " + err.Error()}
	}
	var diffs []string
	if len(got) != len(want) {
		return []string{fmt.Sprintf("jupyterhub.service has settings %q, want %q", unitKeys(got), unitKeys(want))}
	}
	for i := range want {
		if got[i][0] != want[i][0] {
			diffs = append(diffs, fmt.Sprintf("jupyterhub.service: setting %d is %s, want %s", i, got[i][0], want[i][0]))
		}
	}
	if len(diffs) > 0 {
		return diffs
	}
	expect := func(key string, want []string, words bool, dollars bool) {
		for _, kv := range got {
			if kv[0] != key {
				continue
			}
			var values []string
			var err error
			if words {
				values, err = systemdWords(kv[1], dollars)
			} else {
				var v string
				v, err = systemdSpecifiers(kv[1])
				values = []string{v}
			}
			if err != nil {
				diffs = append(diffs, fmt.Sprintf("jupyterhub.service: %s=%s: %v", key, kv[1], err))
			} else if !equalStrings(values, want) {
				diffs = append(diffs, fmt.Sprintf("jupyterhub.service: %s=%s reads as %q, want %q", key, kv[1], values, want))
			}
			return
		}
		diffs = append(diffs, "jupyterhub.service: no "+key+"=")
	}
	expect("[Service]WorkingDirectory", []string{site.Hub.StateDir}, false, false)
	expect("[Service]ExecStart", []string{site.Hub.Executable, "-f", installedJupyterHubConf}, true, true)
	expect("[Service]Environment", []string{"PATH=" + filepath.Dir(site.Hub.Executable) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, true, false)
	return diffs
}

func unitKeys(settings [][2]string) []string {
	keys := make([]string, len(settings))
	for i, kv := range settings {
		keys[i] = kv[0]
	}
	return keys
}

// unitSettings returns the unit's settings in order as ["[Section]Key", value].
func unitSettings(unit string) ([][2]string, error) {
	var settings [][2]string
	section := ""
	lines := strings.Split(unit, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			next := lines[i]
			if strings.HasPrefix(next, "#") || strings.HasPrefix(next, ";") {
				continue // comments inside a continued line are skipped
			}
			line = line[:len(line)-1] + " " + next
		}
		line = strings.Trim(line, " \t\r\n")
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("bad section header %q", line)
			}
			section = line
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("line %q is not KEY=VALUE", line)
			}
			settings = append(settings, [2]string{section + strings.Trim(key, " \t"), strings.Trim(value, " \t")})
		}
	}
	return settings, nil
}

// systemdSpecifiers resolves "%%"; any other specifier would be replaced by systemd.
func systemdSpecifiers(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+1 < len(s) && s[i+1] == '%' {
				b.WriteByte('%')
				i++
				continue
			}
			return "", fmt.Errorf("specifier %q would be expanded", s[i:min(i+2, len(s))])
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// systemdWords splits a command line or environment assignment into words as systemd does.
func systemdWords(s string, dollars bool) ([]string, error) {
	s, err := systemdSpecifiers(s)
	if err != nil {
		return nil, err
	}
	var words []string
	var b strings.Builder
	inWord := false
	var quote byte
	escapes := map[byte]byte{'\\': '\\', '"': '"', '\'': '\'', 'n': '\n', 't': '\t', 'r': '\r', 'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v', 's': ' '}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("a trailing backslash")
			}
			e, ok := escapes[s[i+1]]
			if !ok {
				return nil, fmt.Errorf("escape %q is not one this test decodes", s[i:i+2])
			}
			b.WriteByte(e)
			i++
			inWord = true
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
			inWord = true
		case quote == 0 && (c == ' ' || c == '\t'):
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		case dollars && c == '$':
			if i+1 < len(s) && s[i+1] == '$' {
				b.WriteByte('$')
				i++
				inWord = true
				continue
			}
			return nil, fmt.Errorf("%q would be expanded as a variable", s[i:])
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// takeUsernamePattern returns the string assigned to c.Authenticator.username_pattern and blanks
// it in tokens.
func takeUsernamePattern(t *testing.T, tokens []pyToken) string {
	t.Helper()
	for i := 0; i+2 < len(tokens); i++ {
		if tokens[i].Text == "username_pattern" && tokens[i+1].Text == "=" && tokens[i+2].Kind == "string" {
			v := tokens[i+2].Value
			tokens[i+2].Value = ""
			return v
		}
	}
	t.Fatal("jupyterhub_config.py assigns no string to username_pattern")
	return ""
}

// checkUsernamePattern checks with Go's regexp that pattern admits exactly the users, as Python's
// re.match would: the pattern uses only literals, (?:...), | and \Z, which mean the same in both
// (Go spells \Z as \z). TestRenderedPythonAssignsSiteValues has python3 check it too.
func checkUsernamePattern(t *testing.T, pattern string, users []string) {
	t.Helper()
	goPattern, ok := strings.CutSuffix(pattern, `\Z`)
	if !ok {
		t.Fatalf("username_pattern %q does not end with \\Z: it would admit any name that starts with a listed one", pattern)
	}
	re, err := regexp.Compile(`^(?:` + goPattern + `)\z`)
	if err != nil {
		t.Fatalf("username_pattern %q: %v", pattern, err)
	}
	listed := make(map[string]bool, len(users))
	for _, u := range users {
		listed[u] = true
	}
	for _, u := range users {
		if !re.MatchString(u) {
			t.Errorf("username_pattern %.200q refuses the listed user %q", pattern, u)
		}
		for _, stranger := range []string{u + "x", u[:len(u)-1], u + "\n", "x" + u} {
			if !listed[stranger] && re.MatchString(stranger) {
				t.Errorf("username_pattern %.200q admits %q, who is not listed", pattern, stranger)
			}
		}
	}
}
