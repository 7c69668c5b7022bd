package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hubgen/hubgen/schema"
)

// pyToken is one token of Python source, as far as comparing a rendered config with a reference
// needs: strings carry their decoded value, comments are dropped, and a newline inside brackets
// is no token (Python joins those lines).
type pyToken struct {
	Kind  string // "name", "string", "op", "number", "newline", "indent"
	Text  string // the source text; for a string, its prefix and quotes without the body
	Value string // a plain string's decoded value
	Line  int
}

// tokenizePython splits Python source into tokens. It decodes string literals by Python's rules
// (checked against python3 in TestPythonDecoderAgreesWithPython), so a value that ends its string
// early or hides a quote becomes a different token stream.
func tokenizePython(src string) ([]pyToken, error) {
	var toks []pyToken
	line, depth, i := 1, 0, 0
	atLineStart := true
	for i < len(src) {
		if atLineStart && depth == 0 {
			n := 0
			for i+n < len(src) && (src[i+n] == ' ' || src[i+n] == '\t') {
				n++
			}
			rest := src[i+n:]
			if rest != "" && rest[0] != '\n' && rest[0] != '#' {
				toks = append(toks, pyToken{Kind: "indent", Text: strconv.Itoa(n), Line: line})
			}
			i += n
			atLineStart = false
			continue
		}
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 && len(toks) > 0 && toks[len(toks)-1].Kind != "newline" {
				toks = append(toks, pyToken{Kind: "newline", Line: line})
			}
			line++
			i++
			atLineStart = true
		case c == ' ' || c == '\t' || c == '\f':
			i++
		case c == '\r':
			return nil, fmt.Errorf("line %d: carriage return in the source", line)
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
		case c == '"' || c == '\'' || isPyNameStart(src[i:]):
			start := i
			for i < len(src) && isPyNameByte(src[i]) {
				i++
			}
			prefix := src[start:i]
			if i < len(src) && (src[i] == '"' || src[i] == '\'') && isPyStringPrefix(prefix) {
				tok, n, lines, err := pyString(src[i:], strings.ToLower(prefix))
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
				tok.Text = prefix + tok.Text
				tok.Line = line
				toks = append(toks, tok)
				i += n
				line += lines
				continue
			}
			toks = append(toks, pyToken{Kind: "name", Text: prefix, Line: line})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isPyNameByte(src[i]) || src[i] == '.') {
				i++
			}
			toks = append(toks, pyToken{Kind: "number", Text: src[start:i], Line: line})
		default:
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth--
			}
			toks = append(toks, pyToken{Kind: "op", Text: string(c), Line: line})
			i++
		}
	}
	return toks, nil
}

func isPyNameStart(s string) bool {
	c := s[0]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isPyNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isPyStringPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "", "r", "u", "f", "b", "rb", "br", "fr", "rf":
		return true
	}
	return false
}

// pyString reads one string literal at the start of s (after its prefix). It returns the token,
// the bytes it used and the newlines in it.
func pyString(s, prefix string) (pyToken, int, int, error) {
	quote := s[0]
	delim := s[:1]
	if strings.HasPrefix(s, strings.Repeat(delim, 3)) {
		delim = strings.Repeat(delim, 3)
	}
	raw := strings.ContainsRune(prefix, 'r')
	var b strings.Builder
	lines := 0
	i := len(delim)
	for {
		if i >= len(s) {
			return pyToken{}, 0, 0, fmt.Errorf("unterminated string")
		}
		if strings.HasPrefix(s[i:], delim) {
			break
		}
		c := s[i]
		switch {
		case c == '\n' && len(delim) == 1:
			return pyToken{}, 0, 0, fmt.Errorf("unterminated string: a line break in a %c string", quote)
		case c == '\n':
			lines++
			b.WriteByte(c)
			i++
		case c == '\\' && i+1 < len(s) && raw:
			b.WriteString(s[i : i+2])
			if s[i+1] == '\n' {
				lines++
			}
			i += 2
		case c == '\\' && i+1 < len(s):
			n, err := pyEscape(&b, s[i:])
			if err != nil {
				return pyToken{}, 0, 0, err
			}
			if s[i+1] == '\n' {
				lines++
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	kind := "string"
	value := b.String()
	if prefix != "" && prefix != "u" {
		// f-strings, raw and byte strings are the template's own; compared as source text.
		kind = prefix + "string"
		value = s[len(delim):i]
	}
	return pyToken{Kind: kind, Text: delim + delim, Value: value}, i + len(delim), lines, nil
}

// pyEscape decodes the escape sequence at the start of s into b, returning its length.
func pyEscape(b *strings.Builder, s string) (int, error) {
	c := s[1]
	simple := map[byte]string{'\n': "", '\\': `\`, '\'': `'`, '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v"}
	if v, ok := simple[c]; ok {
		b.WriteString(v)
		return 2, nil
	}
	hex := map[byte]int{'x': 2, 'u': 4, 'U': 8}
	if n, ok := hex[c]; ok {
		if len(s) < 2+n {
			return 0, fmt.Errorf("truncated \\%c escape", c)
		}
		v, err := strconv.ParseUint(s[2:2+n], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("bad \\%c escape %q", c, s[:2+n])
		}
		if v > utf8.MaxRune || v >= 0xd800 && v <= 0xdfff {
			return 0, fmt.Errorf("escape %q is no character Go can hold", s[:2+n])
		}
		b.WriteRune(rune(v))
		return 2 + n, nil
	}
	if c >= '0' && c <= '7' {
		n := 1
		for n < 3 && 1+n < len(s) && s[1+n] >= '0' && s[1+n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(s[1:1+n], 8, 32)
		b.WriteRune(rune(v))
		return 1 + n, nil
	}
	if c == 'N' {
		return 0, fmt.Errorf("\\N{...} escapes are not decoded by this test")
	}
	// Python keeps an unknown escape as written (and warns).
	b.WriteByte('\\')
	return 1, nil
}

// comparePythonTokens checks that got has the tokens of want, strings decoded and equal to want's
// after substitute.
func comparePythonTokens(want, got []pyToken, substitute func(string) string) []string {
	var diffs []string
	for i := 0; i < max(len(want), len(got)); i++ {
		if i >= len(want) {
			diffs = append(diffs, fmt.Sprintf("jupyterhub_config.py: extra token %+v", got[i]))
			break
		}
		if i >= len(got) {
			diffs = append(diffs, fmt.Sprintf("jupyterhub_config.py: missing token %+v", want[i]))
			break
		}
		w, g := want[i], got[i]
		w.Value = substitute(w.Value)
		if w.Kind != g.Kind || w.Text != g.Text || w.Value != g.Value {
			diffs = append(diffs, fmt.Sprintf("jupyterhub_config.py:%d: token %s %s %q, want %s %s %q", g.Line, g.Kind, g.Text, g.Value, w.Kind, w.Text, w.Value))
			if w.Kind != g.Kind || w.Text != g.Text {
				break // the rest is out of step
			}
		}
	}
	return diffs
}

// pythonChecker is run by the real python3: for each JSON line {name, source, reference,
// expected}, it parses source with ast and checks that the top-level assignments to c.X.y are
// exactly the expected keys with exactly the expected values (evaluated with ast.literal_eval; the
// proxy token is the argument of its reader function), and that every other top-level statement is
// the reference's. It prints one JSON line per failure.
const pythonChecker = `
import ast, json, re, sys

def target(node):
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return None
    t = node.targets[0]
    # A module constant the config's functions read (_EMAIL_DOMAIN): a site value like c.X.y.
    if isinstance(t, ast.Name) and t.id.startswith("_") and t.id.isupper():
        return t.id
    parts = []
    while isinstance(t, ast.Attribute):
        parts.append(t.attr)
        t = t.value
    if isinstance(t, ast.Name) and t.id == "c" and len(parts) == 2:
        return ".".join(reversed(parts))
    return None

def value(key, node):
    if key == "ConfigurableHTTPProxy.auth_token":
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "_read_proxy_auth_token" and len(node.args) == 1 and not node.keywords):
            raise ValueError("auth_token is not _read_proxy_auth_token(PATH)")
        return ast.literal_eval(node.args[0])
    if key.endswith("OAuthenticator.client_secret"):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "_read_oauth_client_secret" and len(node.args) == 1 and not node.keywords):
            raise ValueError("client_secret is not _read_oauth_client_secret(PATH)")
        return ast.literal_eval(node.args[0])
    if isinstance(node, ast.Name) and node.id.startswith("_") and node.id.isupper():
        # A module constant that holds a site value, checked itself.
        return "constant " + node.id
    if isinstance(node, ast.Name):
        # A function the config defines (username_claim, post_auth_hook): its body is checked
        # against the reference with the other statements.
        return "function " + node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return "bool " + str(node.value)
    if isinstance(node, ast.Call) and ast.dump(node) == ast.dump(ast.parse("set()", mode="eval").body):
        return set()
    if isinstance(node, (ast.Call, ast.BinOp, ast.Attribute)):
        # Computed when the hub starts, from the machine (the class start's timeouts).
        return "expr " + ast.unparse(node)
    return ast.literal_eval(node)

def others(tree):
    return [ast.dump(n) for n in tree.body if target(n) is None]

failures = 0
for line in sys.stdin:
    case = json.loads(line)
    try:
        tree = ast.parse(case["source"])
        got = {}
        for node in tree.body:
            key = target(node)
            if key is None:
                continue
            if key in got:
                raise ValueError("c.%s is assigned twice" % key)
            got[key] = value(key, node.value)
        want = {}
        for key, v in case["expected"].items():
            if isinstance(v, dict) and "admits" in v:
                # A pattern is checked by what Python's re, as JupyterHub's validate_username
                # uses it, admits: every listed name, and no prefix, extension or stranger.
                pattern = re.compile(got.get(key, "(?!)"))
                names = set(v["admits"])
                strangers = {"root", "nobody", "x"} | {n + "x" for n in names} | {n[:-1] for n in names} | {n + "\n" for n in names}
                wrong = sorted(n for n in names if not pattern.match(n)) + sorted(n for n in strangers - names if pattern.match(n))
                if wrong:
                    raise ValueError("%s %r: wrong verdict for %r" % (key, got.get(key), wrong[:5]))
                want[key] = got.get(key)
                continue
            want[key] = set(v["set"]) if isinstance(v, dict) else v
        if got != want:
            raise ValueError("assignments %r, want %r" % (got, want))
        if others(tree) != others(ast.parse(case["reference"])):
            raise ValueError("statements other than c.X.y = ... differ from the reference")
    except Exception as e:
        failures += 1
        print(json.dumps({"name": case["name"], "error": "%s: %s" % (type(e).__name__, e)}))
sys.exit(1 if failures else 0)
`

// pythonCase is one rendered config for pythonChecker. Expected values are strings, lists of
// strings, or {"set": [...]} for Python sets.
type pythonCase struct {
	Name      string         `json:"name"`
	Source    string         `json:"source"`
	Reference string         `json:"reference"`
	Expected  map[string]any `json:"expected"`
}

// runPythonChecker checks every case with one python3 process and returns its failures.
func runPythonChecker(t *testing.T, cases []pythonCase) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; the rendered Python is checked only by the Go tokenizer")
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, c := range cases {
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, "-I", "-W", "ignore", "-c", pythonChecker)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			t.Errorf("python3: %s", l)
		}
	}
	if err != nil && len(out) == 0 {
		t.Fatalf("python3 checker failed: %v\n%s", err, stderr.String())
	}
	t.Logf("python3 checked %d rendered configs", len(cases))
}

// pythonExpected is what the rendered config must assign, worked out from the site by the
// documented meaning of each key rather than by the code under test.
func pythonExpected(s *schema.Site) map[string]any {
	set := func(list []string) map[string][]string { return map[string][]string{"set": list} }
	allowed := append(append([]string{}, s.Users.AdminUsers...), s.Users.AllowedUsers...)
	e := map[string]any{
		"JupyterHub.bind_url":              fmt.Sprintf("http://127.0.0.1:%d%s", s.Hub.Port, s.Hub.BaseURL),
		"JupyterHub.hub_bind_url":          fmt.Sprintf("http://127.0.0.1:%d", s.Hub.HubPort),
		"ConfigurableHTTPProxy.api_url":    fmt.Sprintf("http://127.0.0.1:%d", s.Hub.ProxyAPIPort),
		"JupyterHub.db_url":                "sqlite:///" + s.Hub.StateDir + "/jupyterhub.sqlite",
		"JupyterHub.upgrade_db":            "bool True",
		"JupyterHub.cookie_secret_file":    s.Hub.CookieSecretFile,
		"ConfigurableHTTPProxy.auth_token": s.Hub.ProxyAuthTokenFile,
		"Authenticator.allowed_users":      set(allowed),
		// Access follows the site file: it is the whole truth (render/access.go).
		"Authenticator.username_pattern":     map[string][]string{"admits": allowed},
		"Authenticator.delete_invalid_users": "bool True",
		"JupyterHub.load_roles":              []map[string]any{{"name": "admin", "users": s.Users.AdminUsers}},
		"Spawner.cmd":                        s.Spawner.Cmd,
	}
	// Users' servers on hosts of their own: the hub's host, with the https port unless it is 443.
	if s.Hub.UserSubdomains {
		port := ""
		if s.Nginx.HTTPSPort != 443 {
			port = fmt.Sprintf(":%d", s.Nginx.HTTPSPort)
		}
		e["JupyterHub.subdomain_host"] = "https://" + s.Domain + port
	}
	if s.Spawner.DefaultURL != "" {
		e["Spawner.default_url"] = s.Spawner.DefaultURL
	}
	if s.Spawner.NotebookDir != "" {
		e["Spawner.notebook_dir"] = s.Spawner.NotebookDir
	}
	// The class start: sized for everyone the site lets in, and the machine's cores at hub start.
	e["_CLASS_SIZE"] = len(AllowedUsers(s.Users))
	e["JupyterHub.concurrent_spawn_limit"] = "constant _CLASS_SIZE"
	e["Spawner.start_timeout"] = "expr max(60, math.ceil(4 * _CLASS_SIZE * _boot_cpu_seconds / _cores))"
	if s.Spawner.Kind == schema.SpawnerSystemd {
		e["Spawner.http_timeout"] = "expr c.Spawner.start_timeout"
	} else {
		e["Spawner.http_timeout"] = "expr max(60, 20 * _boot_cpu_seconds)"
		e["JupyterHub.spawner_class"] = "function ClassStartSpawner"
	}
	// spawner.kind = "systemd" is SystemdSpawner by its class path, holding the per-user limits.
	if s.Spawner.Kind == schema.SpawnerSystemd {
		e["JupyterHub.spawner_class"] = "systemdspawner.SystemdSpawner"
		if s.Limits.Memory != "" {
			e["SystemdSpawner.mem_limit"] = s.Limits.Memory
		}
		if s.Limits.CPU != 0 {
			e["SystemdSpawner.cpu_limit"] = s.Limits.CPU
		}
	}
	if a := s.Auth; a.OAuth() {
		class, section := "oauthenticator.generic.LocalGenericOAuthenticator", "GenericOAuthenticator."
		if a.Type == schema.AuthGitHub {
			class, section = "oauthenticator.github.LocalGitHubOAuthenticator", "GitHubOAuthenticator."
		}
		port := ""
		if s.Nginx.HTTPSPort != 443 {
			port = fmt.Sprintf(":%d", s.Nginx.HTTPSPort)
		}
		e["JupyterHub.authenticator_class"] = class
		e[section+"client_id"] = a.ClientID
		e[section+"client_secret"] = a.ClientSecretFile
		e[section+"oauth_callback_url"] = "https://" + s.Domain + port + s.Hub.BaseURL + "hub/oauth_callback"
		e[section+"login_service"] = a.LoginService
		e[section+"scope"] = a.Scope
		e[section+"allow_all"] = "bool False"
		e["LocalAuthenticator.create_system_users"] = "bool True"
		e["LocalAuthenticator.add_user_cmd"] = []string{"useradd", "--create-home", "--shell", "/bin/bash", "--"}
		if a.Type == schema.AuthOIDC {
			e[section+"authorize_url"] = a.AuthorizeURL
			e[section+"token_url"] = a.TokenURL
			e[section+"userdata_url"] = a.UserdataURL
			e[section+"username_claim"] = a.UsernameClaim
			if a.EmailDomain != "" {
				e[section+"username_claim"] = "function _username_from_address"
				e["_USERNAME_CLAIM"] = a.UsernameClaim
				e["_EMAIL_DOMAIN"] = a.EmailDomain
			}
		}
		if len(a.AllowedOrganizations) > 0 {
			e["Authenticator.post_auth_hook"] = "function _require_github_organization"
			e["_GITHUB_ORGANIZATIONS"] = a.AllowedOrganizations
		}
	}
	if a := s.Auth; a.Type == schema.AuthLTI13 {
		e["JupyterHub.authenticator_class"] = "function SiteLTI13Authenticator"
		e["LTI13Authenticator.issuer"] = a.Issuer
		e["LTI13Authenticator.client_id"] = set([]string{a.ClientID})
		e["LTI13Authenticator.authorize_url"] = a.AuthorizeURL
		e["LTI13Authenticator.jwks_endpoint"] = a.JWKSURL
		e["LTI13Authenticator.jwks_algorithms"] = []string{"RS256"}
		e["LTI13Authenticator.uri_scheme"] = "https"
		e["LocalAuthenticator.create_system_users"] = "bool True"
		e["LocalAuthenticator.add_user_cmd"] = []string{"useradd", "--create-home", "--shell", "/bin/bash", "--"}
		e["_LTI13_CLAIM"] = "https://purl.imsglobal.org/spec/lti/claim/"
		e["_LTI13_DEPLOYMENT_IDS"] = set(a.DeploymentIDs)
		e["_USERNAME_CLAIM"] = a.UsernameClaim
		if a.EmailDomain != "" {
			e["_EMAIL_DOMAIN"] = a.EmailDomain
		}
	}
	return e
}

// seedSites returns every site file the fuzz targets start from: the examples, the seed corpus
// files of FuzzRender and FuzzValue (schema's hostile-input table among them), FuzzValue's own
// seeds, and every hostile string in every string key.
func seedSites(t *testing.T) map[string][]byte {
	t.Helper()
	sites := map[string][]byte{}
	for name, path := range examples(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sites["example "+name] = data
	}
	for _, target := range []string{"FuzzRender", "FuzzValue"} {
		paths, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
		for _, p := range paths {
			args, err := readFuzzCorpusFile(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			switch target {
			case "FuzzRender":
				sites[p] = args[0].([]byte)
			case "FuzzValue":
				key := valueKeys[int(args[0].(uint64))%len(valueKeys)]
				sites[p] = siteWithValue(key, args[1].(string))
			}
		}
	}
	for _, key := range valueKeys {
		for i, v := range append(append([]string{}, fuzzValueSeeds...), hostileStrings...) {
			sites[fmt.Sprintf("%s=%d", key, i)] = siteWithValue(key, v)
		}
	}
	return sites
}

// hostileStrings are values that try to end a string, a token, a line or a comment in one of the
// three files, or to look like something they are not.
var hostileStrings = []string{
	`'`, `"`, `'''`, `"""`, `\`, `\\`, `\'`, `\"`, `\n`, `\x41`, `\u0041`, `\N{DASH}`, "x\\", "a\nb", "a\rb",
	"a\tb", "a\x00b", "a\x7fb", "a\u0085b", "a\u2028b", "a\u2029b", "\u202eabc", "\u200f", "\ufeff", "\u00a0",
	"\U0001F600", "é", "ｆｕｌｌ", ";", "{", "}", "#", "$x", "${x}", "%h", "%%", "$$", "a b", " ", "",
	"/srv/a b", "/srv/it's", `/srv/"q"`, "/srv/a;b", "/srv/a{b}", "/srv/#c", "/srv/\\", "/srv/\u202e",
	"~/\u200fnotes", "/lab';import os#", "/lab\")#", "prof|prof", "a|b|c|d|e", "/usr/bin/x|'|\"|\\",
}

// readFuzzCorpusFile reads a file of Go's fuzz corpus format ("go test fuzz v1" and one Go
// literal a line).
func readFuzzCorpusFile(path string) ([]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("not a fuzz corpus file")
	}
	var args []any
	for _, l := range lines[1:] {
		typ, lit, ok := strings.Cut(l, "(")
		lit = strings.TrimSuffix(lit, ")")
		if !ok {
			return nil, fmt.Errorf("bad line %q", l)
		}
		switch typ {
		case "[]byte", "string":
			s, err := strconv.Unquote(lit)
			if err != nil {
				return nil, fmt.Errorf("bad line %q: %v", l, err)
			}
			if typ == "string" {
				args = append(args, s)
			} else {
				args = append(args, []byte(s))
			}
		case "byte", "uint8":
			if strings.HasPrefix(lit, "'") {
				r, err := strconv.Unquote(lit)
				if err != nil || len(r) == 0 {
					return nil, fmt.Errorf("bad line %q: %v", l, err)
				}
				c, _ := utf8.DecodeRuneInString(r)
				args = append(args, uint64(c))
				continue
			}
			n, err := strconv.ParseUint(lit, 0, 8)
			if err != nil {
				return nil, fmt.Errorf("bad line %q: %v", l, err)
			}
			args = append(args, n)
		default:
			return nil, fmt.Errorf("unknown type in %q", l)
		}
	}
	return args, nil
}

// TestRenderedPythonAssignsSiteValues renders every seed site that is accepted, checks it in Go as
// the fuzz targets do, and has python3's ast check what each config assigns, in one batch.
func TestRenderedPythonAssignsSiteValues(t *testing.T) {
	sites := seedSites(t)
	names := make([]string, 0, len(sites))
	for name := range sites {
		names = append(names, name)
	}
	sort.Strings(names)
	var cases []pythonCase
	for _, name := range names {
		site, err := schema.Parse("site.toml", sites[name])
		if err != nil {
			continue
		}
		t.Run(name, func(t *testing.T) { checkRendered(t, site) })
		cases = append(cases, pythonCaseFor(t, name, site))
	}
	// The largest list a course could have, and more.
	users := make([]string, 100_000)
	for i := range users {
		users[i] = fmt.Sprintf("u%06d", i)
	}
	big, err := schema.Parse("site.toml", siteWithValue("users.allowed", strings.Join(users, "|")))
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, pythonCaseFor(t, "100k allowed users", big))
	if len(cases) < 100 {
		t.Fatalf("only %d seed sites are accepted; the batch would prove little", len(cases))
	}
	runPythonChecker(t, cases)
}

func pythonCaseFor(t *testing.T, name string, site *schema.Site) pythonCase {
	t.Helper()
	files, err := Files(site)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ref, _ := placeholderSite(site)
	refFiles, err := Files(ref)
	if err != nil {
		t.Fatalf("%s: reference: %v", name, err)
	}
	return pythonCase{Name: name, Source: string(files[JupyterHubConf]), Reference: string(refFiles[JupyterHubConf]), Expected: pythonExpected(site)}
}

// TestPythonDecoderAgreesWithPython holds tokenizePython's string decoding to python3's, so the
// fuzz targets' Go-side check of the Python config means what python3 would: for every hostile
// string and thousands of random ones, pyStr's literal must decode in Go to the string, and
// python3 must read the same literal as the same string. Literals pyStr never writes (octal, \x,
// unknown escapes) check the decoder itself.
func TestPythonDecoderAgreesWithPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09 '\"\\\n\r\t\x00\x01\x1b\x7f\u0085\u00a0é\u2028\u2029\u202e\u200f\ufeff\ufffd\U0001F600\U000E0001{}#;$%")
	values := append([]string{}, hostileStrings...)
	for range 3000 {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		values = append(values, string(r))
	}
	var literals []string
	for _, v := range values {
		lit, err := pyStr(v)
		if err != nil {
			t.Fatalf("pyStr(%q): %v", v, err)
		}
		literals = append(literals, lit)
	}
	literals = append(literals, `'\101\x41\u0041\U00000041\q\a\b\f\v\0\777'`, `"it's"`, `'''a'b\
c'''`, `u'x'`, `"""a""b"""`)
	var in bytes.Buffer
	goValues := make([]string, len(literals))
	for i, lit := range literals {
		toks, err := tokenizePython("x = " + lit + "\n")
		if err != nil || len(toks) != 5 || toks[3].Kind != "string" {
			t.Fatalf("Go tokenizer on %s: %v %+v", lit, err, toks)
		}
		goValues[i] = toks[3].Value
		if i < len(values) && goValues[i] != values[i] {
			t.Errorf("pyStr(%q) = %s decodes in Go to %q", values[i], lit, goValues[i])
		}
		json.NewEncoder(&in).Encode(lit)
	}
	cmd := exec.Command(python, "-I", "-W", "ignore", "-c",
		"import ast, json, sys\nfor l in sys.stdin: print(json.dumps(ast.literal_eval(json.loads(l))))")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(literals) {
		t.Fatalf("python3 printed %d values for %d literals", len(got), len(literals))
	}
	for i, g := range got {
		var v string
		if err := json.Unmarshal([]byte(g), &v); err != nil {
			t.Fatalf("python3 output %q: %v", g, err)
		}
		if v != goValues[i] {
			t.Errorf("literal %s: python3 reads %q, the Go tokenizer %q", literals[i], v, goValues[i])
		}
	}
}
