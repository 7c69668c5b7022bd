package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/accounts"
	"github.com/hubgen/hubgen/schema"
)

// memoryMachine is a machine whose accounts are a map; the root test in e2e uses the real one.
type memoryMachine struct {
	uids    map[string]int
	created []string
}

func (m *memoryMachine) Lookup(name string) (accounts.Account, bool, error) {
	uid, ok := m.uids[name]
	return accounts.Account{UID: uid}, ok, nil
}
func (m *memoryMachine) Create(name string) error {
	m.uids[name] = 2000 + len(m.uids)
	m.created = append(m.created, name)
	return nil
}
func (m *memoryMachine) Locked(string) (bool, error)              { return false, nil }
func (m *memoryMachine) SetPasswords([]accounts.Credential) error { return nil }
func (m *memoryMachine) Lock(string) error                        { return nil }
func (m *memoryMachine) Unlock(string) error                      { return nil }

func accountsSite(t *testing.T, extra string) *schema.Site {
	t.Helper()
	site, err := schema.Parse("site.toml", []byte(`domain = "hub.example.edu"
[tls]
cert = "/c.pem"
key = "/k.pem"
[users]
admin = ["prof"]
allowed = ["kendra", "sam"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
[hub]
state_dir = "`+t.TempDir()+`"
`+extra))
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// TestAccountsPasswordsFile: --apply needs somewhere for the new passwords, never overwrites a
// passwords file, writes a new one 0600, and prints the passwords only with --passwords -.
func TestAccountsPasswordsFile(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.csv")
	if err := os.WriteFile(existing, []byte("kendra,from-last-term\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(site *schema.Site, m *memoryMachine, apply bool, passwords string) (int, string, string) {
		var stdout, stderr strings.Builder
		code := accountsFor(&env{stdout: &stdout, stderr: &stderr}, site, m, apply, passwords)
		return code, stdout.String(), stderr.String()
	}
	newMachine := func() *memoryMachine { return &memoryMachine{uids: map[string]int{"prof": 1000}} }

	site := accountsSite(t, "")
	m := newMachine()
	code, stdout, _ := run(site, m, false, "")
	if code != exitOK || !strings.Contains(stdout, "create  kendra\ncreate  sam\nkeep    prof (an account hubgen did not make") || len(m.created) > 0 {
		t.Errorf("plan: exit %d, %q, created %v; want the plan and no change", code, stdout, m.created)
	}

	code, _, stderr := run(site, m, true, "")
	if code != exitFailure || !strings.Contains(stderr, "give --passwords FILE") || len(m.created) > 0 {
		t.Errorf("--apply without --passwords: exit %d, %q, created %v; want exit 2 and no change", code, stderr, m.created)
	}
	code, _, stderr = run(site, m, true, existing)
	data, _ := os.ReadFile(existing)
	if code != exitFailure || !strings.Contains(stderr, "never overwrites a passwords file") || string(data) != "kendra,from-last-term\n" || len(m.created) > 0 {
		t.Errorf("--passwords with an existing file: exit %d, %q, file %q, created %v; want exit 2, the file as it was", code, stderr, data, m.created)
	}

	fresh := filepath.Join(dir, "new.csv")
	code, stdout, _ = run(site, m, true, fresh)
	info, err := os.Stat(fresh)
	if code != exitOK || err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("--apply --passwords new.csv: exit %d, %v, mode %v; want 0 and a 0600 file", code, err, info.Mode().Perm())
	}
	data, _ = os.ReadFile(fresh)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if _, password, _ := strings.Cut(line, ","); password == "" || strings.Contains(stdout, password) {
			t.Errorf("line %q: no password, or it is printed: %q", line, stdout)
		}
	}

	m = newMachine()
	site = accountsSite(t, "")
	code, stdout, stderr = run(site, m, true, "-")
	if code != exitOK || strings.Count(stdout, "\n") != 2 || !strings.HasPrefix(stdout, "kendra,") || !strings.Contains(stderr, "created  kendra") {
		t.Errorf("--passwords -: exit %d, stdout %q, stderr %q; want only the two lines on stdout", code, stdout, stderr)
	}
}

// TestAccountsOAuthSite: an OIDC or GitHub site's accounts are the hub's to make.
func TestAccountsOAuthSite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "site.toml")
	if err := os.WriteFile(path, []byte(`domain = "hub.example.edu"
[tls]
cert = "/c.pem"
key = "/k.pem"
[users]
admin = ["prof"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
[auth]
type = "github"
client_id = "abc"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := hubgen(t, "accounts", path, "--apply")
	if code != exitInvalid || !strings.Contains(stderr, `auth.type is "github": the hub makes each user's account`) {
		t.Errorf("exit %d, %q; want 1 and why", code, stderr)
	}
}
