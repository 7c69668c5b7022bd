package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/hubgen/hubgen/internal/fsync"
)

// newFileMode is the mode of an output that did not exist: none of them holds a secret.
const newFileMode fs.FileMode = 0o644

// stagedHook, when set by a test, runs after every file is staged and before any is renamed into
// place, to simulate a crash or a failure at the worst moment.
var stagedHook func() error

// renamedHook, when set by a test, runs after each rename into place: a pause there widens the
// window in which two unserialised renders would interleave their renames.
var renamedHook func()

// staged is one output written to a temporary file beside its target.
type staged struct {
	target string // the file that will be replaced (a symlink's destination, not the link)
	temp   string
	backup string // a hard link to the old target, while renames are under way
	keep   string // with Force, where a file hubgen did not write is kept: target + KeptSuffix
}

// KeptSuffix names the copy of a file hubgen did not write that a forced render keeps beside it:
// /etc/nginx/nginx.conf.hubgen-old. No program reads files so named (nginx includes *.conf from
// conf.d and sites-enabled/*; systemd loads *.service).
const KeptSuffix = ".hubgen-old"

// A WriteOption is a choice about how Write treats the files already there.
type WriteOption func(*writeOptions)

type writeOptions struct {
	force bool
	kept  func(file, keptAs string)
}

// Force lets Write replace files that hubgen did not write. Each is kept beside itself as
// NAME.hubgen-old (never over an existing one), and kept, when not nil, is told of each after the
// write has succeeded.
func Force(kept func(file, keptAs string)) WriteOption {
	return func(o *writeOptions) { o.force, o.kept = true, kept }
}

// ForeignFilesError is Write's refusal to replace files it did not write: it changed nothing.
type ForeignFilesError struct {
	Files []string // the files, as their targets (a symlink's destination)
}

func (e *ForeignFilesError) Error() string {
	return fmt.Sprintf("refusing to replace %s: not written by hubgen (no %q header)",
		strings.Join(e.Files, ", "), "# "+HeaderPrefix+"...")
}

// WrittenByHubgen tells whether data, a file's contents, is one hubgen wrote (any version): it
// starts with the header. An empty file is taken as one: replacing it loses nothing.
func WrittenByHubgen(data []byte) bool {
	return len(data) == 0 || bytes.HasPrefix(data, []byte("# "+HeaderPrefix))
}

// foreign tells whether target exists and is not a file hubgen wrote.
func foreign(target string) (bool, error) {
	f, err := os.Open(target)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s to see whether hubgen wrote it: %w", target, err)
	}
	defer f.Close()
	head := make([]byte, len("# "+HeaderPrefix))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read %s to see whether hubgen wrote it: %w", target, err)
	}
	return !WrittenByHubgen(head[:n]), nil
}

// Write puts files under root, all or nothing. Each file is written to a temporary file in its
// target's directory and synced; only when all are staged are they renamed into place. If a rename
// fails, the files already replaced are put back. A file that exists keeps its mode and owner; a
// symlink stays a symlink and the file it points to is replaced. No temporary file is left. Writes
// into one root take turns (see lockRoot); one that waits too long fails, naming the lock.
//
// A file that exists and that hubgen did not write (Debian's own nginx.conf, or one written by
// hand) is not replaced: Write returns a *ForeignFilesError naming every such file and writes
// nothing, unless the Force option is given.
func Write(root string, files map[string][]byte, opts ...WriteOption) (err error) {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	created, lock, err := lockRoot(root) // the directories this call made, removed again on failure
	if err != nil {
		// Not even an empty root is removed: while this call waited, another render may have
		// taken it over.
		return err
	}
	// Deferred first, so released last: after the failed render's clean-up below.
	defer lock.Close()
	var all []*staged
	defer func() {
		if err == nil {
			return
		}
		for _, s := range all {
			os.Remove(s.temp)
		}
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
	}()

	var foreignFiles []string
	for _, p := range paths {
		target, err := resolveTarget(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		isForeign, err := foreign(target)
		if err != nil {
			return err
		}
		if isForeign {
			foreignFiles = append(foreignFiles, target)
			if !o.force {
				continue
			}
		}
		if len(foreignFiles) > 0 && !o.force {
			continue // nothing is staged once a refusal is certain; the loop only collects them
		}
		dirs, err := mkdirAll(filepath.Dir(target))
		created = append(created, dirs...)
		if err != nil {
			return fmt.Errorf("create directory for %s: %w", target, err)
		}
		s, err := stage(target, files[p])
		if err != nil {
			return err
		}
		if isForeign {
			s.keep = target + KeptSuffix
		}
		all = append(all, s)
	}
	if len(foreignFiles) > 0 && !o.force {
		return &ForeignFilesError{Files: foreignFiles}
	}
	if stagedHook != nil {
		if err := stagedHook(); err != nil {
			return err
		}
	}
	if err := commit(all); err != nil {
		return err
	}
	if o.kept != nil {
		for _, s := range all {
			if s.keep != "" {
				o.kept(s.target, s.keep)
			}
		}
	}
	return nil
}

// resolveTarget follows a symlink at path to the file it names: configuration kept in a
// repository and linked into /etc stays linked, and the repository's file is updated.
func resolveTarget(path string) (string, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", fmt.Errorf("inspect %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSymlink == 0 {
		if info.IsDir() {
			return "", fmt.Errorf("write %s: it is a directory", path)
		}
		return path, nil
	}
	dest, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		// A dangling link: write the file it names.
		link, lerr := os.Readlink(path)
		if lerr != nil {
			return "", fmt.Errorf("read symlink %s: %w", path, lerr)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		return link, nil
	}
	if err != nil {
		return "", fmt.Errorf("follow symlink %s: %w", path, err)
	}
	if info, err := os.Stat(dest); err == nil && info.IsDir() {
		return "", fmt.Errorf("write %s: it links to the directory %s", path, dest)
	}
	return dest, nil
}

// mkdirAll is os.MkdirAll that returns the directories it created, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return created, err
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// stage writes data to a synced temporary file beside target, with target's mode and owner when
// target exists.
func stage(target string, data []byte) (s *staged, err error) {
	removeLeftovers(target)
	f, err := os.CreateTemp(filepath.Dir(target), stagePrefix(filepath.Base(target), os.Getpid())+"*")
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", target, err)
	}
	s = &staged{target: target, temp: f.Name()}
	defer func() {
		if err != nil {
			// Not s.temp: the failing return has set s to nil.
			f.Close()
			os.Remove(f.Name())
		}
	}()
	mode := newFileMode
	uid, gid := -1, -1
	if info, err := os.Stat(target); err == nil {
		mode = info.Mode().Perm()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(st.Uid), int(st.Gid)
		}
	}
	if _, err := f.Write(data); err != nil {
		return nil, fmt.Errorf("stage %s: %w", target, err)
	}
	// CreateTemp makes 0600 files; the umask must not decide the mode of a config either.
	if err := f.Chmod(mode); err != nil {
		return nil, fmt.Errorf("stage %s: %w", target, err)
	}
	if uid >= 0 && (uid != os.Getuid() || gid != os.Getgid()) {
		if err := f.Chown(uid, gid); err != nil {
			return nil, fmt.Errorf("stage %s: keep its owner %d:%d: %w", target, uid, gid, err)
		}
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", target, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", target, err)
	}
	return s, nil
}

// removeLeftovers removes the staged files (and backups) of a render that was killed before it
// could clean up, so that they do not pile up beside the configuration. A render still at work
// (beside the same file through a symlink from another root) keeps its own.
func removeLeftovers(target string) {
	dir, base := filepath.Dir(target), filepath.Base(target)
	pattern := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(base)
	old, _ := filepath.Glob(filepath.Join(dir, "."+pattern+".hubgen-*"))
	for _, p := range old {
		if leftoverOfDeadRender(filepath.Base(p), base) {
			os.Remove(p)
		}
	}
}

// commit renames every staged file into place. Old targets are first hard-linked to a backup name
// so that, if a later rename fails, the ones done can be undone.
func commit(all []*staged) (err error) {
	var done, kept []*staged
	defer func() {
		for _, s := range all {
			if s.backup == "" {
				continue
			}
			if err != nil && slices.Contains(done, s) {
				os.Rename(s.backup, s.target)
			} else {
				os.Remove(s.backup)
			}
		}
		if err != nil {
			for _, s := range done {
				if s.backup == "" {
					os.Remove(s.target) // it did not exist before
				}
			}
			for _, s := range kept {
				os.Remove(s.keep) // the target is back in place
			}
		}
	}()
	// A file hubgen did not write is kept under its own name first, never over another one: an
	// earlier kept file is the only copy of what was there before hubgen.
	for _, s := range all {
		if s.keep == "" {
			continue
		}
		if err := os.Link(s.target, s.keep); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("keep %s as %s: that file exists already (move it away first)", s.target, s.keep)
			}
			return fmt.Errorf("keep %s as %s: %w", s.target, s.keep, err)
		}
		kept = append(kept, s)
	}
	for _, s := range all {
		if _, err := os.Lstat(s.target); err == nil {
			backup := s.temp + ".old"
			if err := os.Link(s.target, backup); err != nil {
				return fmt.Errorf("keep a backup of %s: %w", s.target, err)
			}
			s.backup = backup
		}
	}
	for _, s := range all {
		if err := os.Rename(s.temp, s.target); err != nil {
			return fmt.Errorf("replace %s: %w", s.target, err)
		}
		done = append(done, s)
		if renamedHook != nil {
			renamedHook()
		}
	}
	// Make the renames durable too: a crash after Write returns must not bring old files back.
	for _, s := range all {
		if err := fsync.Dir(filepath.Dir(s.target)); err != nil {
			return fmt.Errorf("sync %s: %w", filepath.Dir(s.target), err)
		}
	}
	return nil
}
