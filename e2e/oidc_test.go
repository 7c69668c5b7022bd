package e2e

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hubgen/hubgen/internal/testsys"
)

// oidcProviderVersion is the npm package the OIDC test signs in at: the certified Node.js
// OpenID provider, installed once into the user's cache directory and reused.
const oidcProviderVersion = "oidc-provider@9"

// oidcProviderScript runs oidc-provider on loopback with one client, whose secret comes in the
// environment, never in a file or argument. Its development login form accepts any login name:
// the account "x" has preferred_username "pref-x" and email "x@EMAIL_DOMAIN", or the login
// itself when it has an "@".
const oidcProviderScript = `import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const provider = new Provider('http://127.0.0.1:' + port, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => false },
  cookies: { keys: [process.env.COOKIE_KEY] },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const email = id.includes('@') ? id : id + '@' + process.env.EMAIL_DOMAIN;
        return { sub: id, preferred_username: 'pref-' + id, name: id, email, email_verified: true };
      },
    };
  },
});
provider.listen(port, '127.0.0.1', () => console.log('oidc-provider listening on ' + port));
`

// installOIDCProvider installs oidc-provider with npm into a cache directory, once, and returns
// the directory with the provider script in it.
func installOIDCProvider(t *testing.T) string {
	t.Helper()
	installingOIDCProvider.Lock()
	defer installingOIDCProvider.Unlock()
	for _, program := range []string{"node", "npm"} {
		if _, err := exec.LookPath(program); err != nil {
			testsys.SkipOrFail(t, "the OIDC test needs Node.js 20 and npm (apt-get install nodejs npm), which install "+oidcProviderVersion)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "hubgen-e2e", strings.ReplaceAll(oidcProviderVersion, "@", "-"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		mustRun(t, 5*time.Minute, dir, nil, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir, oidcProviderVersion)
		t.Logf("npm install %s in %v", oidcProviderVersion, time.Since(start).Round(time.Second))
	}
	// Left as it is when it is already this script: another stack's provider may be reading it.
	script := filepath.Join(dir, "provider.mjs")
	if data, err := os.ReadFile(script); err != nil || string(data) != oidcProviderScript {
		writeFile(t, script, []byte(oidcProviderScript), 0o644)
	}
	return dir
}

// installingOIDCProvider lets one test at a time install the provider or write its script.
var installingOIDCProvider sync.Mutex

// TestOIDCLogin signs in at a real OpenID provider through the rendered nginx and JupyterHub with
// oauthenticator from the third-party cache: a roster student's account is made by the hub, their server spawns
// and runs code; a provider account not in the site, and an address at another domain, are
// refused; the admin reaches the admin page. No secret reaches a rendered file or a log.
//
// On every stack; the provider runs on this machine for both.
func TestOIDCLogin(t *testing.T) {
	forEachStack(t, checkOIDCLogin)
}

// checkOIDCLogin runs nginx and the hub in the stack; the provider runs on this machine, reached
// over loopback, which a chroot shares.
func checkOIDCLogin(t *testing.T, st *stack) {
	requireOAuthenticator(t, st)
	providerDir := installOIDCProvider(t)
	dir := t.TempDir()
	dumpLogsOnFailure(t, map[string]string{
		"jupyterhub":    filepath.Join(dir, "jupyterhub.log"),
		"nginx":         filepath.Join(dir, "nginx.log"),
		"oidc-provider": filepath.Join(dir, "oidc-provider.log"),
	})
	suffix := randomHex(t, 4)
	admin, student, outsider := "e2eoa"+suffix, "e2eos"+suffix, "e2eox"+suffix
	for _, name := range []string{admin, student, outsider} {
		if st.hasAccount(name) {
			t.Fatalf("%s: account %s exists before the test", st.Name, name)
		}
		removeAccountMadeByHub(t, st, name)
	}

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
	issuer := "http://127.0.0.1:" + strconv.Itoa(ports[5])
	const emailDomain = "students.e2e.test"
	secret, secretFile := randomHex(t, 24), filepath.Join(dir, "secrets", "oauth_client_secret")
	writeFile(t, secretFile, []byte(secret+"\n"), 0o600)
	site := params.document()
	site["auth"] = map[string]any{
		"type":               "oidc",
		"client_id":          "hubgen-e2e",
		"client_secret_file": secretFile,
		"login_service":      "the test provider",
		// http on loopback: the one place the schema allows it.
		"authorize_url": issuer + "/auth",
		"token_url":     issuer + "/token",
		"userdata_url":  issuer + "/me",
		// The address's name before @ at the domain: the roster rule, live.
		"username_claim": "email",
		"email_domain":   emailDomain,
	}
	sitePath := filepath.Join(dir, "site.toml")
	writeSite(t, sitePath, site)
	makeSecrets(t, sitePath, secretFiles{
		CookieSecret: filepath.Join(params.StateDir, "jupyterhub_cookie_secret"),
		ProxyToken:   filepath.Join(params.StateDir, "proxy_auth_token"),
	})
	root := filepath.Join(dir, "root")
	runHubgen(t, "render", sitePath, "-o", root)
	// Worked out here, not taken from hubgen: what the instructor registers with the provider.
	callback := fmt.Sprintf("https://%s:%d/hub/oauth_callback", testDomain, params.HTTPSPort)
	// doctor runs the hub's Python as the unit does, without the test's PYTHONPATH: it must find
	// no oauthenticator there and say how to install it. In the stack, where the hub's Python is:
	// Debian's, which takes pip only with --break-system-packages, and --no-deps keeps Debian's
	// own packages in place.
	doctor := doctorIn(t, st, sitePath)
	for _, want := range []string{"register " + callback + " with the identity provider", "FAIL  oauthenticator: ",
		"apt-get install python3-pip python3-jwt", "/usr/bin/python3 -m pip install --break-system-packages --no-deps oauthenticator"} {
		if !strings.Contains(string(doctor), want) {
			t.Errorf("%s: hubgen doctor does not say %q:\n%s", st.Name, want, doctor)
		}
	}

	provider := startProcess(t, hostStack, "oidc-provider", filepath.Join(dir, "oidc-provider.log"), providerDir,
		append(os.Environ(), "PORT="+strconv.Itoa(ports[5]), "CLIENT_ID=hubgen-e2e", "CLIENT_SECRET="+secret,
			"REDIRECT_URI="+callback, "COOKIE_KEY="+randomHex(t, 16), "EMAIL_DOMAIN="+emailDomain),
		"node", "provider.mjs")
	t.Cleanup(func() { provider.stop(t, syscall.SIGTERM, 5*time.Second) })
	waitForPort(t, provider, ports[5], 30*time.Second)
	startNginx(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir, params.HTTPPort, params.HTTPSPort)
	startHub(t, st, filepath.Join(root, "jupyterhub", "jupyterhub_config.py"), params.StateDir, dir,
		"http://127.0.0.1:"+strconv.Itoa(params.HubPort)+"/hub/health")

	t.Run("student", func(t *testing.T) {
		b := newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort)
		start := time.Now()
		p := oidcSignIn(b, issuer, student, "")
		if p.StatusCode != http.StatusOK || strings.Contains(p.Request.URL.Path, "/hub/login") {
			t.Fatalf("student sign-in ended at %s with %s, want the spawn page", p.Request.URL, p.Status)
		}
		if !st.hasAccount(student) {
			t.Errorf("%s: the hub made no account for %s", st.Name, student)
		} else if _, err := os.Stat(st.hostPath(filepath.Join("/home", student, ".bashrc"))); err != nil {
			t.Errorf("%s: %s has no home from /etc/skel: %v", st.Name, student, err)
		} else {
			// For the stack's ServerPage, as addSystemUser leaves it.
			st.run(t, 10*time.Second, "/", nil, "/usr/bin/install", "-o", student, "-m", "0644", "/dev/null", "/home/"+student+"/"+welcomeFile)
		}
		serverURL := b.https + "/user/" + student + "/"
		b.waitForServer("/", student, st.ServerPage, 90*time.Second)
		b.kernelAnswers42(serverURL, student)
		t.Logf("signed in, spawned and ran code in %v", time.Since(start).Round(time.Millisecond))
		if p := b.get(b.https + "/hub/admin"); p.StatusCode != http.StatusForbidden {
			t.Errorf("student GET /hub/admin: %s, want 403", p.Status)
		}
	})

	t.Run("outsider", func(t *testing.T) {
		// A provider account the site does not list, and a listed name at another domain.
		for _, login := range []string{outsider, student + "@elsewhere.example"} {
			b := newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort)
			p := oidcSignIn(b, issuer, login, "")
			if p.StatusCode != http.StatusForbidden {
				t.Errorf("%s's sign-in ended at %s with %s, want 403", login, p.Request.URL, p.Status)
			}
			if c := b.cookie(b.https+"/hub/", "jupyterhub-hub-login"); c != "" {
				t.Errorf("%s got a jupyterhub-hub-login cookie", login)
			}
		}
		if st.hasAccount(outsider) {
			t.Errorf("the hub made an account for %s, who is not in the site", outsider)
		}
	})

	t.Run("admin", func(t *testing.T) {
		b := newBrowser(t, testDomain, params.HTTPPort, params.HTTPSPort)
		p := oidcSignIn(b, issuer, admin, "/hub/admin")
		if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/hub/admin" {
			t.Fatalf("admin sign-in ended at %s with %s, want 200 at /hub/admin", p.Request.URL, p.Status)
		}
		p = b.mustDo(http.MethodGet, b.https+"/hub/api/users", nil,
			http.Header{"Referer": {b.https + "/hub/admin"}, "Accept": {"application/json"}}, false)
		if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, student) {
			t.Errorf("admin page's GET /hub/api/users: %s %.300s, want 200 listing %s", p.Status, p.Body, student)
		}
	})

	// The client secret is in its file and the provider's environment only.
	for _, path := range []string{"nginx/nginx.conf", "jupyterhub/jupyterhub_config.py", "systemd/system/jupyterhub.service"} {
		if data, _ := os.ReadFile(filepath.Join(root, path)); strings.Contains(string(data), secret) {
			t.Errorf("the client secret is in %s", path)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "jupyterhub.log")); strings.Contains(string(data), secret) {
		t.Error("the client secret is in JupyterHub's log")
	}
}

// formRE and inputRE read the provider's plain HTML forms.
var (
	formRE  = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	inputRE = regexp.MustCompile(`<input[^>]*>`)
	attrRE  = regexp.MustCompile(`(name|value)="([^"]*)"`)
)

// oidcSignIn starts the hub's OAuth login, answers the provider's login and consent forms as
// login (the development forms take any name, no password), and follows the redirects back
// through the callback. It returns the last page.
func oidcSignIn(b *browser, issuer, login, next string) page {
	b.t.Helper()
	start := b.https + "/hub/oauth_login"
	if next != "" {
		start += "?next=" + url.QueryEscape(next)
	}
	p := b.get(start)
	for i := 0; i < 4 && strings.HasPrefix(p.Request.URL.String(), issuer); i++ {
		m := formRE.FindStringSubmatch(p.Body)
		if m == nil {
			b.t.Fatalf("%s: %s with no form:\n%.600s", p.Request.URL, p.Status, p.Body)
		}
		form := url.Values{}
		for _, input := range inputRE.FindAllString(m[2], -1) {
			var name, value string
			for _, a := range attrRE.FindAllStringSubmatch(input, -1) {
				if a[1] == "name" {
					name = html.UnescapeString(a[2])
				} else {
					value = html.UnescapeString(a[2])
				}
			}
			switch name {
			case "":
			case "login":
				form.Set(name, login)
			case "password":
				form.Set(name, "any")
			default:
				form.Set(name, value)
			}
		}
		action, err := p.Request.URL.Parse(html.UnescapeString(m[1]))
		if err != nil {
			b.t.Fatal(err)
		}
		p = b.mustDo(http.MethodPost, action.String(), strings.NewReader(form.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, true)
	}
	return p
}
