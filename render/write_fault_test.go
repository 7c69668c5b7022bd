//go:build linux

package render

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/internal/testsys"
)

// Faults while writing. In every case a failed Write must leave the previous files as they were
// (same bytes, readable), leave no temporary file, and name the path in its error. Read-only and
// full file systems are real ones: root ignores a directory's permissions, so those cases mount a
// tmpfs, and skip when not root (failing instead under HUBGEN_E2E=require).

// faultFiles are two renderings: v1 is on disk before the fault, v2 is what Write is asked for.
func faultFiles(t *testing.T) (v1, v2 map[string][]byte) {
	t.Helper()
	ex := examples(t)
	v1, err := Files(loadExample(t, ex["minimal"]))
	if err != nil {
		t.Fatal(err)
	}
	v2, err = Files(loadExample(t, ex["course"]))
	if err != nil {
		t.Fatal(err)
	}
	return v1, v2
}

// snapshot reads every file under root, temporary ones included, and every symlink's target.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			files[rel] = "symlink to " + link
			return err
		case d.IsDir():
			if rel != "." {
				files[rel+"/"] = "directory"
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files[rel] = info.Mode().String() + " " + string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// assertUnchanged checks that a failed Write left root as before and named want in its error.
func assertUnchanged(t *testing.T, root string, before map[string]string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatal("Write succeeded, want an error")
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
	if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
		t.Errorf("a failed Write changed the files (-before +after):\n%s", diff)
	}
	assertNoTemporaryFiles(t, root)
}

func assertNoTemporaryFiles(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		// Staged files and backups are dot files; NAME.hubgen-old is a kept file, not one of them.
		if err == nil && strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".hubgen-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func writeOrFail(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	if err := Write(root, files); err != nil {
		t.Fatal(err)
	}
}

func TestWriteFaultReadOnlyFileSystem(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := testsys.MountTmpfs(t, "1m", faultRun)
	writeOrFail(t, root, v1)
	if err := syscall.Mount("", root, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		testsys.SkipOrFail(t, "cannot remount the tmpfs read-only: "+err.Error())
	}
	before := snapshot(t, root)
	err := Write(root, v2)
	assertUnchanged(t, root, before, err, filepath.Join(root, JupyterHubConf))
	if !errors.Is(err, syscall.EROFS) {
		t.Errorf("error %v, want EROFS", err)
	}
}

func TestWriteFaultFullFileSystem(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := testsys.MountTmpfs(t, "32k", faultRun) // room for minimal.toml's outputs (20k); a filler takes the rest
	writeOrFail(t, root, v1)
	testsys.Fill(t, filepath.Join(root, "filler"))
	before := snapshot(t, root)
	err := Write(root, v2)
	assertUnchanged(t, root, before, err, filepath.Join(root, JupyterHubConf))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("error %v, want ENOSPC", err)
	}
}

// TestWriteFaultDirectoryReplacedByFile: systemd/system is a file. The other two outputs could be
// staged, and must not be written alone.
func TestWriteFaultDirectoryReplacedByFile(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	unitDir := filepath.Join(root, "systemd", "system")
	if err := os.RemoveAll(unitDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unitDir, []byte("in the way\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	assertUnchanged(t, root, before, Write(root, v2), unitDir)
}

// TestWriteFaultTargetIsDirectory: a directory where nginx.conf should be is never replaced.
func TestWriteFaultTargetIsDirectory(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	conf := filepath.Join(root, NginxConf)
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(conf, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	assertUnchanged(t, root, before, Write(root, v2), conf+": it is a directory")
}

// TestWriteFaultStagedThenFailed: a failure after every file is staged and before any rename (the
// moment a crash would do most harm) leaves the old files and removes the staged ones.
func TestWriteFaultStagedThenFailed(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	before := snapshot(t, root)
	staged := 0
	stagedHook = func() error {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".hubgen-") {
				staged++
			}
			return nil
		})
		return errors.New("simulated crash between staging and renaming")
	}
	t.Cleanup(func() { stagedHook = nil })
	assertUnchanged(t, root, before, Write(root, v2), "simulated crash")
	if staged != len(v2) {
		t.Errorf("%d files were staged when the hook ran, want %d", staged, len(v2))
	}
}

// TestWriteFaultKilledBetweenStagingAndRenaming kills a real process at that moment (SIGKILL, so
// no deferred cleanup runs): the old files must still be whole, and the next Write must finish the
// job and leave no temporary file behind.
func TestWriteFaultKilledBetweenStagingAndRenaming(t *testing.T) {
	if root := os.Getenv("HUBGEN_TEST_KILL_ROOT"); root != "" {
		// The child: stage the new files, then die before renaming.
		_, v2 := faultFiles(t)
		stagedHook = func() error {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		Write(root, v2)
		t.Fatal("the process outlived SIGKILL")
	}
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	before := snapshot(t, root)

	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFaultKilledBetweenStagingAndRenaming$")
	cmd.Env = append(os.Environ(), "HUBGEN_TEST_KILL_ROOT="+root)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed: %v\n%s", err, out)
	}
	after := snapshot(t, root)
	for path, content := range before {
		if after[path] != content {
			t.Errorf("%s changed although the process died before renaming", path)
		}
	}
	leftovers := 0
	for path := range after {
		if strings.Contains(path, ".hubgen-") {
			leftovers++
		}
	}
	if leftovers != len(v2) {
		t.Errorf("%d staged files left by the killed process, want %d (did it die before staging?)", leftovers, len(v2))
	}

	writeOrFail(t, root, v2)
	assertNoTemporaryFiles(t, root)
	for path, data := range v2 {
		if got, err := os.ReadFile(filepath.Join(root, path)); err != nil || string(got) != string(data) {
			t.Errorf("%s after the next Write: %v", path, err)
		}
	}
}

// Symlinked targets. render follows a symlink at an output path and replaces the file it points
// to; the link itself stays. An admin who keeps nginx.conf in a repository and links it into
// /etc/nginx keeps that arrangement, and the repository's file is the one updated.

func TestWriteSymlinkStaysLinkTargetUpdated(t *testing.T) {
	_, v2 := faultFiles(t)
	root := t.TempDir()
	managed := filepath.Join(root, "managed", "nginx.conf")
	if err := os.MkdirAll(filepath.Dir(managed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(managed, []byte("# Generated by hubgen 0.2.0 from old.toml.\nold\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "etc", NginxConf)
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	const relative = "../../managed/nginx.conf"
	if err := os.Symlink(relative, link); err != nil {
		t.Fatal(err)
	}
	writeOrFail(t, filepath.Join(root, "etc"), v2)

	if dest, err := os.Readlink(link); err != nil || dest != relative {
		t.Errorf("the link is now %q (%v), want it still pointing to %s", dest, err, relative)
	}
	info, err := os.Stat(managed)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("the linked file's mode is %v, want its 0640 kept", info.Mode().Perm())
	}
	if got, _ := os.ReadFile(managed); string(got) != string(v2[NginxConf]) {
		t.Errorf("the linked file was not updated:\n%s", got)
	}
	assertNoTemporaryFiles(t, root)
}

func TestWriteDanglingSymlinkCreatesItsTarget(t *testing.T) {
	_, v2 := faultFiles(t)
	root := t.TempDir()
	managed := filepath.Join(root, "managed", "nginx.conf")
	if err := os.MkdirAll(filepath.Dir(managed), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "etc", NginxConf)
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(managed, link); err != nil {
		t.Fatal(err)
	}
	writeOrFail(t, filepath.Join(root, "etc"), v2)
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info.Mode(), err)
	}
	info, err := os.Stat(managed)
	if err != nil {
		t.Fatalf("the link's target was not created: %v", err)
	}
	if info.Mode().Perm() != newFileMode {
		t.Errorf("the new target's mode is %v, want %v", info.Mode().Perm(), newFileMode)
	}
	if got, _ := os.ReadFile(managed); string(got) != string(v2[NginxConf]) {
		t.Errorf("the link's target has the wrong contents:\n%s", got)
	}
}

func TestWriteFaultSymlinkToDirectory(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	conf := filepath.Join(root, NginxConf)
	dir := filepath.Join(root, "sites")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, conf); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	assertUnchanged(t, root, before, Write(root, v2), conf+": it links to the directory "+dir)
}

func TestWriteFaultSymlinkLoop(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	conf := filepath.Join(root, NginxConf)
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop.conf", conf); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nginx.conf", filepath.Join(root, "nginx", "loop.conf")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	assertUnchanged(t, root, before, Write(root, v2), "follow symlink "+conf)
}

// faultRun is how to run these tests where they need root.
const faultRun = "sudo HUBGEN_E2E=require go test ./render -run Fault"
