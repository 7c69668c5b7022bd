package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// xsrfSigningScript loads a rendered jupyterhub_config.py with traitlets' loader, as `jupyterhub
// -f` does, then has the stack's JupyterHub make a login page's XSRF token with tornado's clock
// moving a second at every reading: what happens on a busy hub when a second ends between two
// signatures in one request. It prints the token the page's form holds and the cookie the page
// sets, as JSON.
const xsrfSigningScript = `
import itertools, json, os, sys

import jupyterhub
import tornado.httputil
import tornado.web
from traitlets.config.loader import PyFileConfigLoader

config = sys.argv[1]
PyFileConfigLoader(os.path.basename(config), os.path.dirname(config)).load_config()
try:
    from jupyterhub import _xsrf_utils
except ImportError:  # before 4.1 the hub's login form holds no XSRF token
    print(json.dumps({"version": jupyterhub.__version__}))
    sys.exit()


class Clock:
    """A clock a second later at every reading."""

    seconds = itertools.count(1_800_000_000)

    @classmethod
    def time(cls):
        return float(next(cls.seconds))


tornado.web.time = Clock  # tornado.web.create_signed_value reads time.time()


class Connection:
    def set_close_callback(self, callback):
        pass


class LoginPage(tornado.web.RequestHandler):
    _xsrf_token_id = b":a visitor not logged in"


app = tornado.web.Application(cookie_secret="hubgen e2e cookie secret")


def visit():
    request = tornado.httputil.HTTPServerRequest(method="GET", uri="/hub/login", connection=Connection())
    return LoginPage(app, request)


page = visit()
form = _xsrf_utils.get_xsrf_token(page, cookie_path="/hub/").decode()
cookie = page._new_cookie["_xsrf"].value
# Two visits' signatures of one value: they differ when the clock moves, as the test needs it to.
first, second = (_xsrf_utils._create_signed_value_urlsafe(visit(), "_xsrf", b"id") for _ in range(2))
print(json.dumps({"version": jupyterhub.__version__, "form": form, "cookie": cookie, "clockMoves": first != second}))
`

// TestLoginXSRFSignedOnce: the login page's XSRF token and the cookie it sets are one signature,
// even when a second ends between the two. JupyterHub 4.1.2 to 5.2 sign them separately, and a
// signature holds the second it was made in, so a student whose page was made across a second's
// end is refused with 403 "XSRF cookie does not match POST argument" when logging in: 1 of 40
// students in TestClassStorm on Debian 13's 5.2.1, in half the storms. The rendered config signs
// each value once per request, as JupyterHub 5.3 does.
func TestLoginXSRFSignedOnce(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		dir := t.TempDir()
		site := hubOnlySite(t, dir, []string{"prof"}, []string{"student"}).document()
		_, root := renderHubSite(t, dir, filepath.Join(dir, "state"), site)
		config := filepath.Join(root, "jupyterhub", "jupyterhub_config.py")
		out := st.run(t, time.Minute, dir, hubEnv(), hubPythonOf(st), "-c", xsrfSigningScript, config)
		var got struct {
			Version, Form, Cookie string
			ClockMoves            bool
		}
		if err := json.Unmarshal([]byte(lastLines(out, 1)), &got); err != nil {
			t.Fatalf("%v in the script's output:\n%s", err, out)
		}
		if got.Form == "" {
			if st.Name == "debian13" {
				t.Fatalf("JupyterHub %s on %s has no XSRF token on its login page, want one (5.2 has)", got.Version, st.Name)
			}
			t.Logf("JupyterHub %s: no XSRF token on the login page, nothing to sign", got.Version)
			return
		}
		if !got.ClockMoves {
			t.Fatalf("JupyterHub %s: two signatures a second apart are equal: the test's clock does not reach tornado", got.Version)
		}
		if got.Form != got.Cookie {
			t.Errorf("JupyterHub %s: the login form's XSRF token\n  %s\nis not the cookie the page sets\n  %s\nso this student's login is refused with 403", got.Version, got.Form, got.Cookie)
		}
	})
}
