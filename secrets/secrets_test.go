package secrets

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/schema"
)

// mozillaFFDHE2048 is https://ssl-config.mozilla.org/ffdhe2048.txt, the file Mozilla's guidelines
// tell nginx users to download: an encoding of the group made elsewhere.
const mozillaFFDHE2048 = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
`

func TestFFDHE2048IsMozillasFile(t *testing.T) {
	if got := string(FFDHE2048()); got != mozillaFFDHE2048 {
		t.Errorf("FFDHE2048() =\n%s\nwant Mozilla's ffdhe2048.txt:\n%s", got, mozillaFFDHE2048)
	}
}

// TestFFDHE2048OpenSSL has OpenSSL, which knows RFC 7919's groups by their numbers, name the
// group: "GROUP: ffdhe2048" means p and g are exactly the RFC's.
func TestFFDHE2048OpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	path := filepath.Join(t.TempDir(), "dhparam.pem")
	if err := os.WriteFile(path, FFDHE2048(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "dhparam", "-in", path, "-check", "-text", "-noout").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl dhparam -check: %v\n%s", err, out)
	}
	for _, want := range []string{"DH Parameters: (2048 bit)", "GROUP: ffdhe2048", "DH parameters appear to be ok"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl dhparam -check -text says:\n%s\nwant %q in it", out, want)
		}
	}
}

// TestX942DHParams: `openssl dhparam -dsaparam` writes X9.42 parameters, which nginx takes; a
// 2048-bit one is accepted, and a 1024-bit one refused for its size (so its p was read).
func TestX942DHParams(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		testsys.SkipOrFail(t, "openssl is not installed")
	}
	for bits, want := range map[string]string{"2048": "2048-bit DH prime, mode 0600", "1024": "has a 1024-bit DH prime"} {
		path := filepath.Join(t.TempDir(), "dhparam.pem")
		if out, err := exec.Command(openssl, "dhparam", "-dsaparam", "-out", path, bits).CombinedOutput(); err != nil {
			t.Fatalf("openssl dhparam -dsaparam %s: %v\n%s", bits, err, out)
		}
		if err := os.Chmod(path, Mode); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte("BEGIN X9.42 DH PARAMETERS")) {
			t.Fatalf("openssl dhparam -dsaparam wrote no X9.42 block:\n%s", data)
		}
		desc, err := Check(path, DHParams)
		got := desc
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s-bit X9.42 parameters: %q, want %q", bits, got, want)
		}
	}
}

func dhPEM(t *testing.T, p, g *big.Int) string {
	t.Helper()
	der, err := asn1.Marshal(struct{ P, G *big.Int }{p, g})
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: der}))
}

func TestCheck(t *testing.T) {
	const token = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	odd1024 := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 1023), big.NewInt(1))
	odd3072 := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 3071), big.NewInt(1))
	cert := "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
	tests := []struct {
		name    string
		kind    Kind
		content string // "" with dir: a directory; "-" : no file
		mode    fs.FileMode
		dir     bool
		reason  Reason
		want    string // in the description or the message
	}{
		{"token", Token, token + "\n", 0o600, false, 0, "64 hex digits, mode 0600"},
		{"token without newline, spaces around", Token, "  " + strings.ToUpper(token) + " \r\n", 0o400, false, 0, "mode 0400"},
		{"missing", Token, "-", 0, false, Missing, "does not exist"},
		{"directory", Token, "", 0o700, true, Malformed, "is not a regular file"},
		{"dangling symlink", Token, "->", 0, false, Malformed, "is a symlink to a file that does not exist"},
		{"readable by group", Token, token + "\n", 0o640, false, WrongMode, "has mode 0640, which lets group or others at it (want 0600)"},
		{"readable by others", Token, token + "\n", 0o604, false, WrongMode, "has mode 0604"},
		{"empty", Token, "\n", 0o600, false, Malformed, "is empty (want 64 hex digits)"},
		{"short", Token, token[:32] + "\n", 0o600, false, Malformed, "has 32 hex digits (want 64, 32 random bytes)"},
		{"not hex", Token, "correct horse battery staple\n", 0o600, false, Malformed, "is not hex"},
		{"dhparam", DHParams, mozillaFFDHE2048, 0o600, false, 0, "2048-bit group ffdhe2048, mode 0600"},
		{"dhparam after another block", DHParams, cert + mozillaFFDHE2048, 0o600, false, 0, "2048-bit group ffdhe2048"},
		{"dhparam 3072", DHParams, dhPEM(t, odd3072, big.NewInt(2)), 0o600, false, 0, "3072-bit DH prime"},
		{"dhparam 1024", DHParams, dhPEM(t, odd1024, big.NewInt(2)), 0o600, false, Malformed, "has a 1024-bit DH prime (at least 2048 bits)"},
		{"dhparam generator 1", DHParams, dhPEM(t, odd3072, big.NewInt(1)), 0o600, false, Malformed, "generator outside 2..p-2"},
		{"dhparam not PEM", DHParams, "hello\n", 0o600, false, Malformed, `has no PEM "DH PARAMETERS" or "X9.42 DH PARAMETERS" block`},
		{"X9.42 bad DER", DHParams, "-----BEGIN X9.42 DH PARAMETERS-----\nMAA=\n-----END X9.42 DH PARAMETERS-----\n", 0o600, false, Malformed, "has a X9.42 DH PARAMETERS block that does not parse"},
		{"dhparam bad DER", DHParams, "-----BEGIN DH PARAMETERS-----\nMAA=\n-----END DH PARAMETERS-----\n", 0o600, false, Malformed, "does not parse"},
		// DH parameters are public: every client sees them in the handshake. Only writing is wrong.
		{"dhparam readable by others", DHParams, mozillaFFDHE2048, 0o644, false, 0, "2048-bit group ffdhe2048, mode 0644"},
		{"dhparam writable by group", DHParams, mozillaFFDHE2048, 0o664, false, WrongMode, "has mode 0664, which lets group or others change it (want 0600, or 0644: DH parameters are public)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secret")
			switch {
			case tt.dir:
				if err := os.Mkdir(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			case tt.content == "->":
				if err := os.Symlink("nowhere", path); err != nil {
					t.Fatal(err)
				}
			case tt.content != "-":
				writeFile(t, path, tt.content, tt.mode)
			}
			desc, err := Check(path, tt.kind)
			if tt.reason == 0 {
				if err != nil || !strings.Contains(desc, tt.want) {
					t.Fatalf("Check = %q, %v; want a description with %q", desc, err, tt.want)
				}
				return
			}
			var serr *Error
			if !errors.As(err, &serr) || serr.Reason != tt.reason {
				t.Fatalf("Check = %q, %v; want an *Error with reason %d", desc, err, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q, want it to start with the path and say %q", err, tt.want)
			}
		})
	}
}

// TestCheckNeverQuotesTheSecret: a malformed secret is still a secret, or most of one.
func TestCheckNeverQuotesTheSecret(t *testing.T) {
	for _, content := range []string{
		"7f3a9c2b5e8d1f4a6c0b9e2d5f8a1c4b7e0d3f6a9c2b5e8d1f4a6c0b9e2d5f8\n", // 63 digits
		"7f3a9c2b5e8d1f4a6c0b9e2d5f8a1c4b7e0d3f6a9c2b5e8d1f4a6c0b9e2d5f8a1c\n",
		"hunter2-hunter2-hunter2\n",
		"7f3a9c2b5e8d1f4a 6c0b9e2d5f8a1c4b7e0d3f6a9c2b5e8d1f4a6c0b9e2d5f8a\n",
	} {
		path := filepath.Join(t.TempDir(), "secret")
		writeFile(t, path, content, 0o600)
		_, err := Check(path, Token)
		if err == nil {
			t.Fatalf("Check accepted %q", content)
		}
		for _, part := range strings.Fields(content) {
			for i := 0; i+8 <= len(part); i++ {
				if strings.Contains(err.Error(), part[i:i+8]) {
					t.Fatalf("message %q quotes the file's contents", err)
				}
			}
		}
	}
}

func site(t *testing.T, dhparam bool) *schema.Site {
	t.Helper()
	text := `domain = "hub.example.edu"
[tls]
cert = "/etc/ssl/hub.pem"
key = "/etc/ssl/hub.key"
`
	if dhparam {
		text += `dhparam = "/etc/hubgen/tls/dhparam.pem"` + "\n"
	}
	text += `[users]
admin = ["prof"]
[spawner]
cmd = "/usr/bin/jupyterhub-singleuser"
[hub]
state_dir = "/srv/hub"
proxy_auth_token_file = "/srv/hub/secret/proxy_token"
`
	s, err := schema.Parse("site.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEnsureCreates(t *testing.T) {
	// With no umask at all, nothing may come out wider than 0600, 0700 and 0755 for parents.
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	root := t.TempDir()
	results, err := Ensure(root, site(t, true))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/srv/hub/jupyterhub_cookie_secret": "64 hex digits, mode 0600",
		"/srv/hub/secret/proxy_token":       "64 hex digits, mode 0600",
		"/etc/hubgen/tls/dhparam.pem":       "2048-bit group ffdhe2048, mode 0600",
	}
	if len(results) != len(want) {
		t.Fatalf("Ensure made %d results, want %d", len(results), len(want))
	}
	for _, r := range results {
		if !r.Created || r.Err != nil || r.Detail != want[r.File.Path] || r.Path != filepath.Join(root, r.File.Path) {
			t.Errorf("%s: %+v, want created at %s, %q", r.File.Path, r, filepath.Join(root, r.File.Path), want[r.File.Path])
		}
		assertMode(t, r.Path, 0o600)
	}
	// Only a secret's own directory is private: an image's /etc made 0700 would lock every
	// other program out of it.
	for _, dir := range []string{"srv/hub", "srv/hub/secret", "etc/hubgen/tls"} {
		assertMode(t, filepath.Join(root, dir), fs.ModeDir|0o700)
	}
	for _, dir := range []string{"srv", "etc", "etc/hubgen"} {
		assertMode(t, filepath.Join(root, dir), fs.ModeDir|0o755)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "srv/hub"))
	for _, e := range entries {
		if strings.Contains(e.Name(), "hubgen-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	a, _ := os.ReadFile(results[0].Path)
	b, _ := os.ReadFile(results[1].Path)
	if bytes.Equal(a, b) {
		t.Error("the cookie secret and the proxy token are the same")
	}

	// A second run keeps every file as it is.
	again, err := Ensure(root, site(t, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if r.Created || r.Err != nil {
			t.Errorf("second run: %+v, want kept", r)
		}
	}
	if a2, _ := os.ReadFile(results[0].Path); !bytes.Equal(a, a2) {
		t.Error("a second run changed the cookie secret")
	}
}

// TestEnsureKeepsExistingDirectories: a directory that exists keeps its mode; only the ones
// Ensure makes are 0700.
func TestEnsureKeepsExistingDirectories(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "srv/hub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "srv/hub"), 0o751); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(root, site(t, false)); err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(root, "srv/hub"), fs.ModeDir|0o751)
	assertMode(t, filepath.Join(root, "srv/hub/secret"), fs.ModeDir|0o700)
	if _, err := os.Stat(filepath.Join(root, "etc/hubgen")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("without tls.dhparam, no DH parameters are written: %v", err)
	}
}

func TestEnsureNeverOverwrites(t *testing.T) {
	root := t.TempDir()
	cookie := filepath.Join(root, "srv/hub/jupyterhub_cookie_secret")
	token := filepath.Join(root, "srv/hub/secret/proxy_token")
	writeFile(t, cookie, "not a secret at all\n", 0o600)
	writeFile(t, token, strings.Repeat("ab", 32)+"\n", 0o644)
	results, err := Ensure(root, site(t, false))
	if err != nil {
		t.Fatal(err)
	}
	var reasons []Reason
	for _, r := range results {
		var serr *Error
		if r.Created || !errors.As(r.Err, &serr) {
			t.Fatalf("%s: %+v, want a problem reported", r.Path, r)
		}
		reasons = append(reasons, serr.Reason)
	}
	if reasons[0] != Malformed || reasons[1] != WrongMode {
		t.Errorf("reasons %v, want [Malformed WrongMode]", reasons)
	}
	if data, _ := os.ReadFile(cookie); string(data) != "not a secret at all\n" {
		t.Errorf("the malformed cookie secret was changed to %q", data)
	}
	assertMode(t, token, 0o644) // reported, not silently fixed
}

func TestEnsureFailsToCreate(t *testing.T) {
	root := t.TempDir()
	// A file where a directory must be.
	writeFile(t, filepath.Join(root, "srv"), "", 0o644)
	_, err := Ensure(root, site(t, false))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "srv/hub/jupyterhub_cookie_secret")+" (hub.cookie_secret_file): ") {
		t.Errorf("Ensure = %v, want an error naming the file and its key", err)
	}
}

func writeFile(t *testing.T, path, content string, mode fs.FileMode) {
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

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != want {
		t.Errorf("%s has mode %v, want %v", path, info.Mode(), want)
	}
}
