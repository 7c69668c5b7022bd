package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Renders into one ROOT take turns: two at once (a CI job and an administrator, two terminals)
// would otherwise interleave their renames and leave nginx.conf from one site beside
// jupyterhub_config.py from another. The lock is flock(2) on the ROOT directory itself: the kernel
// drops it when the process dies, however it dies, so a killed render never blocks the next one,
// and no lock file is left in /etc.

// lockWait bounds how long a render waits for another into the same ROOT. A render takes
// milliseconds; one that holds the lock this long is stuck, and waiting on would hide that.
var lockWait = 30 * time.Second

// lockFileName is the lock in ROOT on file systems that cannot lock a directory: NFS turns
// flock(2) into a byte-range lock, which needs a file open for writing. There it stays in ROOT.
const lockFileName = ".hubgen.lock"

// lockWithFile, set by a test, takes the lock file's way on any file system.
var lockWithFile = false

// lockRoot makes root (and its missing parents) and takes the lock on it, waiting up to lockWait
// for another render to finish. It returns the directories it made, outermost first, so that a
// failed render can remove them, and the open file whose closing releases the lock.
func lockRoot(root string) (created []string, lock *os.File, err error) {
	if root == "" {
		root = "." // Write("") writes under the working directory
	}
	deadline := time.Now().Add(lockWait)
	delay := time.Millisecond
	useFile := lockWithFile
	for {
		dirs, err := mkdirAll(root)
		created = append(created, dirs...)
		if err != nil {
			return created, nil, fmt.Errorf("create directory %s: %w", root, err)
		}
		name := root
		var f *os.File
		if useFile {
			name = filepath.Join(root, lockFileName)
			f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
		} else {
			f, err = os.Open(root)
		}
		if err != nil {
			return created, nil, fmt.Errorf("lock %s: %w", name, err)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			// A render that failed while this one waited removes the ROOT it made; the lock on
			// the removed directory would guard nothing, so start again on the new one.
			if sameFile(f, name) {
				return created, f, nil
			}
			f.Close()
			continue
		}
		f.Close()
		if !useFile && cannotLockDirectory(err) {
			useFile = true
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return created, nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if time.Now().After(deadline) {
			return created, nil, fmt.Errorf("lock %s: another hubgen render has held it for %s (wait for that render to finish, then run this one again)", name, lockWait)
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// cannotLockDirectory tells whether err from flock(2) on a directory means the file system cannot
// lock one, rather than that another process holds the lock.
func cannotLockDirectory(err error) bool {
	for _, e := range []error{syscall.EBADF, syscall.ENOLCK, syscall.EOPNOTSUPP, syscall.EINVAL} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sameFile tells whether the open f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// stagePrefix is how the staged files of target begin: ".nginx.conf.hubgen-PID-". The process id
// tells a leftover of a render that died from the files of one still at work, which may stage
// beside the same file through a symlink from another ROOT.
func stagePrefix(base string, pid int) string {
	return "." + base + ".hubgen-" + strconv.Itoa(pid) + "-"
}

// leftoverOfDeadRender tells whether name, a staged file or backup of base, belongs to no living
// process. Names without a process id are from hubgen 0.1.0, which wrote none; under the lock
// they are leftovers too.
func leftoverOfDeadRender(name, base string) bool {
	rest, ok := strings.CutPrefix(name, "."+base+".hubgen-")
	if !ok {
		return false
	}
	pidText, _, found := strings.Cut(rest, "-")
	if !found {
		return true
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return true
	}
	if pid == os.Getpid() {
		return false // this process, another Write of it in progress
	}
	// Signal 0 checks only that the process exists; EPERM means it does, as another user's.
	err = syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}
