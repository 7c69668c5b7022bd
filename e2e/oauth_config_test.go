package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/internal/thirdparty"
)

// requireOAuthenticator skips without oauthenticator in the third-party cache, and skips (or, with
// HUBGEN_E2E=require, fails) when the stack's own Python cannot import it: the Debian packages it
// imports are .ci/run's to install.
func requireOAuthenticator(t *testing.T, st *stack) {
	t.Helper()
	st.require(t)
	thirdparty.Require(t, thirdparty.OAuthenticator)
	// The hub's own Python: the one its program's "#!" line names, not whichever python3 is first
	// on PATH.
	python := "/usr/bin/python3"
	if data, err := os.ReadFile(st.hostPath(jupyterhubProgram)); err == nil && strings.HasPrefix(string(data), "#!") {
		python = strings.Fields(strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "#!"))[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The cache is at the same path inside every stack (setUpStacks).
	cmd := st.command(ctx, "/", append(os.Environ(), "PYTHONPATH="+thirdparty.PythonPath()), python, "-c", "import oauthenticator.generic, oauthenticator.github")
	if out, err := cmd.CombinedOutput(); err != nil {
		testsys.SkipOrFail(t, fmt.Sprintf("%s: oauthenticator in %s does not import; apt-get install %s: %v\n%s", st.Name, thirdparty.PythonPath(), thirdparty.OAuthenticator.Debian, err, out))
	}
}

// requireLTIAuthenticator skips without ltiauthenticator in the third-party cache, and skips (or,
// with HUBGEN_E2E=require, fails) when the stack's own Python cannot import it.
func requireLTIAuthenticator(t *testing.T, st *stack) {
	t.Helper()
	st.require(t)
	thirdparty.Require(t, thirdparty.LTIAuthenticator)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := st.command(ctx, "/", append(os.Environ(), "PYTHONPATH="+thirdparty.PythonPath()), hubPythonOf(st), "-c", "import ltiauthenticator.lti13.auth")
	if out, err := cmd.CombinedOutput(); err != nil {
		testsys.SkipOrFail(t, fmt.Sprintf("%s: ltiauthenticator in %s does not import; apt-get install %s: %v\n%s", st.Name, thirdparty.PythonPath(), thirdparty.LTIAuthenticator.Debian, err, out))
	}
}

// hubPythonOf is the hub's own Python in st: the one its program's "#!" line names, not whichever
// python3 is first on PATH.
func hubPythonOf(st *stack) string {
	python := "/usr/bin/python3"
	if data, err := os.ReadFile(st.hostPath(jupyterhubProgram)); err == nil && strings.HasPrefix(string(data), "#!") {
		python = strings.Fields(strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "#!"))[0]
	}
	return python
}

// prepareOAuthExample points an OAuth example's client secret file into dir and writes a secret
// there, 0600, as an administrator would. It returns the site and the secret, "" for a PAM example.
//
// JupyterHub 3.0 creates the system account of every allowed user when it starts (LocalAuthenticator
// with create_system_users), even for --show-config-json: the accounts it makes are removed after
// the last test (removeAtEnd: other tests load the same examples).
func prepareOAuthExample(t *testing.T, st *stack, sitePath, dir string) (map[string]any, string) {
	t.Helper()
	var site map[string]any
	if _, err := toml.DecodeFile(sitePath, &site); err != nil {
		t.Fatal(err)
	}
	auth, ok := site["auth"].(map[string]any)
	if !ok || auth["type"] == "pam" {
		return site, ""
	}
	if auth["type"] == "lti13" {
		// No secret: the platform signs each launch. The hub makes the accounts, as for OAuth.
		requireLTIAuthenticator(t, st)
		users := table(site, "users")
		for _, name := range append(append(stringList(t, users["admin"]), stringList(t, users["allowed"])...), rosterUsers(t, sitePath, users)...) {
			removeAtEnd(st, name)
		}
		return site, ""
	}
	requireOAuthenticator(t, st)
	secret := randomHex(t, 20)
	path := filepath.Join(dir, "secrets", "oauth_client_secret")
	auth["client_secret_file"] = path
	writeFile(t, path, []byte(secret+"\n"), 0o600)
	writeSite(t, sitePath, site)
	users := table(site, "users")
	for _, name := range append(append(stringList(t, users["admin"]), stringList(t, users["allowed"])...), rosterUsers(t, sitePath, users)...) {
		removeAtEnd(st, name)
	}
	return site, secret
}

// removeAccountMadeByHub registers the removal of name's account if it has none now, for when the
// hub has made it.
func removeAccountMadeByHub(t *testing.T, st *stack, name string) {
	if st.hasAccount(name) {
		return
	}
	t.Cleanup(func() {
		if st.hasAccount(name) {
			removeSystemUser(t, st, name)
		}
	})
}

// checkOAuthConfig has JupyterHub load the rendered config and compares every [auth] value it
// loaded with the site file's, worked out here from the site file and the README's rules.
func checkOAuthConfig(t *testing.T, st *stack, site map[string]any, config, dir, secret string) {
	t.Helper()
	cmd := st.command(context.Background(), dir, hubEnv(), jupyterhubProgram, "-f", config, "--show-config-json")
	var out, log strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &log
	timer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	err := cmd.Run()
	timer.Stop()
	if err != nil {
		t.Fatalf("jupyterhub --show-config-json: %v\n%s", err, log.String())
	}
	// traitlets warns about a setting no class of the config reads, which would be silently lost.
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "not recognized") || strings.Contains(line, "Traceback") || strings.Contains(line, "deprecated") {
			t.Errorf("JupyterHub: %s", line)
		}
	}
	var shown map[string]map[string]any
	if err := json.Unmarshal([]byte(out.String()), &shown); err != nil {
		t.Fatalf("jupyterhub --show-config-json: %v", err)
	}
	auth, users, hub, nginx := table(site, "auth"), table(site, "users"), table(site, "hub"), table(site, "nginx")
	host := site["domain"].(string)
	if port := intOr(nginx["https_port"], 443); port != 443 {
		host += fmt.Sprintf(":%d", port)
	}
	section, class, service := "GenericOAuthenticator", "oauthenticator.generic.LocalGenericOAuthenticator", "single sign-on"
	scope := []any{"openid", "profile", "email"}
	if auth["type"] == "github" {
		section, class, service = "GitHubOAuthenticator", "oauthenticator.github.LocalGitHubOAuthenticator", "GitHub"
		scope = []any{}
		if _, ok := auth["allowed_organizations"]; ok {
			scope = []any{"read:org"}
		}
	}
	if s, ok := auth["scope"]; ok {
		scope = s.([]any)
	}
	want := map[string]any{
		"JupyterHub.authenticator_class":         class,
		section + ".client_id":                   auth["client_id"],
		section + ".oauth_callback_url":          "https://" + host + stringOr(hub["base_url"], "/") + "hub/oauth_callback",
		section + ".login_service":               stringOr(auth["login_service"], service),
		section + ".scope":                       scope,
		section + ".allow_all":                   false,
		"LocalAuthenticator.create_system_users": true,
		"LocalAuthenticator.add_user_cmd":        []any{"useradd", "--create-home", "--shell", "/bin/bash", "--"},
	}
	if auth["type"] == "oidc" {
		for _, k := range []string{"authorize_url", "token_url", "userdata_url"} {
			want[section+"."+k] = auth[k]
		}
		claim := stringOr(auth["username_claim"], "preferred_username")
		domain := stringOr(auth["email_domain"], "")
		if claim == "email" {
			domain = stringOr(auth["email_domain"], stringOr(users["roster_email_domain"], ""))
		}
		want[section+".username_claim"] = claim
		if domain != "" {
			// A function the config defines; its rule is tested in render's Python tests and live.
			want[section+".username_claim"] = "<function _username_from_address"
		}
	}
	if _, ok := auth["allowed_organizations"]; ok {
		want["Authenticator.post_auth_hook"] = "<function _require_github_organization"
	}
	got := map[string]any{}
	for key := range want {
		section, name, _ := strings.Cut(key, ".")
		v := shown[section][name]
		if s, ok := v.(string); ok && strings.HasPrefix(s, "<function ") {
			v = s[:strings.Index(s, " at 0x")]
		}
		got[key] = v
	}
	// Compared apart, so that a failure never prints the secret.
	if shown[section]["client_secret"] != secret {
		t.Errorf("%s.client_secret is not the contents of auth.client_secret_file", section)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JupyterHub loaded other [auth] values than the site's (-want +got):\n%s", diff)
	}
}
