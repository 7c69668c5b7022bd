// Package testsys holds what hubgen's tests need from the machine (root, a tmpfs, a full disk)
// and the one rule for when the machine cannot give it: skip, except under HUBGEN_E2E=require,
// which CI sets so that no test passes by skipping.
package testsys

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// SkipOrFail skips the test with msg, or fails it when HUBGEN_E2E=require.
func SkipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("HUBGEN_E2E") == "require" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// NeedRoot skips (or fails) a test that needs root; run says how to run it as root.
func NeedRoot(t testing.TB, why, run string) {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, why+" needs root; run `"+run+"`")
	}
}

// MountTmpfs mounts a tmpfs of size (such as "16k") on a new directory and unmounts it when the
// test ends.
func MountTmpfs(t testing.TB, size, run string) string {
	t.Helper()
	NeedRoot(t, "mounting a tmpfs", run)
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		SkipOrFail(t, "cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): "+err.Error())
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes to path until its file system is full.
func Fill(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 512)
	for {
		if _, err := f.Write(block); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}
