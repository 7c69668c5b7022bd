package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/schema"
)

// TestExamples renders every example site as it would be deployed, with its machine-specific
// paths moved into a temporary directory, and has the real programs load the results: nginx -t
// accepts nginx.conf, and JupyterHub loads jupyterhub_config.py with the site's values.
func TestExamples(t *testing.T) {
	examples, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples in ../examples (%v)", err)
	}
	forEachStack(t, func(t *testing.T, st *stack) {
		nginxVersion := st.nginxVersion(t)
		addExampleAdmins(t, st, examples)
		for _, example := range examples {
			t.Run(strings.TrimSuffix(filepath.Base(example), ".toml"), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				e := rewriteExample(t, example, dir, nginxVersion)
				site, secret := prepareOAuthExample(t, st, e.Path, dir)
				root := filepath.Join(dir, "root")
				runHubgen(t, "render", e.Path, "-o", root)

				checkNginxConfig(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir)
				got := showConfig(t, st, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), dir)
				if diff := cmp.Diff(e.Want, got); diff != "" {
					t.Errorf("%s: JupyterHub %s loaded other values than the site's (-want +got):\n%s", st.Name, st.JupyterHub, diff)
				}
				if secret != "" {
					checkOAuthConfig(t, st, site, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), dir, secret)
				}
			})
		}
	})
}

// addExampleAdmins gives every admin of the examples a system account in the stack, until the last
// test has ended, unless one exists. PAM admins need one: the rendered config deletes users that
// fail the authenticator's check at start (a PAM user without an account fails it), and
// JupyterHub 5 then stops when the admin role names a user it cannot add.
func addExampleAdmins(t *testing.T, st *stack, examples []string) {
	t.Helper()
	names := map[string]bool{}
	for _, path := range examples {
		var site struct{ Users struct{ Admin []string } }
		if _, err := toml.DecodeFile(path, &site); err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		for _, name := range site.Users.Admin {
			names[name] = true
		}
	}
	// Tests that run at once share the names: one makes each account, and it stays until the
	// last test has ended (removeAtEnd).
	sharedAccounts.Lock()
	defer sharedAccounts.Unlock()
	for _, name := range sortedSet(keys(names)) {
		if !st.hasAccount(name) {
			st.run(t, 10*time.Second, "/", nil, "/usr/sbin/useradd", "-M", "-s", "/usr/sbin/nologin", name)
		}
		removeAtEndLocked(st, name)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// example is an example site rewritten for this machine, and what JupyterHub should load from it.
type example struct {
	Path string
	Want hubConfig
}

// rewriteExample copies an example into dir with every path that names the deployment machine
// (certificates, secrets, state, pid file) moved into dir, and the secrets created. The rest of
// the site stays as the example has it.
func rewriteExample(t *testing.T, path, dir, nginxVersion string) example {
	t.Helper()
	site, files := moveToTestMachine(t, path, dir, nginxVersion)
	e := example{Path: filepath.Join(dir, filepath.Base(path))}
	writeSite(t, e.Path, site)
	makeSecrets(t, e.Path, files)
	e.Want = wantHubConfig(t, site, e.Path, files)
	return e
}

// moveToTestMachine decodes the example and points its machine paths into dir, returning the
// site and where its secret files go.
func moveToTestMachine(t *testing.T, path, dir, nginxVersion string) (map[string]any, secretFiles) {
	t.Helper()
	var site map[string]any
	if _, err := toml.DecodeFile(path, &site); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	tlsTable, users, hub, nginx := table(site, "tls"), table(site, "users"), table(site, "hub"), table(site, "nginx")
	secrets := filepath.Join(dir, "secrets")
	cert := makeCertificate(t, dir, site["domain"].(string))
	tlsTable["cert"], tlsTable["key"] = cert.Cert, cert.Key
	var files secretFiles
	if _, ok := tlsTable["dhparam"]; ok {
		files.DHParam = filepath.Join(secrets, "dhparam.pem")
		tlsTable["dhparam"] = files.DHParam
	}
	if _, ok := tlsTable["trusted_certificate"]; ok {
		// Self-signed: the certificate is its own issuer chain.
		tlsTable["trusted_certificate"] = cert.Cert
	}
	state := filepath.Join(dir, "state")
	hub["state_dir"] = state
	files.CookieSecret = filepath.Join(state, "jupyterhub_cookie_secret")
	if _, ok := hub["cookie_secret_file"]; ok {
		files.CookieSecret = filepath.Join(secrets, "cookie_secret")
		hub["cookie_secret_file"] = files.CookieSecret
	}
	files.ProxyToken = filepath.Join(state, "proxy_auth_token")
	if _, ok := hub["proxy_auth_token_file"]; ok {
		files.ProxyToken = filepath.Join(secrets, "proxy_token")
		hub["proxy_auth_token_file"] = files.ProxyToken
	}
	nginx["pid"] = filepath.Join(dir, "nginx.pid")
	// The nginx that checks the file is the one it is written for: an example for a newer nginx
	// uses directives 1.22 does not know ("http2 on;").
	nginx["version"] = nginxVersion
	// A roster is relative to the site file, so it moves with it.
	if roster, ok := users["roster"].(string); ok {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(path), roster))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, roster), data, 0o644)
	}

	// JupyterHub creates its database there, but not the directory.
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	return site, files
}

// wantHubConfig is what JupyterHub must load for the site: the site file's values, and the
// defaults schema.Fields gives the keys it leaves out.
func wantHubConfig(t *testing.T, site map[string]any, sitePath string, files secretFiles) hubConfig {
	t.Helper()
	users, hub, spawner := table(site, "users"), table(site, "hub"), table(site, "spawner")
	token, err := os.ReadFile(files.ProxyToken)
	if err != nil {
		t.Fatal(err)
	}
	admins := stringList(t, users["admin"])
	allowed := append(append(stringList(t, users["allowed"]), admins...), rosterUsers(t, sitePath, users)...)
	baseURL := stringOr(hub["base_url"], "/")
	return hubConfig{
		AdminRole:          sortedSet(admins),
		AllowedUsers:       sortedSet(allowed),
		DeleteInvalidUsers: true,
		CookieSecretFile:   files.CookieSecret,
		ProxyAuthToken:     strings.TrimSpace(string(token)),
		BindURL:            fmt.Sprintf("http://127.0.0.1:%d%s", intOr(hub["port"], 8000), baseURL),
		HubBindURL:         fmt.Sprintf("http://127.0.0.1:%d", intOr(hub["hub_port"], 8081)),
		ProxyAPIURL:        fmt.Sprintf("http://127.0.0.1:%d", intOr(hub["proxy_api_port"], 8001)),
		DatabaseURL:        "sqlite:///" + filepath.Join(hub["state_dir"].(string), "jupyterhub.sqlite"),
		SpawnerCmd:         stringList(t, spawner["cmd"]),
		DefaultURL:         stringOr(spawner["default_url"], ""),
		NotebookDir:        stringOr(spawner["notebook_dir"], ""),
	}
}

// rosterUsers are the users a site's roster file adds, as hubgen reads the roster: the format is
// hubgen's, and its own tests cover the parsing.
func rosterUsers(t *testing.T, sitePath string, users map[string]any) []string {
	t.Helper()
	if _, ok := users["roster"]; !ok {
		return nil
	}
	s, err := schema.Load(sitePath)
	if err != nil {
		t.Fatal(err)
	}
	return s.Users.AllowedUsers
}

// hubConfig is what the tests compare of the configuration JupyterHub loaded.
type hubConfig struct {
	// AdminRole is the admin role's members in load_roles, which are exactly the site's admins;
	// Authenticator.admin_users stays unset, since it only ever grants.
	AdminRole, AdminUsers, AllowedUsers []string
	DeleteInvalidUsers                  bool
	CookieSecretFile                    string
	ProxyAuthToken                      string
	BindURL, HubBindURL                 string
	ProxyAPIURL                         string
	DatabaseURL                         string
	SpawnerCmd                          []string
	DefaultURL, NotebookDir             string
}

// showConfig has JupyterHub load the config file and print the configuration it loaded. In 3.0
// this runs the hub's whole initialisation first (it reads the cookie secret and creates the
// database), so it is a real start short of listening, run in dir.
func showConfig(t *testing.T, st *stack, config, dir string) hubConfig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := st.command(ctx, dir, hubEnv(), jupyterhubProgram, "-f", config, "--show-config-json")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: jupyterhub --show-config-json: %v\n%s", st.Name, err, stderr.String())
	}
	out := stdout.String()
	// The hub logs to standard error while it loads the config: no option may be unknown to
	// this JupyterHub, or deprecated.
	for _, line := range strings.Split(stderr.String(), "\n") {
		if configWarningRE.MatchString(line) {
			t.Errorf("%s (JupyterHub %s) warned about the rendered config: %s", st.Name, st.JupyterHub, line)
		}
	}
	var shown struct {
		Authenticator struct {
			AdminUsers         pythonSet `json:"admin_users"`
			AllowedUsers       pythonSet `json:"allowed_users"`
			DeleteInvalidUsers bool      `json:"delete_invalid_users"`
		}
		ConfigurableHTTPProxy struct {
			APIURL    string `json:"api_url"`
			AuthToken string `json:"auth_token"`
		}
		JupyterHub struct {
			BindURL          string `json:"bind_url"`
			HubBindURL       string `json:"hub_bind_url"`
			CookieSecretFile string `json:"cookie_secret_file"`
			DBURL            string `json:"db_url"`
			LoadRoles        []struct {
				Name  string   `json:"name"`
				Users []string `json:"users"`
			} `json:"load_roles"`
		}
		Spawner struct {
			Cmd         []string `json:"cmd"`
			DefaultURL  string   `json:"default_url"`
			NotebookDir string   `json:"notebook_dir"`
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("jupyterhub --show-config-json: %v\n%s", err, out)
	}
	var adminRole []string
	for _, role := range shown.JupyterHub.LoadRoles {
		if role.Name == "admin" {
			adminRole = sortedSet(role.Users)
		}
	}
	return hubConfig{
		AdminRole:          adminRole,
		AdminUsers:         shown.Authenticator.AdminUsers,
		AllowedUsers:       shown.Authenticator.AllowedUsers,
		DeleteInvalidUsers: shown.Authenticator.DeleteInvalidUsers,
		CookieSecretFile:   shown.JupyterHub.CookieSecretFile,
		ProxyAuthToken:     shown.ConfigurableHTTPProxy.AuthToken,
		BindURL:            shown.JupyterHub.BindURL,
		HubBindURL:         shown.JupyterHub.HubBindURL,
		ProxyAPIURL:        shown.ConfigurableHTTPProxy.APIURL,
		DatabaseURL:        shown.JupyterHub.DBURL,
		SpawnerCmd:         shown.Spawner.Cmd,
		DefaultURL:         shown.Spawner.DefaultURL,
		NotebookDir:        shown.Spawner.NotebookDir,
	}
}

// pythonSet is a set of strings as --show-config-json prints it: traitlets has no JSON for a
// Python set, so it prints the set's repr, "{'sam', 'kendra'}" in any order, or "set()". A list
// or tuple arrives as a JSON array. Either way it decodes sorted.
type pythonSet []string

var pythonStringRE = regexp.MustCompile(`^'([^'\\]*)'$`)

func (s *pythonSet) UnmarshalJSON(data []byte) error {
	var list []string
	if err := json.Unmarshal(data, &list); err == nil {
		*s = sortedSet(list)
		return nil
	}
	var repr string
	if err := json.Unmarshal(data, &repr); err != nil {
		return fmt.Errorf("a set of strings is a JSON array or a Python repr string, not %s", data)
	}
	if repr == "set()" {
		*s = []string{}
		return nil
	}
	if !strings.HasPrefix(repr, "{") || !strings.HasSuffix(repr, "}") {
		return fmt.Errorf("not a Python set: %q", repr)
	}
	list = []string{}
	for _, item := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(repr, "{"), "}"), ", ") {
		m := pythonStringRE.FindStringSubmatch(item)
		if m == nil {
			return fmt.Errorf("not a set of simple strings: %q", repr)
		}
		list = append(list, m[1])
	}
	*s = sortedSet(list)
	return nil
}

// sortedSet returns the distinct strings, sorted, never nil.
func sortedSet(items []string) []string {
	set := map[string]bool{}
	for _, item := range items {
		set[item] = true
	}
	out := make([]string, 0, len(set))
	for item := range set {
		out = append(out, item)
	}
	sort.Strings(out)
	return out
}

// stringList reads a TOML value that is a string or an array of strings.
func stringList(t *testing.T, v any) []string {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				t.Fatalf("not a string: %#v", item)
			}
			out[i] = s
		}
		return out
	}
	t.Fatalf("not a string or a list of strings: %#v", v)
	return nil
}

func stringOr(v any, fallback string) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fallback
}

func intOr(v any, fallback int) int {
	if i, ok := v.(int64); ok {
		return int(i)
	}
	return fallback
}
