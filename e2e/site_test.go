package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// testDomain is the site's domain in the session tests. The client dials 127.0.0.1 whatever the
// name, so it needs no DNS; .test is reserved for this (RFC 6761).
const testDomain = "notebooks.e2e.test"

// certificate is a throw-away self-signed certificate and its key, as files.
type certificate struct {
	Cert, Key string
}

// makeCertificate writes a self-signed certificate for domain into dir. The key is 0600 like a
// real one: nginx reads it as root before it starts its workers.
func makeCertificate(t *testing.T, dir, domain string) certificate {
	t.Helper()
	return makeCertificateFor(t, dir, domain)
}

// makeCertificateFor writes a self-signed certificate for names, the first its subject, into dir.
func makeCertificateFor(t *testing.T, dir string, names ...string) certificate {
	domain := names[0]
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: domain},
		DNSNames:              names,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := certificate{Cert: filepath.Join(dir, "fullchain.pem"), Key: filepath.Join(dir, "privkey.pem")}
	writeFile(t, c.Cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	writeFile(t, c.Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	return c
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; secrets and keys must be exactly this.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// siteParams are what the live tests choose for a site; document makes its site.toml.
type siteParams struct {
	BaseURL                                                string
	HTTPPort, HTTPSPort, HubPort, HubAPIPort, ProxyAPIPort int
	Cert                                                   certificate
	StateDir, Webroot, PIDFile                             string
	Admins, Allowed                                        []string
	Nginx                                                  string // nginx.version: the stack's
	DefaultURL                                             string // spawner.default_url; none when empty
	UserSubdomains                                         bool   // hub.user_subdomains
}

func (p siteParams) document() map[string]any {
	site := map[string]any{
		"domain":  testDomain,
		"tls":     map[string]any{"cert": p.Cert.Cert, "key": p.Cert.Key},
		"users":   map[string]any{"admin": p.Admins, "allowed": p.Allowed},
		"spawner": map[string]any{"cmd": []string{singleuserProgram}},
		"hub": map[string]any{
			"port":           p.HubPort,
			"hub_port":       p.HubAPIPort,
			"proxy_api_port": p.ProxyAPIPort,
			"base_url":       p.BaseURL,
			"state_dir":      p.StateDir,
		},
		"nginx": map[string]any{
			"http_port":  p.HTTPPort,
			"https_port": p.HTTPSPort,
			// The ports were checked free on 127.0.0.1 only, and a container may lack ::1.
			"ipv6":         false,
			"acme_webroot": p.Webroot,
			"pid":          p.PIDFile,
		},
	}
	if p.DefaultURL != "" {
		table(site, "spawner")["default_url"] = p.DefaultURL
	}
	if p.UserSubdomains {
		table(site, "hub")["user_subdomains"] = true
	}
	if p.Nginx != "" {
		table(site, "nginx")["version"] = p.Nginx
	}
	return site
}

// writeSite encodes a site document as TOML at path.
func writeSite(t *testing.T, path string, site map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(site); err != nil {
		t.Fatalf("encode %s: %v", path, err)
	}
	writeFile(t, path, buf.Bytes(), 0o644)
}

// table returns site[name] as a table, adding an empty one if the site has none.
func table(site map[string]any, name string) map[string]any {
	if tbl, ok := site[name].(map[string]any); ok {
		return tbl
	}
	tbl := map[string]any{}
	site[name] = tbl
	return tbl
}

// Test ports come from below Linux's ephemeral range (32768 and up by default): a port picked
// there could be taken, between the check and nginx's bind, by any outgoing connection on the
// machine, such as the hub talking to its proxy. Below it only explicit binds compete, and the
// counter keeps this package's tests from picking the same port twice.
const (
	firstTestPort = 20000
	lastTestPort  = 32000
)

var nextTestPort atomic.Int64

func init() {
	// A random start, so that two test runs at once (say two checkouts) rarely meet.
	n, err := rand.Int(rand.Reader, big.NewInt(lastTestPort-firstTestPort))
	if err != nil {
		panic(err)
	}
	nextTestPort.Store(firstTestPort + n.Int64())
}

// freePorts returns n distinct loopback ports that were free a moment ago and that the kernel
// does not hand out to outgoing connections.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		if tries > lastTestPort-firstTestPort {
			t.Fatalf("no free port between %d and %d", firstTestPort, lastTestPort)
		}
		p := int(firstTestPort + (nextTestPort.Add(1)-firstTestPort)%(lastTestPort-firstTestPort))
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		ports = append(ports, p)
	}
	return ports
}

// worldReadableDir makes a directory nginx's www-data workers can read: t.TempDir's directories
// are 0700 and root's, so files served from them would be 403.
func worldReadableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hubgen-e2e-www-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// randomHex returns n random bytes as hex.
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// secretFiles are the files `hubgen secrets` creates for a site; empty paths are not wanted.
type secretFiles struct {
	CookieSecret, ProxyToken, DHParam string
}

// makeSecrets creates a site's secret files the way an administrator would, with `hubgen secrets`,
// and checks they are 0600, since JupyterHub refuses a cookie secret others can read.
func makeSecrets(t *testing.T, sitePath string, f secretFiles) {
	t.Helper()
	runHubgen(t, "secrets", sitePath)
	for _, path := range []string{f.CookieSecret, f.ProxyToken, f.DHParam} {
		if path == "" {
			continue
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatalf("secret file: %v", err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %#o, want 0600", path, mode)
		}
	}
}

// hubOnlySite is the site of a test that runs the hub without nginx: its five ports free on
// 127.0.0.1, the state directory and nginx's files under dir (nginx is not started), and the given
// users. Tests change its document before renderHubSite writes it.
func hubOnlySite(t *testing.T, dir string, admins, allowed []string) siteParams {
	t.Helper()
	ports := freePorts(t, 5)
	return siteParams{
		BaseURL: "/",
		HubPort: ports[0], HubAPIPort: ports[1], ProxyAPIPort: ports[2],
		HTTPPort: ports[3], HTTPSPort: ports[4],
		Cert:     certificate{Cert: filepath.Join(dir, "fullchain.pem"), Key: filepath.Join(dir, "privkey.pem")},
		StateDir: filepath.Join(dir, "state"),
		Webroot:  dir,
		PIDFile:  filepath.Join(dir, "nginx.pid"),
		Admins:   admins,
		Allowed:  allowed,
	}
}

// renderHubSite writes site as dir/site.toml, makes its secrets in stateDir as an administrator
// would, and renders it into dir/root. It returns the site file's path and the root.
func renderHubSite(t *testing.T, dir, stateDir string, site map[string]any) (sitePath, root string) {
	t.Helper()
	sitePath = filepath.Join(dir, "site.toml")
	writeSite(t, sitePath, site)
	makeSecrets(t, sitePath, secretFiles{
		CookieSecret: filepath.Join(stateDir, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(stateDir, "proxy_auth_token"),
	})
	root = filepath.Join(dir, "root")
	runHubgen(t, "render", sitePath, "-o", root)
	return sitePath, root
}
