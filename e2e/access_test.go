package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestAccessFollowsSiteFile is a new term as an instructor runs it: edit the site file's users,
// render, restart the hub, keeping its database. Whoever the site file no longer lists is
// refused, even with a browser still holding last term's login cookie, and whoever it no longer
// lists as admin loses the admin page and the admin API; everyone it lists gets in as before.
// JupyterHub alone would keep both: its database remembers admins and users from earlier
// terms (see render/access.go).
func TestAccessFollowsSiteFile(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		s := startLiveSite(t, st, "/engr101/")
		// A teaching assistant who is an admin this term and a student the next, and a student
		// who is new next term.
		ta := addSystemUser(t, st, "t")
		newStudent := addSystemUser(t, st, "n")
		s.changeUsers(t, []string{s.Admin.Name, ta.Name}, []string{s.Student.Name})

		// This term: the student and the TA log in; the TA is an admin.
		student := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
		mustLogIn(t, s, student, s.Student)
		taBrowser := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
		mustLogIn(t, s, taBrowser, ta)
		if status := adminAccess(t, s, taBrowser); status != "page 200, API 200" {
			t.Fatalf("%s: admin %s this term: %s, want page 200, API 200", st.Name, ta.Name, status)
		}

		// Next term: the student is gone, the TA is a student, and there is a new student.
		s.changeUsers(t, []string{s.Admin.Name}, []string{ta.Name, newStudent.Name})

		t.Run("removed student's cookie", func(t *testing.T) {
			p := student.get(student.https + s.BaseURL + "hub/home")
			if !strings.HasSuffix(p.Request.URL.Path, "/hub/login") {
				t.Errorf("removed student's browser from last term reached %s (%s), want the login form", p.Request.URL, p.Status)
			}
		})
		t.Run("removed student logs in", func(t *testing.T) { checkLoginRefused(t, s, s.Student) })
		t.Run("outsider", func(t *testing.T) { checkLoginRefused(t, s, s.Outsider) })
		t.Run("demoted admin's cookie", func(t *testing.T) {
			if status := adminAccess(t, s, taBrowser); status != "page 403, API 403" {
				t.Errorf("former admin's browser from last term: %s, want page 403, API 403", status)
			}
		})
		t.Run("demoted admin logs in", func(t *testing.T) {
			b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
			mustLogIn(t, s, b, ta)
			if status := adminAccess(t, s, b); status != "page 403, API 403" {
				t.Errorf("former admin, now a student: %s, want page 403, API 403", status)
			}
		})
		t.Run("new student", func(t *testing.T) {
			mustLogIn(t, s, newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort), newStudent)
		})
		t.Run("admin", func(t *testing.T) {
			b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
			mustLogIn(t, s, b, s.Admin)
			if status := adminAccess(t, s, b); status != "page 200, API 200" {
				t.Errorf("admin listed in both terms: %s, want page 200, API 200", status)
			}
			// The admin page's "Add Users" posts to the API: a name the site does not list is
			// refused there, not just forgotten at the next restart.
			adminURL := b.https + s.BaseURL + "hub/admin"
			p := b.mustDo(http.MethodPost, b.https+s.BaseURL+"hub/api/users", strings.NewReader(`{"usernames": ["e2estranger"], "admin": false}`),
				http.Header{"Referer": {adminURL}, "Content-Type": {"application/json"}, "X-Xsrftoken": {b.cookie(b.https+s.BaseURL+"hub/", "_xsrf")}}, false)
			if p.StatusCode != http.StatusBadRequest {
				t.Errorf("admin adds a user the site does not list through the API: %s %.200s, want 400 (invalid username)", p.Status, p.Body)
			}
		})
	})
}

// mustLogIn logs the user in and fails the test unless the hub's home page is where they end up.
// The next parameter keeps the hub from spawning a server nobody uses.
func mustLogIn(t *testing.T, s *liveSite, b *browser, u systemUser) {
	t.Helper()
	home := s.BaseURL + "hub/home"
	p := b.login(s.BaseURL, u, home)
	if p.StatusCode != http.StatusOK || p.Request.URL.Path != home {
		t.Fatalf("%s: %s's login ended at %s with %s, want 200 at %s", s.st.Name, u.Name, p.Request.URL, p.Status, home)
	}
}

// checkLoginRefused: the user's right password gets them the login form again, and no cookie.
func checkLoginRefused(t *testing.T, s *liveSite, u systemUser) {
	t.Helper()
	b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
	p := b.login(s.BaseURL, u, s.BaseURL+"hub/home")
	if !strings.HasSuffix(p.Request.URL.Path, "/hub/login") || !strings.Contains(p.Body, "Invalid username or password") {
		t.Errorf("%s's login ended at %s with %s, want the login form with \"Invalid username or password\"", u.Name, p.Request.URL, p.Status)
	}
	if c := b.cookie(b.https+s.BaseURL+"hub/", "jupyterhub-hub-login"); c != "" {
		t.Errorf("%s got a jupyterhub-hub-login cookie", u.Name)
	}
}

// adminAccess reports the status of the admin page and of the admin API call the page makes, as
// "page CODE, API CODE".
func adminAccess(t *testing.T, s *liveSite, b *browser) string {
	t.Helper()
	adminURL := b.https + s.BaseURL + "hub/admin"
	page := b.mustDo(http.MethodGet, adminURL, nil, nil, false)
	api := b.mustDo(http.MethodGet, b.https+s.BaseURL+"hub/api/users", nil,
		http.Header{"Referer": {adminURL}, "Accept": {"application/json"}}, false)
	return "page " + code(page) + ", API " + code(api)
}

func code(p page) string {
	return strings.Fields(p.Status)[0]
}
