package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// certbotProgram is Debian's certbot (the package certbot), on this machine: the Debian 13 root
// has none, and the test runs the same certbot against either stack's nginx over loopback.
const certbotProgram = "/usr/bin/certbot"

// TestCertificateIssueAndRenew gets a certificate and renews it the way README's "Certificates"
// section says, through the rendered nginx, from a real ACME server (Let's Encrypt's Pebble, built
// by scripts/pebble.sh) with Debian's certbot: a stand-in pair lets nginx start with TLS, certbot
// answers the http-01 challenge from nginx.acme_webroot through nginx's port-80 block, and its
// deploy hook reloads nginx. Then `certbot renew --force-renewal` with nginx running, which must
// validate through nginx again (Pebble reuses no authorization here) and, through the stored
// hook alone, make nginx serve the new certificate: the serial nginx sends over a real TLS
// connection is compared with the one in certbot's live directory each time.
func TestCertificateIssueAndRenew(t *testing.T) {
	pebbleDir := pebbleBinaries(t)
	if _, err := os.Stat(certbotProgram); err != nil {
		unavailableE2E(t, "no %s: apt-get install certbot", certbotProgram)
	}
	forEachStack(t, func(t *testing.T, st *stack) { checkCertificateIssueAndRenew(t, st, pebbleDir) })
}

func checkCertificateIssueAndRenew(t *testing.T, st *stack, pebbleDir string) {
	dir := t.TempDir()
	dumpLogsOnFailure(t, map[string]string{
		"pebble":                filepath.Join(dir, "pebble.log"),
		"pebble-challtestsrv":   filepath.Join(dir, "challtestsrv.log"),
		"nginx":                 filepath.Join(dir, "nginx.log"),
		"nginx error_log (new)": filepath.Join(dir, "nginx-error.log"),
		"certbot":               filepath.Join(dir, "letsencrypt-logs", "letsencrypt.log"),
	})
	// Pebble validates http-01 on the one port its configuration names: the site's nginx.http_port.
	ports := freePorts(t, 10)
	httpPort, httpsPort := ports[0], ports[1]
	acmePort, acmeManagementPort, tlsALPNPort, dnsPort, dnsManagementPort := ports[5], ports[6], ports[7], ports[8], ports[9]

	// certbot's own directories, as --config-dir and friends; /etc/letsencrypt on a server.
	configDir := filepath.Join(dir, "letsencrypt")
	name := testDomain // the certificate's name in certbot: live/NAME/, renewal/NAME.conf
	live := filepath.Join(configDir, "live", name)
	webroot := worldReadableDir(t)
	pidFile := filepath.Join(dir, "nginx.pid")
	sitePath := filepath.Join(dir, "site.toml")
	writeSite(t, sitePath, siteParams{
		BaseURL:  "/",
		HTTPPort: httpPort, HTTPSPort: httpsPort,
		HubPort: ports[2], HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:     certificate{Cert: filepath.Join(live, "fullchain.pem"), Key: filepath.Join(live, "privkey.pem")},
		StateDir: filepath.Join(dir, "state"),
		Webroot:  webroot,
		PIDFile:  pidFile,
		Admins:   []string{"prof"},
		Nginx:    st.nginxVersion(t),
	}.document())
	root := filepath.Join(dir, "root")
	runHubgen(t, "render", sitePath, "-o", root)

	// The bootstrap, step 1: a stand-in pair at the site's paths (README's openssl line), so that
	// nginx can start with its TLS server and answer challenges on the http port.
	if err := os.MkdirAll(live, 0o700); err != nil {
		t.Fatal(err)
	}
	mustRun(t, time.Minute, dir, nil, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
		"-subj", "/CN=stand-in", "-keyout", filepath.Join(live, "privkey.pem"), "-out", filepath.Join(live, "fullchain.pem"))
	startNginx(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir, httpPort, httpsPort)
	standIn := servedSerial(t, httpsPort)

	startPebble(t, pebbleDir, dir, acmePort, acmeManagementPort, httpPort, tlsALPNPort, dnsPort, dnsManagementPort)

	// Step 2: certbot makes live/NAME itself and refuses one that exists, so the stand-in goes
	// aside (nginx keeps the pair it loaded); certbot gets the certificate through nginx, and its
	// deploy hook reloads nginx. On a server the hook is `systemctl reload nginx`; this nginx
	// runs in the foreground under the test, and SIGHUP is what that reload sends it.
	if err := os.Rename(live, live+".stand-in"); err != nil {
		t.Fatal(err)
	}
	reload := "kill -HUP \"$(cat " + pidFile + ")\""
	certbot(t, dir, acmePort, "certonly", "--webroot", "-w", webroot, "-d", testDomain, "--cert-name", name,
		"--deploy-hook", reload)
	if err := os.RemoveAll(live + ".stand-in"); err != nil {
		t.Fatal(err)
	}
	issued := waitForServedSerial(t, httpsPort, live)
	if issued.Cmp(standIn) == 0 {
		t.Fatalf("%s: certbot's certificate has the stand-in's serial %x", st.Name, issued)
	}
	t.Logf("%s: issued through nginx, serving serial %x", st.Name, issued)

	// What renewal will do, as certbot recorded it in renewal/NAME.conf, judged by hubgen doctor:
	// webroot, at nginx.acme_webroot, with a hook that reloads nginx.
	if line := doctorLine(t, doctorIn(t, st, sitePath), "certificate renewal"); !strings.HasPrefix(line, "ok") || !strings.Contains(line, "authenticator webroot") {
		t.Errorf("%s: after the documented bootstrap doctor says\n%s\nwant ok, authenticator webroot\n%s", st.Name, line, readFile(t, filepath.Join(configDir, "renewal", name+".conf")))
	}

	// Renewal with nginx running: the challenge goes through nginx again, and the stored deploy
	// hook alone reloads it.
	// Without a terminal certbot renew first sleeps up to 8 minutes, so that the world's cron jobs
	// do not all ask Let's Encrypt at once; the test has no such neighbours.
	certbot(t, dir, acmePort, "renew", "--force-renewal", "--cert-name", name, "--no-random-sleep-on-renew")
	renewed := waitForServedSerial(t, httpsPort, live)
	if renewed.Cmp(issued) == 0 {
		t.Fatalf("%s: after certbot renew --force-renewal nginx still serves serial %x", st.Name, issued)
	}
	t.Logf("%s: renewed with nginx running, serving serial %x", st.Name, renewed)
}

// pebbleBinaries builds Pebble once per machine with scripts/pebble.sh and returns the directory
// holding pebble and pebble-challtestsrv.
func pebbleBinaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the end-to-end tests start nginx and JupyterHub and take minutes")
	}
	if _, err := exec.LookPath("go"); err != nil {
		unavailableE2E(t, "no go command to build Pebble with (scripts/pebble.sh): %v", err)
	}
	out, err := exec.Command("sh", "../scripts/pebble.sh").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		unavailableE2E(t, "scripts/pebble.sh: %v\n%s", err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// unavailableE2E skips the test, or fails it under HUBGEN_E2E=require (as CI sets it).
func unavailableE2E(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("HUBGEN_E2E") == "require" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (HUBGEN_E2E=require makes this a failure)", args...)
}

// startPebble runs pebble-challtestsrv as the DNS server that sends every name to 127.0.0.1 (the
// test domain is not in any real DNS), and Pebble on loopback, validating http-01 on httpPort.
func startPebble(t *testing.T, pebbleDir, dir string, acmePort, managementPort, httpPort, tlsALPNPort, dnsPort, dnsManagementPort int) {
	t.Helper()
	dns := startProcess(t, hostStack, "pebble-challtestsrv", filepath.Join(dir, "challtestsrv.log"), dir, nil,
		filepath.Join(pebbleDir, "pebble-challtestsrv"),
		"-dnsserver", "127.0.0.1:"+strconv.Itoa(dnsPort), "-management", "127.0.0.1:"+strconv.Itoa(dnsManagementPort),
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
		"-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "")
	t.Cleanup(func() { dns.stop(t, syscall.SIGTERM, 5*time.Second) })
	waitForPort(t, dns, dnsManagementPort, 30*time.Second)

	// Pebble's directory is https only; certbot is told --no-verify-ssl.
	pebbleCert := makeCertificate(t, filepath.Join(dir, "pebble-tls"), "localhost")
	config := map[string]any{"pebble": map[string]any{
		"listenAddress":                  "127.0.0.1:" + strconv.Itoa(acmePort),
		"managementListenAddress":        "127.0.0.1:" + strconv.Itoa(managementPort),
		"certificate":                    pebbleCert.Cert,
		"privateKey":                     pebbleCert.Key,
		"httpPort":                       httpPort,
		"tlsPort":                        tlsALPNPort,
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
		"profiles":                       map[string]any{"default": map[string]any{"description": "test", "validityPeriod": 7776000}},
	}}
	data, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(dir, "pebble.json")
	writeFile(t, configPath, data, 0o644)
	// NOSLEEP: no random wait before validating. NONCEREJECT=0: no nonce refused at random (certbot
	// retries once, and the test would be flaky). AUTHZREUSE=0: every order validates again, so
	// the renewal's challenge too goes through nginx.
	env := append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	pebble := startProcess(t, hostStack, "pebble", filepath.Join(dir, "pebble.log"), dir, env,
		filepath.Join(pebbleDir, "pebble"), "-config", configPath, "-dnsserver", "127.0.0.1:"+strconv.Itoa(dnsPort))
	t.Cleanup(func() { pebble.stop(t, syscall.SIGTERM, 5*time.Second) })
	waitForPort(t, pebble, acmePort, 30*time.Second)
}

// certbot runs Debian's certbot against the test's Pebble, with its directories under dir.
func certbot(t *testing.T, dir string, acmePort int, args ...string) {
	t.Helper()
	args = append(args, "--non-interactive", "--agree-tos", "--register-unsafely-without-email",
		"--server", "https://127.0.0.1:"+strconv.Itoa(acmePort)+"/dir", "--no-verify-ssl",
		"--config-dir", filepath.Join(dir, "letsencrypt"), "--work-dir", filepath.Join(dir, "letsencrypt-work"),
		"--logs-dir", filepath.Join(dir, "letsencrypt-logs"))
	mustRun(t, 2*time.Minute, dir, nil, certbotProgram, args...)
}

// servedSerial is the serial number of the certificate nginx sends for the test domain.
func servedSerial(t *testing.T, httpsPort int) *big.Int {
	t.Helper()
	serial, err := dialSerial(httpsPort)
	if err != nil {
		t.Fatal(err)
	}
	return serial
}

func dialSerial(httpsPort int) (*big.Int, error) {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	// Pebble's chain leads to a root nobody trusts; the test compares serials, not trust.
	conn, err := tls.DialWithDialer(dialer, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(httpsPort)),
		&tls.Config{ServerName: testDomain, InsecureSkipVerify: true})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber, nil
}

// waitForServedSerial waits until nginx serves the certificate in certbot's live directory (a
// reload takes effect as nginx's new workers start) and returns its serial.
func waitForServedSerial(t *testing.T, httpsPort int, live string) *big.Int {
	t.Helper()
	block, _ := pem.Decode([]byte(readFile(t, filepath.Join(live, "cert.pem"))))
	if block == nil {
		t.Fatalf("%s/cert.pem holds no PEM block", live)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		served, err := dialSerial(httpsPort)
		if err == nil && served.Cmp(cert.SerialNumber) == 0 {
			return served
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx serves serial %x (%v), want certbot's %x from %s/cert.pem: did the deploy hook reload nginx?", served, err, cert.SerialNumber, live)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
