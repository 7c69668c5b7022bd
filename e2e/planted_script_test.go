package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPlantedScript is the attack user subdomains stop, in a real browser: a student plants a
// script in what their own server sends (classic notebook's custom.js on Debian 12, a
// jupyter_server page template on Debian 13), the instructor logs in with headless Chromium,
// opens the student's server and confirms the hub's authorize page, and the script, running in
// the instructor's browser, asks the hub's API to make the student an admin. With user
// subdomains the script runs on the student's host and gets nothing; without them it shares the
// hub's origin and succeeds, which is the control: it shows the test sees the attack.
func TestPlantedScript(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		for _, subdomains := range []bool{true, false} {
			name := "user_subdomains"
			if !subdomains {
				name = "one_origin(control)"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := startLiveSiteWith(t, st, "/", subdomains)
				plantScript(t, s)

				// The student's server runs, with the script in what it sends.
				student := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
				student.login(s.BaseURL, s.Student, "")
				serverURL := s.serverURL(student, s.Student.Name)
				student.waitForServerAt(serverURL, st.ServerPage, 90*time.Second)

				// The instructor, in a real browser: log in, open the student's server, confirm.
				chrome := startChromium(t, testDomain)
				hub := student.https + s.BaseURL + "hub/"
				chrome.navigate(hub + "login?next=" + url.QueryEscape(s.BaseURL+"hub/home"))
				chrome.waitFor("the hub's login form", `document.querySelector("input[name=password]")`, 30*time.Second)
				if _, err := chrome.eval(fmt.Sprintf(`(() => {
					document.querySelector("input[name=username]").value = %q;
					document.querySelector("input[name=password]").value = %q;
					document.querySelector("input[name=password]").form.submit();
					return true;
				})()`, s.Admin.Name, s.Admin.Password)); err != nil {
					t.Fatalf("submit the login form: %v", err)
				}
				chrome.waitFor("the instructor's hub home page", `location.pathname.endsWith("/hub/home")`, 30*time.Second)

				chrome.navigate(serverURL + st.ServerPage)
				// The hub asks an admin before handing them another user's server.
				chrome.waitFor("the hub's authorize page", `location.pathname.includes("/hub/api/oauth2/authorize") && document.querySelector("form [type=submit]")`, 30*time.Second)
				if _, err := chrome.eval(`document.querySelector("form [type=submit]").click(), true`); err != nil {
					t.Fatalf("confirm the authorize page: %v", err)
				}
				chrome.waitFor("the planted script's report", `window.hubgenPlanted && window.hubgenPlanted.done`, 60*time.Second)
				report, _ := chrome.eval(`window.hubgenPlanted`)
				t.Logf("on %s the planted script reported %s", chrome.describe(), report)

				// Logging out in the real browser ends the instructor's hub session. (Chromium keeps
				// a host-only cookie apart from one for the domain, so JupyterHub 3's logout, which
				// clears the latter, would leave the former; Go's cookie jar does not tell them apart.)
				chrome.navigate(hub + "logout")
				chrome.poll(`document.readyState === "complete" && !location.pathname.endsWith("/hub/logout")`, 20*time.Second)
				chrome.navigate(hub + "home")
				if !chrome.poll(`location.pathname.endsWith("/hub/login")`, 20*time.Second) {
					t.Errorf("after logout the instructor's browser opens %s, not the login form: the hub's login cookie was not cleared", chrome.describe())
				}

				admin := studentIsAdmin(t, s)
				switch {
				case subdomains && admin:
					t.Errorf("with user subdomains the planted script made %s an admin (its report: %s)", s.Student.Name, report)
				case !subdomains && !admin:
					t.Errorf("control: with one origin the planted script did not make %s an admin, so the test no longer sees the attack (its report: %s)", s.Student.Name, report)
				}
			})
		}
	})
}

// plantedScript is what the student plants. In the instructor's browser it reads the hub's home
// page for its XSRF token (JupyterHub 5 puts it in the page; 3.x keeps it in a cookie) and sends
// the hub's API the admin flag for the student, with the hub's home page as Referer, as a page
// of the hub would, first from its own origin and then at the hub's. It reports what happened in
// window.hubgenPlanted. Placeholders: STUDENT, HUB (the hub's URL).
const plantedScript = `(async () => {
  const report = window.hubgenPlanted = {ran: true, origin: location.origin, tries: []};
  const hubs = [location.origin + "BASEhub/", "HUB"].filter((h, i, all) => all.indexOf(h) === i);
  for (const hub of hubs) {
    const attempt = {hub: hub};
    report.tries.push(attempt);
    try {
      const home = await fetch(hub + "home", {credentials: "include"});
      attempt.home = home.status + " " + home.url;
      const page = await home.text();
      let token = (page.match(/xsrf_token: "([^"]*)"/) || [])[1] || "";
      const cookie = document.cookie.match(/(?:^|; )_xsrf=([^;]*)/);
      if (!token && cookie) token = decodeURIComponent(cookie[1]);
      const patch = await fetch(hub + "api/users/STUDENT", {
        method: "PATCH", credentials: "include", referrer: hub + "home",
        headers: {"Content-Type": "application/json", "X-XSRFToken": token},
        body: JSON.stringify({admin: true}),
      });
      attempt.patch = patch.status;
    } catch (e) {
      attempt.error = String(e);
    }
  }
  report.done = true;
})();
`

// plantScript puts the script where the student's server sends it to every browser that opens
// the stack's ServerPage: the classic notebook (Debian 12) loads ~/.jupyter/custom/custom.js on
// each page; jupyter_server (Debian 13) renders its view page from a template the student's own
// config may point at. Both are the student's files, which no one else controls.
func plantScript(t *testing.T, s *liveSite) {
	t.Helper()
	hub := "https://" + testDomain + ":" + fmt.Sprint(s.HTTPSPort) + s.BaseURL + "hub/"
	script := strings.NewReplacer("STUDENT", s.Student.Name, "BASE", s.BaseURL, "HUB", hub).Replace(plantedScript)
	home := "/home/" + s.Student.Name
	var files map[string]string
	if s.st.Name == "debian12" {
		files = map[string]string{".jupyter/custom/custom.js": script}
	} else {
		files = map[string]string{
			".jupyter/jupyter_server_config.py": "c.ServerApp.extra_template_paths = [" + fmt.Sprintf("%q", home+"/templates") + "]\n",
			"templates/view.html":               "<!DOCTYPE html>\n<html><head><title>view</title></head><body>notes<script>\n" + script + "</script></body></html>\n",
		}
	}
	for name, content := range files {
		writeFile(t, s.st.hostPath(filepath.Join(home, name)), []byte(content), 0o644)
	}
	s.st.run(t, 10*time.Second, "/", nil, "/bin/chown", "-R", s.Student.Name+":", home)
	if _, err := os.Stat(s.st.hostPath(home)); err != nil {
		t.Fatal(err)
	}
}

// studentIsAdmin asks the hub's API, as the site's admin, whether the student is an admin now.
func studentIsAdmin(t *testing.T, s *liveSite) bool {
	t.Helper()
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	home := s.BaseURL + "hub/home"
	if p := b.login(s.BaseURL, s.Admin, home); p.Request.URL.Path != home {
		t.Fatalf("admin login ended at %s with %s", p.Request.URL, p.Status)
	}
	p := b.mustDo(http.MethodGet, b.https+s.BaseURL+"hub/api/users/"+s.Student.Name, nil,
		http.Header{"Referer": {b.https + home}, "Accept": {"application/json"}}, false)
	var user struct {
		Admin *bool `json:"admin"`
	}
	if err := json.Unmarshal([]byte(p.Body), &user); p.StatusCode != http.StatusOK || err != nil || user.Admin == nil {
		t.Fatalf("GET hub/api/users/%s: %s %.300s (%v)", s.Student.Name, p.Status, p.Body, err)
	}
	return *user.Admin
}
