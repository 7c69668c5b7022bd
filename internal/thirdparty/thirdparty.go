// Package thirdparty finds, for hubgen's tests, the packages Debian does not ship
// (oauthenticator, jupyterhub-idle-culler, ltiauthenticator, systemdspawner and the Zero to
// JupyterHub chart). They are never part of this repository: third-party source is not ours to
// carry. A contributor or CI puts released copies in a cache directory outside it, and a test
// that needs one and does not find it skips with one line naming the package, its release and
// where to put it. HUBGEN_E2E=require does not turn that skip into a failure: it is about the
// Debian parts (nginx, JupyterHub, the Debian 13 root, Helm, Chromium), which CI installs itself.
//
// The layout of the cache is the one a pip install into a throw-away directory leaves
// (README's "Development" section says how to fill it):
//
//	$HUBGEN_THIRD_PARTY (default /var/cache/hubgen/third-party)
//	├── python/   put on PYTHONPATH for the hub; JupyterHub passes it on to its services and spawners
//	└── charts/   Helm charts, unpacked
package thirdparty

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the environment variable that moves the cache.
const EnvVar = "HUBGEN_THIRD_PARTY"

// DefaultRoot is the cache when EnvVar is unset.
const DefaultRoot = "/var/cache/hubgen/third-party"

// SkipPrefix begins every skip message of a missing package, so scripts/test.sh's summary can
// group them.
const SkipPrefix = "third-party package missing: "

// Package is one third-party package a test may need.
type Package struct {
	Name    string // what its users install: the pip distribution or the chart's name
	Release string // the release the tests were written against
	Path    string // its directory under the cache root
	Marker  string // a file inside Path that only a complete copy has
	Source  string // where a release comes from
	Debian  string // the Debian packages it imports (installed by .ci/run), "" for none
}

// The packages hubgen's tests use, at the releases they were tried with.
var (
	OAuthenticator = Package{
		Name: "oauthenticator", Release: "17.4.0", Path: "python/oauthenticator", Marker: "generic.py",
		Source: "https://github.com/jupyterhub/oauthenticator (pip install oauthenticator==17.4.0)",
		Debian: "python3-jwt python3-ruamel.yaml python3-jsonschema python3-requests",
	}
	IdleCuller = Package{
		Name: "jupyterhub-idle-culler", Release: "2.0.0", Path: "python/jupyterhub_idle_culler", Marker: "__init__.py",
		Source: "https://github.com/jupyterhub/jupyterhub-idle-culler (pip install jupyterhub-idle-culler==2.0.0)",
		Debian: "python3-dateutil python3-packaging python3-tornado python3-traitlets",
	}
	LTIAuthenticator = Package{
		Name: "jupyterhub-ltiauthenticator", Release: "1.6.3", Path: "python/ltiauthenticator", Marker: "lti13/auth.py",
		Source: "https://github.com/jupyterhub/ltiauthenticator (pip install jupyterhub-ltiauthenticator==1.6.3)",
		Debian: "python3-jwt python3-cryptography python3-oauthlib python3-escapism python3-cachetools",
	}
	SystemdSpawner = Package{
		Name: "jupyterhub-systemdspawner", Release: "1.0.2", Path: "python/systemdspawner", Marker: "systemdspawner.py",
		Source: "https://github.com/jupyterhub/systemdspawner (pip install jupyterhub-systemdspawner==1.0.2)",
	}
	Z2JHChart = Package{
		Name: "the Zero to JupyterHub chart", Release: "4.4.0", Path: "charts/jupyterhub", Marker: "Chart.yaml",
		Source: "https://hub.jupyter.org/helm-chart/ (helm pull jupyterhub --repo https://hub.jupyter.org/helm-chart/ --version 4.4.0 --untar)",
	}
)

// Root is the cache directory, absolute.
func Root() string {
	root := os.Getenv(EnvVar)
	if root == "" {
		root = DefaultRoot
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return root
}

// PythonPath is the cache's directory for PYTHONPATH, whether or not anything is in it.
func PythonPath() string { return filepath.Join(Root(), "python") }

// Dir is where p lives in the cache.
func (p Package) Dir() string { return filepath.Join(Root(), p.Path) }

// Missing says, in one line, why p cannot be used, or "" when it is in the cache.
func (p Package) Missing() string {
	if _, err := os.Stat(filepath.Join(p.Dir(), p.Marker)); err == nil {
		return ""
	}
	msg := fmt.Sprintf("%s%s %s is not in %s; put release %s there (from %s", SkipPrefix, p.Name, p.Release, p.Dir(), p.Release, p.Source)
	if p.Debian != "" {
		msg += "; it imports Debian's " + p.Debian
	}
	return msg + "; README: Development)"
}

// Require skips t when p is not in the cache, and returns p's directory otherwise. It never
// fails the test, under HUBGEN_E2E=require too.
func Require(t testing.TB, p Package) string {
	t.Helper()
	if msg := p.Missing(); msg != "" {
		t.Skip(msg)
	}
	return p.Dir()
}
