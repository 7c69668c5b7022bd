package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// FileDiff is one output whose file under the root is missing or holds something else.
type FileDiff struct {
	Path     string // the output path, slash-separated, relative to the root
	Missing  bool   // there is no file at Path
	OnDisk   []byte // what the file holds; nil when it is missing
	Rendered []byte // what `hubgen render` would write
}

// Diff compares files, as Files returns them, with the files under root, the layout Write makes.
// It returns the outputs that are missing or differ, in path order. A root that does not exist
// makes every output missing; a file that exists but cannot be read is an error, because then
// nothing can be said about it. Files under root that hubgen does not write are not looked at.
func Diff(root string, files map[string][]byte) ([]FileDiff, error) {
	var diffs []FileDiff
	for _, p := range slices.Sorted(maps.Keys(files)) {
		onDisk, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			diffs = append(diffs, FileDiff{Path: p, Missing: true, Rendered: files[p]})
		case err != nil:
			return nil, fmt.Errorf("compare %s: %w", p, err)
		case !bytes.Equal(onDisk, files[p]):
			diffs = append(diffs, FileDiff{Path: p, OnDisk: onDisk, Rendered: files[p]})
		}
	}
	return diffs, nil
}

// LineEndingsOnly tells whether the file on disk is the rendered one with CRLF line endings, as a
// Windows checkout with git's core.autocrlf leaves it. Such a file is one message, not a diff in
// which every line changed.
func (d FileDiff) LineEndingsOnly() bool {
	return !d.Missing && bytes.Contains(d.OnDisk, []byte("\r\n")) &&
		bytes.Equal(bytes.ReplaceAll(d.OnDisk, []byte("\r\n"), []byte("\n")), d.Rendered)
}

// Unified is the diff that turns the file on disk into the rendered one, labelled a/DIR/PATH and
// b/DIR/PATH as git labels them, so that `git apply` or `patch -p1` run in the root applies it.
// dir is the file's directory under the root ("" for none). A missing file is compared with
// /dev/null, which is how diff -N and git mark a file to create.
//
// The diff is Go's own anchored diff: it runs in O(n log n) whatever the committed file holds.
func (d FileDiff) Unified(dir string) []byte {
	name := path.Join(dir, d.Path)
	oldLabel := "a/" + name
	if d.Missing {
		oldLabel = "/dev/null"
	}
	return diff.Diff(oldLabel, d.OnDisk, "b/"+name, d.Rendered)
}

// StrayFiles returns the files at an output path, under root or under one of root's directories,
// that are not expected: what an earlier layout of the same repository left. Dot directories (.git)
// are not looked in.
func StrayFiles(root string, outputs, expected map[string]bool) []string {
	dirs := []string{""}
	entries, _ := os.ReadDir(root)
	for _, entry := range entries {
		if entry.IsDir() && !strings.HasPrefix(entry.Name(), ".") {
			dirs = append(dirs, entry.Name())
		}
	}
	var stray []string
	for _, dir := range dirs {
		for _, p := range slices.Sorted(maps.Keys(outputs)) {
			rel := path.Join(dir, p)
			file := filepath.Join(root, filepath.FromSlash(rel))
			if _, err := os.Lstat(file); err == nil && !expected[rel] {
				stray = append(stray, file)
			}
		}
	}
	return stray
}
