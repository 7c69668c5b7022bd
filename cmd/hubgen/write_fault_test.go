//go:build linux

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/testsys"
)

// `hubgen render -o ROOT` when ROOT cannot take the files: exit 2, a message naming the path, the
// previous files as they were and no temporary file. render's own tests cover the same faults in
// Write, and the crash between staging and renaming, which only a test hook inside render can
// reach.

// renderFault renders minimal.toml into a fresh root, lets breakIt damage the root, renders
// course.toml and checks the failure. It returns stderr.
func renderFault(t *testing.T, root string, breakIt func(root string), wantInMessage func(root string) string) string {
	t.Helper()
	if code, _, stderr := hubgen(t, "render", "../../examples/minimal.toml", "-o", root); code != exitOK {
		t.Fatalf("first render: exit %d: %s", code, stderr)
	}
	breakIt(root)
	before := treeWithLinks(t, root)
	code, stdout, stderr := hubgen(t, "render", "../../examples/course.toml", "-o", root)
	if code != exitFailure {
		t.Errorf("exit %d, want %d (stdout %q)", code, exitFailure, stdout)
	}
	want := wantInMessage(root)
	if !strings.HasPrefix(stderr, "hubgen: ../../examples/course.toml: ") || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not name the site file and %s", stderr, want)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("stderr has more than one line:\n%s", stderr)
	}
	// Every file is read, dot files included: a staged file left behind is a difference.
	if diff := cmp.Diff(before, treeWithLinks(t, root)); diff != "" {
		t.Errorf("files changed by a failed render (-before +after):\n%s", diff)
	}
	return stderr
}

func TestRenderFaultReadOnlyFileSystem(t *testing.T) {
	root := testsys.MountTmpfs(t, "1m", faultRun)
	renderFault(t, root, func(root string) {
		if err := syscall.Mount("", root, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			testsys.SkipOrFail(t, "cannot remount the tmpfs read-only: "+err.Error())
		}
	}, func(root string) string {
		return filepath.Join(root, "jupyterhub", "jupyterhub_config.py") + ": open "
	})
}

func TestRenderFaultFullFileSystem(t *testing.T) {
	root := testsys.MountTmpfs(t, "16k", faultRun)
	stderr := renderFault(t, root, func(root string) { testsys.Fill(t, filepath.Join(root, "filler")) }, func(root string) string {
		return filepath.Join(root, "jupyterhub", "jupyterhub_config.py")
	})
	if !strings.Contains(stderr, "no space left on device") {
		t.Errorf("stderr %q does not say the disk is full", stderr)
	}
}

func TestRenderFaultTargetIsDirectory(t *testing.T) {
	renderFault(t, t.TempDir(), func(root string) {
		conf := filepath.Join(root, "nginx", "nginx.conf")
		if err := os.Remove(conf); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(conf, "keep"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(conf, "keep", "file"), []byte("kept\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}, func(root string) string { return filepath.Join(root, "nginx", "nginx.conf") + ": it is a directory" })
}

func TestRenderFaultSymlinkToDirectory(t *testing.T) {
	renderFault(t, t.TempDir(), func(root string) {
		conf := filepath.Join(root, "nginx", "nginx.conf")
		if err := os.Remove(conf); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/etc", conf); err != nil {
			t.Fatal(err)
		}
	}, func(root string) string {
		return filepath.Join(root, "nginx", "nginx.conf") + ": it links to the directory /etc"
	})
}

// TestRenderFollowsSymlink: /etc/nginx/nginx.conf managed elsewhere and linked in stays linked;
// the file it points to gets the new contents.
func TestRenderFollowsSymlink(t *testing.T) {
	root := t.TempDir()
	managed := filepath.Join(t.TempDir(), "nginx.conf")
	if err := os.WriteFile(managed, []byte("managed elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "nginx", "nginx.conf")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(managed, link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := hubgen(t, "render", "../../examples/course.toml", "-o", root); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if dest, err := os.Readlink(link); err != nil || dest != managed {
		t.Errorf("nginx.conf is no longer a link to %s: %q %v", managed, dest, err)
	}
	want, err := os.ReadFile("../../golden/course/nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(managed); string(got) != string(want) {
		t.Errorf("the linked file does not hold the rendered nginx.conf:\n%s", got)
	}
}

// treeWithLinks is tree, with each symlink as "-> its target" rather than followed.
func treeWithLinks(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type()&fs.ModeSymlink != 0 {
			dest, err := os.Readlink(p)
			files[rel] = "-> " + dest
			return err
		}
		data, err := os.ReadFile(p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// faultRun is how to run these tests where they need root.
const faultRun = "sudo HUBGEN_E2E=require go test ./cmd/hubgen -run Fault"
