package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/schema"
)

// initCases are the golden files of `hubgen init`, testdata/init/<name>.toml, with what
// `hubgen validate` then says about each.
var initCases = []struct {
	name     string
	args     []string
	stderr   string   // what init prints besides the file
	problems []string // what validate then reports, after the file name
}{
	{
		name:   "no-flags",
		stderr: "hubgen init: fill in domain, tls.cert, tls.key, users.admin in site.toml, then run: hubgen validate site.toml\n",
		problems: []string{
			`:9:10: domain: is empty (the hub's domain name, like "notebooks.example.edu")`,
			`:13:8: tls.cert: is empty (an absolute path, like "/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem")`,
			`:16:7: tls.key: is empty (an absolute path, like "/etc/letsencrypt/live/notebooks.example.edu/privkey.pem")`,
			`:35:9: users.admin: is empty (at least one admin, like admin = ["peter"])`,
		},
	},
	{
		name:     "domain-admin",
		args:     []string{"--domain", "hub.college.edu", "--admin", "prof"},
		problems: nil,
	},
	{
		name: "course",
		args: []string{"--course", "engr101", "--domain=courses.example.edu", "--admin", "prof", "--admin", "ta_jordan"},
	},
	{
		name:   "admin-only",
		args:   []string{"--admin", "prof"},
		stderr: "hubgen init: fill in domain, tls.cert, tls.key in site.toml, then run: hubgen validate site.toml\n",
		problems: []string{
			`:9:10: domain: is empty (the hub's domain name, like "notebooks.example.edu")`,
			`:13:8: tls.cert: is empty (an absolute path, like "/etc/letsencrypt/live/notebooks.example.edu/fullchain.pem")`,
			`:16:7: tls.key: is empty (an absolute path, like "/etc/letsencrypt/live/notebooks.example.edu/privkey.pem")`,
		},
	},
}

// TestInitGolden compares each init output with testdata/init/<name>.toml (`go test
// ./cmd/hubgen -update` rewrites them), then validates the file as a user would next: a file
// written with every flag validates; one with placeholders names exactly the keys to fill in.
func TestInitGolden(t *testing.T) {
	for _, tc := range initCases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := hubgen(t, append([]string{"init"}, tc.args...)...)
			if code != exitOK || stderr != tc.stderr {
				t.Fatalf("exit %d, stderr %q; want 0 and %q", code, stderr, tc.stderr)
			}
			file := filepath.Join("testdata", "init", tc.name+".toml")
			golden.Check(t, file, []byte(stdout))

			code, _, stderr = hubgen(t, "validate", file)
			var got []string
			for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if l != "" {
					got = append(got, strings.TrimPrefix(l, file))
				}
			}
			if diff := cmp.Diff(tc.problems, got); diff != "" {
				t.Errorf("validate %s (-want +got):\n%s", file, diff)
			}
			if wantCode := map[bool]int{true: exitOK, false: exitInvalid}[tc.problems == nil]; code != wantCode {
				t.Errorf("validate exit %d, want %d", code, wantCode)
			}
		})
	}
}

// TestInitThenValidate is the issue's own check, as a shell runs it:
// hubgen init --domain hub.college.edu --admin prof > site.toml && hubgen validate site.toml
func TestInitThenValidate(t *testing.T) {
	site := filepath.Join(t.TempDir(), "site.toml")
	code, stdout, stderr := hubgen(t, "init", "--domain", "hub.college.edu", "--admin", "prof")
	if code != exitOK || stderr != "" {
		t.Fatalf("init: exit %d, stderr %q", code, stderr)
	}
	if err := os.WriteFile(site, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := hubgen(t, "validate", site); code != exitOK || stderr != "" {
		t.Errorf("validate: exit %d, stderr %q", code, stderr)
	}
	s, err := schema.Load(site)
	if err != nil {
		t.Fatal(err)
	}
	if s.Domain != "hub.college.edu" || s.TLS.Cert != "/etc/letsencrypt/live/hub.college.edu/fullchain.pem" || !cmp.Equal(s.Users.AdminUsers, []string{"prof"}) {
		t.Errorf("the flags did not reach the site: domain %q, cert %q, admins %q", s.Domain, s.TLS.Cert, s.Users.AdminUsers)
	}
}

// TestInitCourse: --course serves the hub under /NAME/ with its own state directory, and the
// derived secret files follow it.
func TestInitCourse(t *testing.T) {
	_, stdout, _ := hubgen(t, "init", "--course", "engr101", "--domain", "courses.example.edu", "--admin", "prof")
	s, err := schema.Parse("site.toml", []byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if s.Hub.BaseURL != "/engr101/" || s.Hub.StateDir != "/srv/jupyterhub/engr101" || s.Hub.CookieSecretFile != "/srv/jupyterhub/engr101/jupyterhub_cookie_secret" {
		t.Errorf("base_url %q, state_dir %q, cookie secret %q", s.Hub.BaseURL, s.Hub.StateDir, s.Hub.CookieSecretFile)
	}
}

// TestInitHasEveryKey: each key of schema.Fields is in the file once, in its table, set or
// commented out under a comment with its documentation; and uncommenting every key gives a
// valid site, so no example init shows is wrong.
func TestInitHasEveryKey(t *testing.T) {
	_, stdout, _ := hubgen(t, "init", "--domain", "hub.college.edu", "--admin", "prof")
	lines := strings.Split(stdout, "\n")
	keyLine := regexp.MustCompile(`^(# )?([a-z0-9_]+) = `)
	table := ""
	found := map[string]int{}
	var uncommented []string
	for i, l := range lines {
		if strings.HasPrefix(l, "[") {
			table = strings.Trim(l, "[]") + "."
		}
		m := keyLine.FindStringSubmatch(l)
		if m == nil {
			uncommented = append(uncommented, l)
			continue
		}
		key := strings.TrimPrefix(table+m[2], ".")
		f, ok := schema.FieldByKey(key)
		if !ok {
			t.Errorf("line %d: %s is not a key of site.toml", i+1, key)
			continue
		}
		found[key]++
		// hub.user_subdomains, which init turns on, has a second line saying what that needs.
		doc := lines[max(i-1, 0)]
		if key == "hub.user_subdomains" && i > 1 {
			doc = lines[i-2]
		}
		if i == 0 || !strings.HasPrefix(doc, "# "+f.Doc) {
			t.Errorf("line %d: %s is not under its documentation %q", i+1, key, f.Doc)
		}
		if setByInit := key == "hub.user_subdomains"; f.Required == (m[1] == "# ") && !setByInit {
			t.Errorf("line %d: %s is required=%v but commented=%v", i+1, key, f.Required, m[1] != "")
		}
		// An [auth] key of another login type than the example's "oidc" is an error when set:
		// it stays commented.
		// So is kubernetes.tls_secret, which only tls = "secret" reads, with the example's "letsencrypt".
		if key == "auth.allowed_organizations" || key == "kubernetes.tls_secret" || key == "auth.issuer" || key == "auth.jwks_url" || key == "auth.deployment_ids" {
			uncommented = append(uncommented, l)
			continue
		}
		uncommented = append(uncommented, strings.TrimPrefix(l, "# "))
	}
	for _, f := range schema.Fields {
		if found[f.Key] != 1 {
			t.Errorf("%s appears %d times, want once", f.Key, found[f.Key])
		}
	}

	// The roster's example names a file; give it one with the example column and domain.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rosters"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rosters", "engr101.csv"), []byte("Student,SIS Login ID\nAda,ada@example.edu\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := schema.Parse(filepath.Join(dir, "site.toml"), []byte(strings.Join(uncommented, "\n")))
	if err != nil {
		t.Fatalf("every key uncommented does not validate:\n%v", err)
	}
	if !cmp.Equal(s.Users.AllowedUsers, []string{"kendra", "sam", "ada"}) {
		t.Errorf("allowed users %q, want the example's and the roster's", s.Users.AllowedUsers)
	}
}

// TestInitOutputFile: -o writes a new file and never replaces one without --force.
func TestInitOutputFile(t *testing.T) {
	site := filepath.Join(t.TempDir(), "site.toml")
	code, stdout, stderr := hubgen(t, "init", "-o", site, "--domain", "hub.college.edu", "--admin", "prof")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	first, err := os.ReadFile(site)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(site); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	if _, golden, _ := hubgen(t, "init", "--domain", "hub.college.edu", "--admin", "prof"); string(first) != golden {
		t.Error("-o wrote other bytes than init prints")
	}

	code, _, stderr = hubgen(t, "init", "-o", site, "--domain", "other.college.edu", "--admin", "prof")
	if code != exitFailure || stderr != "hubgen init: "+site+" already exists (add --force to overwrite it)\n" {
		t.Errorf("second init: exit %d, stderr %q", code, stderr)
	}
	if again, _ := os.ReadFile(site); string(again) != string(first) {
		t.Error("the refused init changed the file")
	}

	code, _, stderr = hubgen(t, "init", "-o", site, "--force", "--domain", "other.college.edu", "--admin", "prof")
	if code != exitOK || stderr != "" {
		t.Errorf("init --force: exit %d, stderr %q", code, stderr)
	}
	if s, err := schema.Load(site); err != nil || s.Domain != "other.college.edu" {
		t.Errorf("after --force: %v, %v", s, err)
	}
}

// TestInitRefusesBadFlags: a flag value the validator would refuse is a usage error naming the
// flag, and nothing is printed or written.
func TestInitRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--domain", "Hub.College.edu"}, "hubgen init: --domain: domain: \"Hub.College.edu\" has an uppercase letter (domains are written lowercase: \"hub.college.edu\")\n"},
		// A quote must not break the file that validation reads.
		{[]string{"--domain", "hub.college.edu/x\""}, "hubgen init: --domain: domain: \"hub.college.edu/x\\\"\" is not a domain name (character 16 is '/'; labels of a-z, 0-9 and inner \"-\", separated by dots)\n"},
		{[]string{"--admin", "prof", "--admin", "Kendra"}, "hubgen init: --admin: users.admin[1]: \"Kendra\" has an uppercase letter (usernames are lowercase: \"kendra\")\n"},
		{[]string{"--course", "engr 101"}, "hubgen init: --course: hub.base_url: \"/engr 101/\" is not a plain URL path (character 6 is a space; use letters, digits, \".\", \"_\", \"~\" and \"-\")\n"},
		{[]string{"site.toml"}, "hubgen init: unexpected argument \"site.toml\" (to write a file, use -o site.toml)\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "site.toml")
			code, stdout, stderr := hubgen(t, append([]string{"init", "-o", out}, tc.args...)...)
			if code != exitFailure || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if diff := cmp.Diff(tc.stderr, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// TestInitFindsSingleUser: init puts the jupyterhub-singleuser it finds on the machine (Debian's
// /usr/bin/jupyterhub-singleuser) in spawner.cmd, not /opt/conda's example, and its header names
// the file it writes.
func TestInitFindsSingleUser(t *testing.T) {
	defer func(f func() string) { findSingleUser = f }(findSingleUser)
	findSingleUser = func() string { return "/usr/bin/jupyterhub-singleuser" }
	site := filepath.Join(t.TempDir(), "engr101.toml")
	if code, _, stderr := hubgen(t, "init", "--domain", "hub.college.edu", "--admin", "prof", "-o", site); code != exitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(site)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"# engr101.toml: one course's JupyterHub",
		"#     hubgen validate engr101.toml\n",
		"\ncmd = [\"/usr/bin/jupyterhub-singleuser\"]\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("init -o engr101.toml lacks %q:\n%.600s", want, text)
		}
	}
	if strings.Contains(text, "\ncmd = [\"/opt/conda") {
		t.Error("spawner.cmd is still the /opt/conda example")
	}
	loaded, err := schema.Load(site)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Hub.Executable != "/usr/bin/jupyterhub" {
		t.Errorf("hub.executable defaults to %s, want /usr/bin/jupyterhub beside the found jupyterhub-singleuser", loaded.Hub.Executable)
	}
}
