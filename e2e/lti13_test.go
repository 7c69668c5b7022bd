package e2e

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/testsys"
)

// ltiPlatform is a small LTI 1.3 platform, as Canvas or Moodle is to the hub: it signs launches
// with its RSA key and publishes the public half as a JWKS. A launch starts at /launch, which
// sends the browser to the hub's login initiation (the third-party-initiated login); the hub sends
// it back to /authorize with a nonce and state, and /authorize answers with the auto-submitting
// form that posts the signed id_token to the hub's redirect URI. What each launch's token says
// (who, signed with which key, for which client, ...) is a ltiLaunch the test registers first.
type ltiPlatform struct {
	t          *testing.T
	issuer     string // http://127.0.0.1:PORT, the platform's own origin
	clientID   string
	deployment string
	redirect   string // the hub's redirect URI, the only one the platform posts to
	loginInit  string // the hub's login initiation URL
	targetLink string
	key, other *rsa.PrivateKey
	server     *http.Server

	mu       sync.Mutex
	launches map[string]ltiLaunch
	tokens   []string // every id_token handed out, to look for in files and logs
}

// ltiLaunch is what one launch's id_token says; the zero values are a good launch.
type ltiLaunch struct {
	Email      string
	OtherKey   bool          // signed by a key the platform does not publish (with its key id)
	Audience   string        // default the platform's client id
	Issuer     string        // default the platform's issuer
	Deployment string        // default the platform's deployment
	Age        time.Duration // how long ago the token was issued; its exp is 5 minutes after
	Roles      []string
}

const ltiClaim = "https://purl.imsglobal.org/spec/lti/claim/"

func newLTIPlatform(t *testing.T, port int, hubOrigin string) *ltiPlatform {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &ltiPlatform{
		t:          t,
		issuer:     "http://127.0.0.1:" + strconv.Itoa(port),
		clientID:   "10000000000" + strconv.Itoa(port),
		deployment: "7:" + randomHex(t, 8),
		redirect:   hubOrigin + "/hub/lti13/oauth_callback",
		loginInit:  hubOrigin + "/hub/lti13/oauth_login",
		targetLink: hubOrigin + "/hub/spawn",
		key:        key,
		other:      other,
		launches:   map[string]ltiLaunch{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", p.serveJWKS)
	mux.HandleFunc("GET /launch", p.serveLaunch)
	mux.HandleFunc("GET /authorize", p.serveAuthorize)
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	p.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go p.server.Serve(listener)
	t.Cleanup(func() { p.server.Close() })
	return p
}

// register remembers a launch and returns the URL that starts it, as a link in the course does.
func (p *ltiPlatform) register(l ltiLaunch) string {
	hint := randomHex(p.t, 8)
	p.mu.Lock()
	p.launches[hint] = l
	p.mu.Unlock()
	return p.issuer + "/launch?hint=" + hint
}

func (p *ltiPlatform) serveJWKS(w http.ResponseWriter, r *http.Request) {
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	pub := p.key.PublicKey
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "platform-1",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// serveLaunch starts the third-party-initiated login at the hub.
func (p *ltiPlatform) serveLaunch(w http.ResponseWriter, r *http.Request) {
	hint := r.URL.Query().Get("hint")
	q := url.Values{
		"iss":               {p.issuer},
		"login_hint":        {hint},
		"lti_message_hint":  {hint},
		"target_link_uri":   {p.targetLink},
		"client_id":         {p.clientID},
		"lti_deployment_id": {p.deployment},
	}
	http.Redirect(w, r, p.loginInit+"?"+q.Encode(), http.StatusFound)
}

// serveAuthorize checks the hub's authentication request as a platform does, then answers with the
// auto-submitting form carrying the signed id_token.
func (p *ltiPlatform) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	l, ok := p.launches[q.Get("lti_message_hint")]
	p.mu.Unlock()
	for _, c := range []struct{ name, want string }{
		{"response_type", "id_token"}, {"response_mode", "form_post"}, {"scope", "openid"},
		{"client_id", p.clientID}, {"redirect_uri", p.redirect}, {"login_hint", q.Get("lti_message_hint")},
	} {
		if got := q.Get(c.name); got != c.want {
			http.Error(w, fmt.Sprintf("%s is %q, want %q", c.name, got, c.want), http.StatusBadRequest)
			return
		}
	}
	if !ok || q.Get("nonce") == "" || q.Get("state") == "" {
		http.Error(w, "unknown launch, or no nonce or state", http.StatusBadRequest)
		return
	}
	token := p.sign(l, q.Get("nonce"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="%s"><input type="hidden" name="id_token" value="%s"><input type="hidden" name="state" value="%s"></form>
</body></html>`, html.EscapeString(p.redirect), html.EscapeString(token), html.EscapeString(q.Get("state")))
}

// sign makes the launch's id_token: RS256 over the LTI Resource Link Request claims.
func (p *ltiPlatform) sign(l ltiLaunch, nonce string) string {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	roles := l.Roles
	if roles == nil {
		roles = []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"}
	}
	iat := time.Now().Add(-l.Age).Unix()
	claims := map[string]any{
		"iss":                            or(l.Issuer, p.issuer),
		"aud":                            or(l.Audience, p.clientID),
		"sub":                            "sub-" + randomHex(p.t, 6),
		"iat":                            iat,
		"exp":                            iat + 300,
		"nonce":                          nonce,
		"email":                          l.Email,
		"name":                           "Test Student",
		ltiClaim + "message_type":        "LtiResourceLinkRequest",
		ltiClaim + "version":             "1.3.0",
		ltiClaim + "deployment_id":       or(l.Deployment, p.deployment),
		ltiClaim + "target_link_uri":     p.targetLink,
		ltiClaim + "resource_link":       map[string]string{"id": "rl-1", "title": "Open JupyterHub"},
		ltiClaim + "roles":               roles,
		ltiClaim + "context":             map[string]any{"id": "course-1", "label": "ENGR 101", "title": "Engineering"},
		ltiClaim + "tool_platform":       map[string]string{"guid": "test-platform", "name": "hubgen's test platform"},
		ltiClaim + "launch_presentation": map[string]string{"document_target": "window"},
	}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			p.t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "platform-1"}) + "." + enc(claims)
	key := p.key
	if l.OtherKey {
		key = p.other
	}
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		p.t.Fatal(err)
	}
	token := input + "." + base64.RawURLEncoding.EncodeToString(sig)
	p.mu.Lock()
	p.tokens = append(p.tokens, token)
	p.mu.Unlock()
	return token
}

// launchForm follows a launch from the course to the platform's auto-submitting form, as the
// browser does, and returns the form's action and fields without posting them.
func launchForm(b *browser, launchURL string) (string, url.Values) {
	b.t.Helper()
	p := b.get(launchURL)
	m := formRE.FindStringSubmatch(p.Body)
	if p.StatusCode != http.StatusOK || m == nil {
		b.t.Fatalf("launch ended at %s with %s and no form:\n%.600s", p.Request.URL, p.Status, p.Body)
	}
	fields := url.Values{}
	for _, input := range inputRE.FindAllString(m[2], -1) {
		var name, value string
		for _, a := range attrRE.FindAllStringSubmatch(input, -1) {
			if a[1] == "name" {
				name = html.UnescapeString(a[2])
			} else {
				value = html.UnescapeString(a[2])
			}
		}
		fields.Set(name, value)
	}
	return html.UnescapeString(m[1]), fields
}

// postLaunch posts the form as the auto-submitting page does: a cross-site POST from the
// platform's origin. It does not follow the hub's answer.
func postLaunch(b *browser, action string, fields url.Values, origin string) page {
	b.t.Helper()
	return b.mustDo(http.MethodPost, action, strings.NewReader(fields.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {origin}}, false)
}

// TestLTI13Launch launches the hub from a course through the rendered nginx and the real
// JupyterHub with ltiauthenticator from the third-party cache: a roster student's launch signs in,
// makes the account, spawns a server whose kernel runs code; launches refused each for one reason
// (a student not in the site, a forged signature, another client id, a replay, an expired token,
// another issuer, another deployment) sign nobody in; LTI roles grant no admin rights; no token
// reaches a rendered file or the hub's log.
//
// One launch runs in headless Chromium, which submits the platform's form by its script, a
// cross-site POST that must carry the hub's state and nonce cookies. The others are driven from
// Go, which posts the same form as the browser would and reads the hub's answer directly: each
// refusal is told from the others by its status, and the replay needs the request's cookies.
func TestLTI13Launch(t *testing.T) {
	forEachStack(t, checkLTI13Launch)
}

func checkLTI13Launch(t *testing.T, st *stack) {
	requireLTIAuthenticator(t, st)
	dir := t.TempDir()
	dumpLogsOnFailure(t, map[string]string{
		"jupyterhub": filepath.Join(dir, "jupyterhub.log"),
		"nginx":      filepath.Join(dir, "nginx.log"),
	})
	suffix := randomHex(t, 4)
	admin, student, outsider := "e2ela"+suffix, "e2els"+suffix, "e2elx"+suffix
	for _, name := range []string{admin, student, outsider} {
		if st.hasAccount(name) {
			t.Fatalf("%s: account %s exists before the test", st.Name, name)
		}
		removeAccountMadeByHub(t, st, name)
	}
	const emailDomain = "students.e2e.test"

	ports := freePorts(t, 6)
	params := siteParams{
		BaseURL:  "/",
		HTTPPort: ports[0], HTTPSPort: ports[1], HubPort: ports[2], HubAPIPort: ports[3], ProxyAPIPort: ports[4],
		Cert:     makeCertificate(t, dir, testDomain),
		StateDir: filepath.Join(dir, "state"), Webroot: worldReadableDir(t),
		PIDFile:    filepath.Join(dir, "nginx.pid"),
		Admins:     []string{admin},
		Allowed:    []string{student},
		Nginx:      st.nginxVersion(t),
		DefaultURL: st.DefaultURL,
	}
	hubOrigin := fmt.Sprintf("https://%s:%d", testDomain, params.HTTPSPort)
	platform := newLTIPlatform(t, ports[5], hubOrigin)
	site := params.document()
	site["auth"] = map[string]any{
		"type":      "lti13",
		"client_id": platform.clientID,
		// http on loopback: the one place the schema allows it.
		"issuer":         platform.issuer,
		"authorize_url":  platform.issuer + "/authorize",
		"jwks_url":       platform.issuer + "/jwks",
		"deployment_ids": []string{platform.deployment},
		// The address's name before @ at the domain: the roster rule, live.
		"email_domain": emailDomain,
	}
	sitePath := filepath.Join(dir, "site.toml")
	writeSite(t, sitePath, site)
	secrets := secretFiles{
		CookieSecret: filepath.Join(params.StateDir, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(params.StateDir, "proxy_auth_token"),
	}
	makeSecrets(t, sitePath, secrets)
	root := filepath.Join(dir, "root")
	runHubgen(t, "render", sitePath, "-o", root)
	// What the instructor registers with the platform, worked out here, not taken from hubgen.
	doctor := doctorIn(t, st, sitePath)
	for _, want := range []string{"login initiation URL " + platform.loginInit, "redirect (launch) URL " + platform.redirect,
		"target link URI " + platform.targetLink} {
		if !strings.Contains(doctor, want) {
			t.Errorf("%s: hubgen doctor does not say %q:\n%s", st.Name, want, doctor)
		}
	}

	startNginx(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir, params.HTTPPort, params.HTTPSPort)
	startHub(t, st, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), params.StateDir, dir,
		"http://127.0.0.1:"+strconv.Itoa(params.HubPort)+"/hub/health")
	newB := func() *browser { return newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort) }
	signedIn := func(b *browser) bool { return b.cookie(hubOrigin+"/hub/", "jupyterhub-hub-login") != "" }

	t.Run("chromium", func(t *testing.T) {
		// The launch as a browser makes it: the platform's page submits its form by script, a
		// cross-site POST from the platform's origin, which must carry the cookies the hub set at
		// the login initiation.
		logPath := filepath.Join(dir, "jupyterhub.log")
		before := strings.Count(readFile(t, logPath), "User logged in: "+student+"\n")
		dom := chromiumDOM(t, platform.register(ltiLaunch{Email: student + "@" + emailDomain}))
		if n := strings.Count(readFile(t, logPath), "User logged in: "+student+"\n"); n != before+1 {
			t.Fatalf("Chromium's launch: the hub logged %d sign-ins of %s, want 1; the page:\n%.800s", n-before, student, dom)
		}
		if strings.Contains(dom, "400 : Bad Request") || strings.Contains(dom, "403 : Forbidden") {
			t.Errorf("Chromium's launch ended at an error page:\n%.800s", dom)
		}
	})

	t.Run("student", func(t *testing.T) {
		b := newB()
		start := time.Now()
		// An instructor's role in the course: still no admin rights on the hub.
		action, fields := launchForm(b, platform.register(ltiLaunch{Email: student + "@" + emailDomain,
			Roles: []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"}}))
		p := postLaunch(b, action, fields, platform.issuer)
		if p.StatusCode != http.StatusFound || !signedIn(b) {
			t.Fatalf("student launch: %s (Location %q), signed in %v; want 302 and the hub's login cookie", p.Status, p.Header.Get("Location"), signedIn(b))
		}
		if loc := p.Header.Get("Location"); loc != "/hub/spawn" {
			t.Errorf("student launch sends the browser to %q, want the target link's /hub/spawn", loc)
		}
		if !st.hasAccount(student) {
			t.Fatalf("%s: the hub made no account for %s", st.Name, student)
		}
		// For the stack's ServerPage, as addSystemUser leaves it.
		st.run(t, 10*time.Second, "/", nil, "/usr/bin/install", "-o", student, "-m", "0644", "/dev/null", "/home/"+student+"/"+welcomeFile)
		b.get(hubOrigin + "/hub/spawn")
		serverURL := b.https + "/user/" + student + "/"
		b.waitForServer("/", student, st.ServerPage, 90*time.Second)
		b.kernelAnswers42(serverURL, student)
		t.Logf("launched, spawned and ran code in %v", time.Since(start).Round(time.Millisecond))
		if p := b.get(b.https + "/hub/admin"); p.StatusCode != http.StatusForbidden {
			t.Errorf("student launched as Instructor/Administrator: GET /hub/admin: %s, want 403 (LTI roles grant nothing)", p.Status)
		}
	})

	t.Run("admin", func(t *testing.T) {
		// The site's admin, launched as a learner, is an admin: the site, not the role, says so.
		b := newB()
		action, fields := launchForm(b, platform.register(ltiLaunch{Email: admin + "@" + emailDomain}))
		if p := postLaunch(b, action, fields, platform.issuer); p.StatusCode != http.StatusFound || !signedIn(b) {
			t.Fatalf("admin launch: %s, signed in %v", p.Status, signedIn(b))
		}
		if p := b.get(b.https + "/hub/admin"); p.StatusCode != http.StatusOK {
			t.Errorf("admin GET /hub/admin: %s, want 200", p.Status)
		}
	})

	// refused posts one launch and wants it turned away with status, signing nobody in.
	refused := func(t *testing.T, b *browser, action string, fields url.Values, status int) {
		t.Helper()
		p := postLaunch(b, action, fields, platform.issuer)
		if p.StatusCode != status || signedIn(b) {
			t.Errorf("launch answered %s (Location %q), signed in %v; want %d and no login cookie", p.Status, p.Header.Get("Location"), signedIn(b), status)
		}
	}
	refusal := func(name string, l ltiLaunch, status int) {
		t.Run(name, func(t *testing.T) {
			b := newB()
			action, fields := launchForm(b, platform.register(l))
			refused(t, b, action, fields, status)
		})
	}
	good := student + "@" + emailDomain
	refusal("not-in-site", ltiLaunch{Email: outsider + "@" + emailDomain}, http.StatusForbidden)
	refusal("other-key", ltiLaunch{Email: good, OtherKey: true}, http.StatusBadRequest)
	refusal("other-client", ltiLaunch{Email: good, Audience: "10000000000999"}, http.StatusUnauthorized)
	refusal("expired", ltiLaunch{Email: good, Age: time.Hour}, http.StatusBadRequest)
	refusal("other-issuer", ltiLaunch{Email: good, Issuer: "https://canvas.instructure.com"}, http.StatusBadRequest)
	refusal("other-deployment", ltiLaunch{Email: good, Deployment: "8:" + randomHex(t, 8)}, http.StatusForbidden)

	t.Run("replayed", func(t *testing.T) {
		// A launch posted once, then again with the same cookies, as from a copied request: the
		// hub signs in each launch once.
		b := newB()
		action, fields := launchForm(b, platform.register(ltiLaunch{Email: good}))
		u, _ := url.Parse(action)
		cookies := b.client.Jar.Cookies(u)
		if p := postLaunch(b, action, fields, platform.issuer); p.StatusCode != http.StatusFound || !signedIn(b) {
			t.Fatalf("first use of the launch: %s, signed in %v; want 302, signed in", p.Status, signedIn(b))
		}
		copied := newB()
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(u, cookies)
		copied.client.Jar = jar
		refused(t, copied, action, fields, http.StatusForbidden)

		// The same token in another browser's own launch: its nonce is not the one that browser's
		// login asked for.
		other := newB()
		otherAction, otherFields := launchForm(other, platform.register(ltiLaunch{Email: good}))
		otherFields.Set("id_token", fields.Get("id_token"))
		refused(t, other, otherAction, otherFields, http.StatusBadRequest)
	})

	if st.hasAccount(outsider) {
		t.Errorf("the hub made an account for %s, who is not in the site", outsider)
	}
	// No token, nor the hub's secrets, in a rendered file or the hub's log (info level, the
	// default).
	platform.mu.Lock()
	secretsToHide := append([]string(nil), platform.tokens...)
	platform.mu.Unlock()
	for _, path := range []string{secrets.CookieSecret, secrets.ProxyToken} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		secretsToHide = append(secretsToHide, strings.TrimSpace(string(data)))
	}
	for _, path := range []string{"nginx/nginx.conf", "jupyterhub/jupyterhub_config.py", "systemd/system/jupyterhub.service", "../jupyterhub.log", "../nginx.log"} {
		data, _ := os.ReadFile(filepath.Join(root, path))
		for i, secret := range secretsToHide {
			if strings.Contains(string(data), secret) || strings.Contains(string(data), strings.Split(secret, ".")[len(strings.Split(secret, "."))-1]) {
				t.Errorf("%s holds secret or token %d of %d", path, i+1, len(secretsToHide))
			}
		}
	}
	if len(secretsToHide) < 10 {
		t.Errorf("only %d tokens and secrets looked for", len(secretsToHide))
	}
}

// chromiumDOM opens url in headless Chromium, which follows redirects and runs the pages' scripts
// for up to 20 s of virtual time, and returns the last page's DOM.
func chromiumDOM(t *testing.T, url string) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		testsys.SkipOrFail(t, "the LTI launch in a browser needs Chromium (apt-get install chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--ignore-certificate-errors",
		"--host-resolver-rules=MAP "+testDomain+" 127.0.0.1, MAP *."+testDomain+" 127.0.0.1",
		"--virtual-time-budget=20000", "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", url, err, stderr.String())
	}
	return string(out)
}
