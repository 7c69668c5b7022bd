package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps the failures instead of failing the test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	panic(r) // stops the check, as the real Fatalf does; checkDir recovers it
}

// checkDir runs CheckDir and returns what it reported.
func checkDir(t *testing.T, dir string, files map[string][]byte) (errors []string) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
		errors = r.errors
	}()
	CheckDir(r, dir, files)
	return r.errors
}

func TestCheckDir(t *testing.T) {
	if Updating() {
		t.Skip("-update rewrites instead of comparing")
	}
	dir := t.TempDir()
	for name, data := range map[string]string{"same": "same\n", "differs": "old\n", "sub/stray": "left over\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	errs := checkDir(t, dir, map[string][]byte{"same": []byte("same\n"), "differs": []byte("new\n")})
	got := strings.Join(errs, "\n")
	if len(errs) != 2 || !strings.Contains(got, "differs from "+filepath.Join(dir, "differs")) ||
		!strings.Contains(got, filepath.Join(dir, "sub", "stray")+" is a golden file that nothing makes") {
		t.Errorf("CheckDir reported %d problems, want the differing and the stray file:\n%s", len(errs), got)
	}

	errs = checkDir(t, dir, map[string][]byte{"same": []byte("same\n"), "differs": []byte("old\n"), "sub/stray": []byte("left over\n"), "missing": []byte("x")})
	if len(errs) != 1 || !strings.Contains(errs[0], filepath.Join(dir, "missing")) {
		t.Errorf("a missing golden file: %q, want one problem naming it", errs)
	}
}
