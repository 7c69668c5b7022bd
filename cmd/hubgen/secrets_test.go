package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The secret files of checkSite, under a root.
var siteSecrets = []string{
	"srv/jupyterhub/jupyterhub_cookie_secret",
	"srv/jupyterhub/proxy_auth_token",
	"srv/jupyterhub/dhparam.pem",
}

func TestSecretsCreatesThenKeeps(t *testing.T) {
	// With no umask at all, nothing may come out wider than 0600 and 0700.
	defer syscall.Umask(syscall.Umask(0))
	root := t.TempDir()
	code, stdout, stderr := hubgen(t, "secrets", checkSite, "--root", root)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := "created ROOT/srv/jupyterhub/jupyterhub_cookie_secret (hub.cookie_secret_file): 64 hex digits, mode 0600\n" +
		"created ROOT/srv/jupyterhub/proxy_auth_token (hub.proxy_auth_token_file): 64 hex digits, mode 0600\n" +
		"created ROOT/srv/jupyterhub/dhparam.pem (tls.dhparam): 2048-bit group ffdhe2048, mode 0600\n"
	if diff := cmp.Diff(want, strings.ReplaceAll(stdout, root, "ROOT")); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	for _, p := range siteSecrets {
		assertPerm(t, filepath.Join(root, p), 0o600)
	}
	assertPerm(t, filepath.Join(root, "srv"), 0o755)
	assertPerm(t, filepath.Join(root, "srv/jupyterhub"), 0o700)
	before := tree(t, root)

	code, stdout, stderr = hubgen(t, "secrets", checkSite, "--root", root)
	if code != exitOK || stderr != "" || strings.Count(stdout, "kept    ") != 3 || strings.Contains(stdout, "created") {
		t.Errorf("second run: exit %d, stdout %q, stderr %q; want 0 and three files kept", code, stdout, stderr)
	}
	if diff := cmp.Diff(before, tree(t, root)); diff != "" {
		t.Errorf("a second run changed files (-before +after):\n%s", diff)
	}
}

// TestSecretsReportsBadFiles: a file with a wide mode or bad contents exits 1, named with its fix,
// and is left exactly as it was; the missing one is still created.
func TestSecretsReportsBadFiles(t *testing.T) {
	root := t.TempDir()
	cookie := filepath.Join(root, siteSecrets[0])
	token := filepath.Join(root, siteSecrets[1])
	writeMode(t, cookie, strings.Repeat("0f", 32)+"\n", 0o644)
	writeMode(t, token, "letmein\n", 0o600)
	code, stdout, stderr := hubgen(t, "secrets", checkSite, "--root", root)
	if code != exitInvalid {
		t.Errorf("exit %d, want %d", code, exitInvalid)
	}
	wantErr := "hubgen secrets: hub.cookie_secret_file ROOT/srv/jupyterhub/jupyterhub_cookie_secret: has mode 0644, which lets group or others at it (want 0600) (fix: chmod 600 ROOT/srv/jupyterhub/jupyterhub_cookie_secret)\n" +
		"hubgen secrets: hub.proxy_auth_token_file ROOT/srv/jupyterhub/proxy_auth_token: is not hex: it has a character other than 0-9 and a-f (want 64 hex digits) (fix: # if the hub does not use this file, move it aside and make a new one: mv -n ROOT/srv/jupyterhub/proxy_auth_token ROOT/srv/jupyterhub/proxy_auth_token.bad && hubgen secrets testdata/check/site.toml --root ROOT)\n"
	if diff := cmp.Diff(wantErr, strings.ReplaceAll(stderr, root, "ROOT")); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(stdout, "created "+filepath.Join(root, siteSecrets[2])) {
		t.Errorf("stdout %q, want the dhparam file created", stdout)
	}
	assertPerm(t, cookie, 0o644)
	if data, _ := os.ReadFile(token); string(data) != "letmein\n" {
		t.Errorf("the bad token was changed to %q", data)
	}
}

func TestSecretsExitCodes(t *testing.T) {
	blocked := t.TempDir()
	writeMode(t, filepath.Join(blocked, "srv"), "a file where a directory must be", 0o644)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"secrets", "-h"}, exitOK, "usage: hubgen secrets SITE [--root DIR]", ""},
		{"help command", []string{"help", "secrets"}, exitOK, "never overwritten", ""},
		{"invalid site", []string{"secrets", checkInvalid, "--root", t.TempDir()}, exitInvalid, "", "invalid.toml:15:8: hub.port"},
		{"site missing", []string{"secrets", "testdata/check/nosuch.toml", "--root", t.TempDir()}, exitFailure, "", "nosuch.toml"},
		{"no site", []string{"secrets"}, exitFailure, "", "want exactly one site file"},
		{"two sites", []string{"secrets", checkSite, checkOther}, exitFailure, "", "want exactly one site file"},
		{"cannot create", []string{"secrets", checkSite, "--root", blocked}, exitFailure, "", filepath.Join(blocked, "srv/jupyterhub/jupyterhub_cookie_secret") + " (hub.cookie_secret_file): "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := hubgen(t, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

func writeMode(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func assertPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", path, got, want)
	}
}

// TestSecretsEmptyRootIsAUsageError: `--root "$ROOT"` with ROOT unset must not write to the live
// paths. The site's paths are in a fresh temporary directory, so that the test shows what an
// empty root would have written without touching the machine's /srv.
func TestSecretsEmptyRootIsAUsageError(t *testing.T) {
	live := t.TempDir()
	site := filepath.Join(t.TempDir(), "site.toml")
	writeMode(t, site, strings.Replace(readSecretsSite(t, checkSite), "/srv/jupyterhub/dhparam.pem", live+"/dhparam.pem", 1)+"\n[hub]\nstate_dir = \""+live+"/hub\"\n", 0o644)
	code, stdout, stderr := hubgen(t, "secrets", site, "--root", "")
	if code != exitFailure || stdout != "" || !strings.HasPrefix(stderr, "hubgen secrets: --root is empty (give a directory, or leave --root out to write the real paths)\nusage: hubgen secrets ") {
		t.Errorf("secrets --root \"\": exit %d, stdout %q, stderr %q; want exit 2 and the usage error", code, stdout, stderr)
	}
	for name := range tree(t, live) {
		t.Errorf("secrets --root \"\" wrote %s to the live paths", name) // the name only: it is a secret
	}
}

func readSecretsSite(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestSecretsSaysWhatOfTheClientSecret: on an OIDC site, secrets does not make the client secret
// file (the provider issues the secret) but says whether it is there and how to make it, and it
// never prints what the file holds.
func TestSecretsSaysWhatOfTheClientSecret(t *testing.T) {
	root := t.TempDir()
	const site = "../../examples/sso.toml"
	file := filepath.Join(root, "srv/jupyterhub/data201/oauth_client_secret")
	code, stdout, stderr := hubgen(t, "secrets", site, "--root", root)
	want := "todo    " + file + " (auth.client_secret_file): not made by hubgen, since your provider issues the client secret for client_id data201-jupyterhub; create it empty and paste the secret into it: (umask 077 && touch " + file + ") && editor " + file + "\n"
	if code != exitOK || !strings.HasSuffix(stdout, want) || stderr != "" {
		t.Errorf("missing: exit %d, stdout %q, stderr %q; want 0 and the line %q, nothing on stderr (no roster warning either)", code, stdout, stderr, want)
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("secrets made the client secret file")
	}

	const value = "provider-issued-s3cret"
	if err := os.WriteFile(file, []byte(value+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, _ = hubgen(t, "secrets", site, "--root", root)
	if !strings.Contains(stdout, "mode 0644 lets others read the client secret, and the hub refuses it: chmod 600 "+file) {
		t.Errorf("0644: stdout %q, want the chmod line", stdout)
	}
	os.Chmod(file, 0o600)
	_, stdout, stderr = hubgen(t, "secrets", site, "--root", root)
	if !strings.Contains(stdout, "kept    "+file+" (auth.client_secret_file): exists, mode 0600") {
		t.Errorf("0600: stdout %q, want the kept line", stdout)
	}
	if strings.Contains(stdout+stderr, value) {
		t.Error("secrets printed the client secret")
	}
	if data, _ := os.ReadFile(file); string(data) != value+"\n" {
		t.Error("secrets changed the client secret file")
	}
}
