// Package golden compares what a test made with the expected files kept in the repository, and
// rewrites them when the tests run with -update (`go test ./... -update`; then read the diff).
// Every package's golden files go through it, so there is one flag and one way to update.
package golden

import (
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with what the tests make")

// Updating reports whether the tests run with -update, for a test that writes its golden files
// in a way Check and CheckDir do not cover.
func Updating() bool { return *update }

// Check compares got with the file at path and reports the difference; with -update it writes
// got there instead.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("differs from %s (-want +got; run the test with -update to accept it):\n%s", path, diff)
	}
}

// CheckDir compares files, by slash-separated path, with the files under dir: each must be there
// with the same contents, and no other file may be, so that a removed output does not linger
// where a reviewer takes it for a tested one. With -update, dir is replaced by files.
func CheckDir(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		Check(t, filepath.Join(dir, filepath.FromSlash(p)), files[p])
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			t.Errorf("%s is a golden file that nothing makes (remove it, or run the test with -update)", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
