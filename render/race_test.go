//go:build linux

package render

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Renders into one ROOT at the same time, as a CI job and an administrator might start them. Each
// must succeed, and ROOT must then hold one whole site (every file from the same one) and no
// staged file or backup. Before the lock, 16 of 100 such pairs into a fresh ROOT left no files,
// and 3 of 205 triples left a mix of two sites.

// raceSites are the examples' renderings, by name.
func raceSites(t *testing.T) (map[string]map[string][]byte, []string) {
	t.Helper()
	sites := map[string]map[string][]byte{}
	var names []string
	for name, path := range examples(t) {
		files, err := Files(loadExample(t, path))
		if err != nil {
			t.Fatal(err)
		}
		sites[name] = files
		names = append(names, name)
	}
	sort.Strings(names)
	return sites, names
}

// assertOneWholeSite checks that root holds exactly the files of one of sites, and nothing else.
func assertOneWholeSite(t *testing.T, root string, sites map[string]map[string][]byte) {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var from []string
	for name, files := range sites {
		whole := len(got) == len(files)
		for p, data := range files {
			whole = whole && got[p] == string(data)
		}
		if whole {
			return
		}
		for p, data := range files {
			if got[p] == string(data) {
				from = append(from, p+" from "+name)
			}
		}
	}
	var names []string
	for p := range got {
		names = append(names, p)
	}
	sort.Strings(names)
	sort.Strings(from)
	t.Errorf("%s holds %v, not one whole site (files matching a site: %v)", root, names, from)
}

// raceRoots alternates a fresh ROOT (not even its parent exists) with one holding a site already.
func raceRoot(t *testing.T, round int, sites map[string]map[string][]byte, names []string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "new", "root")
	if round%2 == 1 {
		if err := Write(root, sites[names[round%len(names)]]); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestConcurrentWritesTakeTurns races goroutines, each with its own open of ROOT as separate
// processes would have: flock(2) locks belong to the open file, so they exclude each other here
// too.
func TestConcurrentWritesTakeTurns(t *testing.T) {
	sites, names := raceSites(t)
	// A pause between renames, where interleaving would mix two sites' files.
	renamedHook = func() { time.Sleep(time.Millisecond) }
	t.Cleanup(func() { renamedHook = nil })
	const rounds, writers = 16, 4
	for round := range rounds {
		root := raceRoot(t, round, sites, names)
		start := make(chan struct{})
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- Write(root, sites[names[w%len(names)]])
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
		assertOneWholeSite(t, root, sites)
	}
}

// TestConcurrentWritesTakeTurnsWithLockFile: the same race where directories cannot be locked
// (NFS), with ROOT/.hubgen.lock instead.
func TestConcurrentWritesTakeTurnsWithLockFile(t *testing.T) {
	sites, names := raceSites(t)
	lockWithFile = true
	renamedHook = func() { time.Sleep(time.Millisecond) }
	t.Cleanup(func() { lockWithFile, renamedHook = false, nil })
	for round := range 8 {
		root := raceRoot(t, round, sites, names)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := Write(root, sites[names[w%len(names)]]); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if err := os.Remove(filepath.Join(root, lockFileName)); err != nil {
			t.Errorf("no lock file: %v", err)
		}
		assertOneWholeSite(t, root, sites)
	}
}

// TestConcurrentRendersTakeTurns races real processes (this test binary, each writing one site),
// released together once all have started.
func TestConcurrentRendersTakeTurns(t *testing.T) {
	if root := os.Getenv("HUBGEN_TEST_RACE_ROOT"); root != "" {
		sites, _ := raceSites(t)
		io.ReadAll(os.Stdin) // the start signal: the parent closes the pipe
		if err := Write(root, sites[os.Getenv("HUBGEN_TEST_RACE_SITE")]); err != nil {
			t.Fatal(err)
		}
		return
	}
	sites, names := raceSites(t)
	const rounds, writers = 10, 3
	for round := range rounds {
		root := raceRoot(t, round, sites, names)
		var cmds []*exec.Cmd
		var starts []io.WriteCloser
		var outputs []*strings.Builder
		for w := range writers {
			cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentRendersTakeTurns$")
			cmd.Env = append(os.Environ(), "HUBGEN_TEST_RACE_ROOT="+root, "HUBGEN_TEST_RACE_SITE="+names[(round+w)%len(names)])
			out := &strings.Builder{}
			cmd.Stdout, cmd.Stderr = out, out
			start, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, starts, outputs = append(cmds, cmd), append(starts, start), append(outputs, out)
		}
		for _, s := range starts {
			s.Close()
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Errorf("round %d: writer %d: %v\n%s", round, i, err, outputs[i])
			}
		}
		assertOneWholeSite(t, root, sites)
	}
}

// TestWriteWaitsThenNamesTheLock: while another render holds ROOT, a Write waits; past lockWait
// it fails, naming the lock, and changes nothing. Once the lock is released, it goes through.
func TestWriteWaitsThenNamesTheLock(t *testing.T) {
	v1, v2 := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	before := snapshot(t, root)
	holder, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(holder.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer func(wait time.Duration) { lockWait = wait }(lockWait)
	lockWait = 200 * time.Millisecond
	began := time.Now()
	err = Write(root, v2)
	waited := time.Since(began)
	assertUnchanged(t, root, before, err, fmt.Sprintf("lock %s: another hubgen render has held it for 200ms (wait for that render to finish, then run this one again)", root))
	if waited < lockWait {
		t.Errorf("Write gave up after %s, before lockWait (%s)", waited, lockWait)
	}

	// The holder finishes while the next Write waits.
	lockWait = 10 * time.Second
	go func() {
		time.Sleep(50 * time.Millisecond)
		holder.Close()
	}()
	writeOrFail(t, root, v2)
	assertOneWholeSite(t, root, map[string]map[string][]byte{"v2": v2})
}

// TestLeftoversOfLivingRendersKept: the clean-up of leftovers removes the staged files of a
// render that died, and never those of one still at work (which may stage beside the same file
// through a symlink from another ROOT, under another lock).
func TestLeftoversOfLivingRendersKept(t *testing.T) {
	v1, _ := faultFiles(t)
	root := t.TempDir()
	writeOrFail(t, root, v1)
	dir := filepath.Join(root, filepath.Dir(NginxConf))
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	living := exec.Command("sleep", "30")
	if err := living.Start(); err != nil {
		t.Fatal(err)
	}
	defer living.Process.Kill()
	base := filepath.Base(NginxConf)
	files := map[string]bool{ // name: kept
		stagePrefix(base, dead.Process.Pid) + "123":                 false,
		stagePrefix(base, dead.Process.Pid) + "123.old":             false,
		"." + base + ".hubgen-4567":                                 false, // hubgen 0.1.0's, which named no process
		stagePrefix(base, living.Process.Pid) + "890":               true,
		stagePrefix(base, living.Process.Pid) + "890.old":           true,
		stagePrefix("jupyterhub_config.py", dead.Process.Pid) + "1": true, // another file's: not this target's business
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeOrFail(t, root, v1)
	for name, kept := range files {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", name, err == nil, kept)
		}
	}
}
