package thirdparty

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingNamesPackageReleaseAndPlace(t *testing.T) {
	root := t.TempDir()
	t.Setenv(EnvVar, root)
	msg := IdleCuller.Missing()
	for _, want := range []string{SkipPrefix, "jupyterhub-idle-culler", "2.0.0", filepath.Join(root, "python", "jupyterhub_idle_culler")} {
		if !strings.Contains(msg, want) {
			t.Errorf("Missing() = %q, lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("Missing() is more than one line: %q", msg)
	}
	// A directory without the marker is not a release: a half-copied cache still skips.
	if err := os.MkdirAll(IdleCuller.Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if IdleCuller.Missing() == "" {
		t.Error("an empty package directory counts as present")
	}
	if err := os.WriteFile(filepath.Join(IdleCuller.Dir(), IdleCuller.Marker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg := IdleCuller.Missing(); msg != "" {
		t.Errorf("Missing() with the package in place = %q", msg)
	}
	if got := Require(t, IdleCuller); got != IdleCuller.Dir() {
		t.Errorf("Require = %q, want %q", got, IdleCuller.Dir())
	}
	if PythonPath() != filepath.Join(root, "python") {
		t.Errorf("PythonPath() = %q", PythonPath())
	}
}
