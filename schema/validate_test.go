package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// badSites maps each file in testdata/bad to every problem hubgen must report for it, exactly as
// printed after the file name. The message is the product: each one was read for whether a
// course admin could act on it.
var badSites = []struct {
	name string
	want []string
}{
	{"acme-webroot-dollar", []string{
		"14:16: nginx.acme_webroot: \"/var/www/$x\" has a \"$\", which nginx reads as a variable (rename the file or directory)",
	}},
	{"admin-empty", []string{
		"6:9: users.admin: is empty (at least one admin, like admin = [\"peter\"])",
	}},
	{"admin-uppercase", []string{
		"6:10: users.admin[0]: \"Peter\" has an uppercase letter (usernames are lowercase: \"peter\")",
	}},
	{"allowed-duplicate", []string{
		"7:29: users.allowed[2]: \"kendra\" is listed twice (remove this one; it is users.allowed[0])",
	}},
	{"allowed-lookalike", []string{
		"7:12: users.allowed[0]: \"k\\u0435ndra\" is not a username (character 2 is '\\u0435' (U+0435); use lowercase letters, digits, \"_\", \"-\" and \".\")",
	}},
	{"allowed-not-string", []string{
		"7:22: users.allowed[1]: got the integer 42, want a string (like \"kendra\")",
	}},
	{"allowed-python-injection", []string{
		"7:12: users.allowed[0]: \"kendra'); import os; os.system('id'); ('\" is not a username (character 7 is '\\''; use lowercase letters, digits, \"_\", \"-\" and \".\")",
	}},
	{"allowed-starts-with-digit", []string{
		"7:12: users.allowed[0]: \"1kendra\" starts with '1' (a username starts with a lowercase letter or \"_\")",
	}},
	{"allowed-too-long", []string{
		"7:12: users.allowed[0]: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is 33 characters long (usernames have at most 32)",
	}},
	{"allowed-triple-quote", []string{
		"7:12: users.allowed[0]: \"x\\\"\\\"\\\"y\" is not a username (character 2 is '\"'; use lowercase letters, digits, \"_\", \"-\" and \".\")",
	}},
	{"base-url-brace", []string{
		"12:12: hub.base_url: \"/a{b}/\" is not a plain URL path (character 3 is '{'; use letters, digits, \".\", \"_\", \"~\" and \"-\")",
	}},
	{"base-url-dotdot", []string{
		"12:12: hub.base_url: \"/engr101/../\" has a \"..\" segment (name the path itself, like \"/engr101/\")",
	}},
	{"base-url-no-slashes", []string{
		"12:12: hub.base_url: \"engr101\" must start and end with / (like \"/engr101/\")",
	}},
	{"body-size-words", []string{
		"14:24: nginx.client_max_body_size: \"100 MB\" is not an nginx size (a number with an optional k, m or g, like \"100m\")",
	}},
	{"cert-dollar", []string{
		"3:8: tls.cert: \"/etc/ssl/$host.pem\" has a \"$\", which nginx reads as a variable (rename the file or directory)",
	}},
	{"cert-dotdot", []string{
		"3:8: tls.cert: \"/etc/ssl/../ssl/hub.pem\" has a \"..\" segment (write the path it means: \"/etc/ssl/hub.pem\")",
	}},
	{"cert-relative", []string{
		"3:8: tls.cert: \"certs/hub.pem\" is not absolute (start it with /, like \"/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem\")",
	}},
	{"default-url-relative", []string{
		"10:15: spawner.default_url: \"lab\" does not start with / (a path in the notebook server, like \"/lab\" or \"/tree\")",
	}},
	{"domain-injection-brace", []string{
		"1:10: domain: \"hub.example.edu { }\" is not a domain name (character 16 is a space; labels of a-z, 0-9 and inner \"-\", separated by dots)",
	}},
	{"domain-injection-semicolon", []string{
		"1:10: domain: \"hub.example.edu; include /etc/passwd\" is not a domain name (character 16 is ';'; labels of a-z, 0-9 and inner \"-\", separated by dots)",
	}},
	{"domain-not-qualified", []string{
		"1:10: domain: \"localhost\" is not fully qualified (a name with at least one dot, like \"notebooks.example.edu\")",
	}},
	{"domain-uppercase", []string{
		"1:10: domain: \"Hub.Example.edu\" has an uppercase letter (domains are written lowercase: \"hub.example.edu\")",
	}},
	{"domain-url", []string{
		"1:10: domain: \"https://hub.example.edu/\" is a URL, not a domain name (just the name: \"hub.example.edu\")",
	}},
	{"duplicate-key", []string{
		"2:28: domain: syntax error: Key 'domain' has already been defined. (see https://toml.io/en/v1.0.0)",
	}},
	{"duplicate-table", []string{
		"12:2: toml: syntax error: Key 'tls' has already been defined. (see https://toml.io/en/v1.0.0)",
	}},
	{"hsts-string", []string{
		"5:8: tls.hsts: got a string, want true or false (like hsts = true)",
	}},
	{"invalid-utf8", []string{
		"7:24: toml: byte 0xff is not UTF-8 (TOML files are UTF-8 text; save the file as UTF-8)",
	}},
	{"key-newline-injection", []string{
		"4:7: tls.key: \"/etc/ssl/hub.key;\\n}\\nserver {\" has a control character (character 18 is '\\n' (U+000A); a path is printable text)",
	}},
	{"missing-domain", []string{
		"1:1: domain: missing (add domain = \"notebooks.example.edu\" at the top, before any [table])",
	}},
	{"missing-tls-key", []string{
		"2:1: tls.key: missing (add key = \"/etc/letsencrypt/live/notebooks.example.edu/privkey.pem\" under [tls])",
	}},
	{"nginx-version-old", []string{
		"14:11: nginx.version: \"1.10\" is older than hubgen supports (nginx 1.18 or later)",
	}},
	{"port-clash", []string{
		"13:13: nginx.http_port: 80 is also hub.port (every port must be different)",
	}},
	{"port-too-large", []string{
		"11:8: hub.port: 70000 is not a port (a number from 1 to 65535)",
	}},
	{"port-zero", []string{
		"11:8: hub.port: 0 is not a port (a number from 1 to 65535)",
	}},
	{"profile-unknown", []string{
		"5:11: tls.profile: \"old\" is not a profile (use \"intermediate\" or \"modern\")",
	}},
	{"resolver-hostname", []string{
		"5:14: tls.resolvers[0]: \"dns.google\" is not an IP address (nginx needs the resolver's address, like \"127.0.0.53\" or \"9.9.9.9\")",
	}},
	{"resolvers-empty", []string{
		"6:13: tls.resolvers: is empty (at least one address, like [\"127.0.0.53\"])",
	}},
	{"secret-files-shared", []string{
		"13:25: hub.proxy_auth_token_file: \"/srv/jupyterhub/secret\" is also the cookie secret file (each secret needs its own file, like \"/srv/jupyterhub/proxy_auth_token\")",
	}},
	{"spawner-cmd-empty", []string{
		"9:7: spawner.cmd: is empty (the single-user server command, like [\"/opt/conda/bin/jupyterhub-singleuser\"])",
	}},
	{"spawner-cmd-integer", []string{
		"9:7: spawner.cmd: got the integer 7, want a string or a list of strings (like cmd = [\"/opt/conda/bin/jupyterhub-singleuser\"])",
	}},
	{"state-dir-query", []string{
		"12:13: hub.state_dir: \"/srv/hub?x\" has one of ? # %, which would end the database URL's path (choose a directory without them)",
	}},
	{"syntax-unterminated-string", []string{
		"1:26: domain: syntax error: strings cannot contain newlines (see https://toml.io/en/v1.0.0)",
	}},
	{"type-domain-integer", []string{
		"1:10: domain: got the integer 5, want a string (like domain = \"notebooks.example.edu\")",
	}},
	{"unknown-key-in-table", []string{
		"2:1: tls.cert: missing (add cert = \"/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem\" under [tls])",
		"3:1: tls.certificate: unknown key (did you mean cert in [tls]?)",
	}},
	{"unknown-table", []string{
		"12:1: ngnix: unknown key (did you mean [nginx]?)",
	}},
	{"unknown-top-level-key", []string{
		"1:1: domian: unknown key (did you mean domain?)",
		"1:1: domain: missing (add domain = \"notebooks.example.edu\" at the top, before any [table])",
	}},
}

func TestBadSiteFiles(t *testing.T) {
	for _, tc := range badSites {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tc.name+".toml")
			site, err := Load(path)
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Load = %v, %v; want Problems", site, err)
			}
			var got []string
			for _, p := range problems {
				if p.File != path {
					t.Errorf("problem names file %q, want %q", p.File, path)
				}
				got = append(got, strings.TrimPrefix(p.String(), path+":"))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryBadFileIsChecked keeps the table and testdata/bad in step.
func TestEveryBadFileIsChecked(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, tc := range badSites {
		rows[tc.name] = true
	}
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".toml"); !rows[name] {
			t.Errorf("%s has no row in badSites", f)
		}
	}
	if len(files) != len(badSites) {
		t.Errorf("%d files in testdata/bad, %d rows", len(files), len(badSites))
	}
}

// TestDerivedDefaults: the defaults made from other keys follow the rules their rows' DefaultDoc
// gives in words. Defaults that are plain values are tested against Fields in fields_test.go.
func TestDerivedDefaults(t *testing.T) {
	for _, c := range []struct {
		name, hub, cmd string
		want           Hub
	}{
		{"state_dir and conda", `state_dir = "/var/lib/hub"`, `"/opt/conda/bin/jupyterhub-singleuser"`, Hub{
			CookieSecretFile:   "/var/lib/hub/jupyterhub_cookie_secret",
			ProxyAuthTokenFile: "/var/lib/hub/proxy_auth_token",
			Executable:         "/opt/conda/bin/jupyterhub",
		}},
		{"defaults and another program", "", `["/usr/local/bin/start-notebook", "--lab"]`, Hub{
			CookieSecretFile:   "/srv/jupyterhub/jupyterhub_cookie_secret",
			ProxyAuthTokenFile: "/srv/jupyterhub/proxy_auth_token",
			Executable:         "/usr/bin/jupyterhub",
		}},
	} {
		src := "domain = \"hub.example.edu\"\n[tls]\ncert = \"/c.pem\"\nkey = \"/k.pem\"\n[users]\nadmin = [\"prof\"]\n" +
			"[spawner]\ncmd = " + c.cmd + "\n[hub]\n" + c.hub + "\n"
		site, err := Parse("site.toml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := Hub{CookieSecretFile: site.Hub.CookieSecretFile, ProxyAuthTokenFile: site.Hub.ProxyAuthTokenFile, Executable: site.Hub.Executable}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestPositions covers the TOML forms whose positions the scanner must find: multi-line arrays
// with comments, dotted keys, quoted keys, inline tables and multi-line strings before a key.
func TestPositions(t *testing.T) {
	src := `# comment
domain = """
not.a.key = 1
"""
tls.cert = "/c.pem"
"tls".key = "/k.pem"
users = { admin = ["prof"],
  allowed = [
    "ok",   # one
    'Bad',
  ] }
[spawner]
  cmd = [ "/bin/x" ]
`
	pos := locate(src)
	for path, want := range map[string]Position{
		"domain":           {2, 10},
		"tls.cert":         {5, 12},
		"tls.key":          {6, 13},
		"users.admin[0]":   {7, 20},
		"users.allowed[1]": {10, 5},
		"spawner.cmd[0]":   {13, 11},
	} {
		if got := pos.valuePos(path); got != want {
			t.Errorf("%s at %v, want %v", path, got, want)
		}
	}
	if got := pos.keyRange("spawner").Start; got != (Position{12, 1}) {
		t.Errorf("[spawner] at %v, want 12:1", got)
	}
	if _, ok := pos.key["not.a.key"]; ok {
		t.Error("text inside a multi-line string was read as a key")
	}
}

// TestProblemsAreSortedAndAllReported: one file with problems on several lines reports all of
// them, in line order.
func TestProblemsAreSortedAndAllReported(t *testing.T) {
	src := "domain = \"X\"\n[tls]\ncert = \"a\"\nkey = \"b\"\n[users]\nadmin = [\"A\"]\n[spawner]\ncmd = []\n"
	_, err := Parse("s.toml", []byte(src))
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("got %v, want Problems", err)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Start.Line)
	}
	if diff := cmp.Diff([]int{1, 3, 4, 6, 8}, lines); diff != "" {
		t.Errorf("problem lines (-want +got):\n%s\n%v", diff, problems)
	}
}

func TestLoadMissingFileIsNotProblems(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.toml"))
	var problems Problems
	if err == nil || errors.As(err, &problems) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v; want a not-exist error that is not Problems", err)
	}
}
