package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/doctor"
)

// fakeUsers has doctor see checkSite's users on this machine; the real nginx runs when this test
// may run it (root, for its log files), and is skipped otherwise.
func fakeUsers(t *testing.T) {
	t.Helper()
	saved := doctorSystem
	t.Cleanup(func() { doctorSystem = saved })
	doctorSystem = func(root, site string) doctor.System {
		sys := doctor.Local(root, site)
		sys.LookupUser = func(name string) (bool, error) {
			return name == "prof" || name == "kendra" || name == "sam", nil
		}
		if os.Geteuid() != 0 {
			sys.Nginx = ""
		}
		return sys
	}
}

// freshServer does what an administrator does on a new machine, under a root: hubgen secrets,
// a certificate (self-signed here), the hub's programs, hubgen render -o ROOT/etc.
func freshServer(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if code, _, stderr := hubgen(t, "secrets", checkSite, "--root", root); code != exitOK {
		t.Fatalf("secrets: exit %d: %s", code, stderr)
	}
	writeSelfSigned(t, filepath.Join(root, "etc/ssl/hub/fullchain.pem"), filepath.Join(root, "etc/ssl/hub/privkey.pem"), "hub.example.edu")
	writeMode(t, filepath.Join(root, "opt/hub/bin/jupyterhub"), "#!/bin/sh\n", 0o755)
	writeMode(t, filepath.Join(root, "opt/hub/bin/jupyterhub-singleuser"), "#!/bin/sh\n", 0o755)
	// The hub's Python, which doctor asks to import the culler: this one imports anything.
	writeMode(t, filepath.Join(root, "opt/hub/bin/python3"), "#!/bin/sh\n", 0o755)
	if code, _, stderr := hubgen(t, "render", checkSite, "-o", filepath.Join(root, "etc")); code != exitOK {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	return root
}

func writeSelfSigned(t *testing.T, certPath, keyPath, domain string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: domain},
		DNSNames:     []string{domain},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writeMode(t, certPath, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644)
	writeMode(t, keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), 0o600)
}

var doctorLine = regexp.MustCompile(`^(ok  |warn|FAIL|skip)  [a-z._ -]+: .+$`)

// TestDoctorFreshRoot: secrets, then render, then doctor on a new root passes, one line per check.
func TestDoctorFreshRoot(t *testing.T) {
	fakeUsers(t)
	root := freshServer(t)
	before := tree(t, root)
	code, stdout, stderr := hubgen(t, "doctor", checkSite, "--root", root)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	// The one warning: the site keeps the default of serving users' servers under the hub's host.
	if got, want := lines[len(lines)-1], "17 checks: 0 failed, 1 warnings"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	for _, line := range lines[:len(lines)-1] {
		if strings.HasPrefix(line, "warn  user subdomains: hub.user_subdomains is off") || strings.HasPrefix(line, "      fix: # set user_subdomains = true") {
			continue
		}
		if !doctorLine.MatchString(line) || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "warn") {
			t.Errorf("line %q, want ok or skip", line)
		}
	}
	if os.Geteuid() == 0 && doctor.Local("", "").Nginx != "" && !strings.Contains(stdout, "ok    nginx -t: ") {
		t.Errorf("nginx is installed but nginx -t did not pass:\n%s", stdout)
	}
	if diff := cmp.Diff(before, tree(t, root)); diff != "" {
		t.Errorf("doctor changed files (-before +after):\n%s", diff)
	}
}

func TestDoctorFailureExitsOne(t *testing.T) {
	fakeUsers(t)
	root := freshServer(t)
	if err := os.Remove(filepath.Join(root, siteSecrets[0])); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "etc/ssl/hub/privkey.pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := hubgen(t, "doctor", checkSite, "--root", root)
	if code != exitInvalid {
		t.Errorf("exit %d, want %d", code, exitInvalid)
	}
	out := strings.ReplaceAll(stdout, root, "ROOT")
	for _, want := range []string{
		"FAIL  private key mode: tls.key ROOT/etc/ssl/hub/privkey.pem: mode 0644 lets group or others read the private key\n      fix: chmod 600 ROOT/etc/ssl/hub/privkey.pem\n",
		"FAIL  cookie secret: hub.cookie_secret_file ROOT/srv/jupyterhub/jupyterhub_cookie_secret: does not exist\n      fix: hubgen secrets testdata/check/site.toml --root ROOT\n",
		"17 checks: 2 failed, 1 warnings\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// Each fix, run, makes doctor pass again.
	if code, _, _ := hubgen(t, "secrets", checkSite, "--root", root); code != exitOK {
		t.Fatal("secrets did not recreate the cookie secret")
	}
	if err := os.Chmod(filepath.Join(root, "etc/ssl/hub/privkey.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := hubgen(t, "doctor", checkSite, "--root", root); code != exitOK {
		t.Errorf("after the fixes: exit %d\n%s", code, stdout)
	}
}

func TestDoctorExitCodes(t *testing.T) {
	fakeUsers(t)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"doctor", "-h"}, exitOK, "usage: hubgen doctor SITE [--root DIR]", ""},
		{"help lists the checks", []string{"help", "doctor"}, exitOK, "certificate expiry   not expired; a warning under 14 days left", ""},
		{"invalid site", []string{"doctor", checkInvalid}, exitInvalid, "", "invalid.toml:15:8: hub.port"},
		{"site missing", []string{"doctor", "testdata/check/nosuch.toml"}, exitFailure, "", "nosuch.toml"},
		{"no site", []string{"doctor"}, exitFailure, "", "want exactly one site file"},
		{"two sites", []string{"doctor", checkSite, checkOther}, exitFailure, "", "want exactly one site file"},
		{"empty root fails", []string{"doctor", checkSite, "--root", t.TempDir()}, exitInvalid, "FAIL  certificate: ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := hubgen(t, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestNoCommandLeaksASecret runs every command on a server, good and with broken secret files,
// with no umask: no output holds any part of a secret, and no secret file or its directory is
// wider than 0600 and 0700.
func TestNoCommandLeaksASecret(t *testing.T) {
	fakeUsers(t)
	defer syscall.Umask(syscall.Umask(0))
	root := freshServer(t)
	var outputs []string
	runAll := func() {
		for _, args := range [][]string{
			{"secrets", checkSite, "--root", root},
			{"doctor", checkSite, "--root", root},
			{"check", checkSite, "--against", filepath.Join(root, "etc")},
			{"check", checkSite, "--against", filepath.Join(root, "etc"), "--format", "github"},
			{"render", checkSite},
			{"validate", checkSite},
		} {
			_, stdout, stderr := hubgen(t, args...)
			outputs = append(outputs, stdout, stderr)
		}
	}
	runAll()
	secretsBefore := readSecrets(t, root)

	// Broken secrets are still secrets: a good one others can read, and one a digit short.
	cookie, token := filepath.Join(root, siteSecrets[0]), filepath.Join(root, siteSecrets[1])
	if err := os.Chmod(cookie, 0o644); err != nil {
		t.Fatal(err)
	}
	short := strings.TrimSpace(secretsBefore[1])[1:] + "\n"
	writeMode(t, token, short, 0o600)
	runAll()

	for i, s := range append(secretsBefore, short) {
		s = strings.TrimSpace(s)
		if i == 2 {
			continue // the DH parameters are public, the same on every server
		}
		for _, out := range outputs {
			for j := 0; j+12 <= len(s); j++ {
				if strings.Contains(out, s[j:j+12]) {
					t.Fatalf("output holds part of secret %d:\n%s", i, out)
				}
			}
		}
	}
	err := filepath.WalkDir(filepath.Join(root, "srv"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		switch {
		case p == filepath.Join(root, "srv"):
			want = 0o755 // a parent of the secrets' directory, not theirs
		case d.IsDir():
			want = 0o700
		}
		if p == cookie {
			want = 0o644 // broken by the test, and reported rather than changed
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %#o, want %#o", p, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readSecrets(t *testing.T, root string) []string {
	t.Helper()
	var all []string
	for _, p := range siteSecrets {
		data, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, string(data))
	}
	return all
}
