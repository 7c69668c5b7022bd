package packaging

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/hubgen/hubgen/internal/testsys"
)

const (
	// testTag is not a tag of the repository: release.sh accepts any semantic version, so the
	// test does not depend on the clone's tags (a CI clone may have none).
	testTag = "v0.2.0-test"
	// debVersion is testTag as Debian orders it: the pre-release before 0.2.0.
	debVersion = "0.2.0~test"
	runAsRoot  = "sudo HUBGEN_E2E=require go test ./packaging/"
)

var arches = []string{"amd64", "arm64"}

func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release twice and installs it; not with -short")
	}
	for _, tool := range []string{"go", "dpkg-deb", "lintian", "gzip", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			testsys.SkipOrFail(t, "the release test needs "+tool+" (apt-get install dpkg-dev lintian)")
		}
	}
	dist := release(t)

	t.Run("checksums", func(t *testing.T) { checkSums(t, dist) })
	t.Run("static binaries", func(t *testing.T) { checkBinaries(t, dist) })
	t.Run("reproducible", func(t *testing.T) {
		again := release(t)
		want, _ := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
		got, _ := os.ReadFile(filepath.Join(again, "SHA256SUMS"))
		if !bytes.Equal(want, got) {
			t.Errorf("a second build of the same commit differs:\nfirst:\n%s\nsecond:\n%s", want, got)
		}
	})
	for _, arch := range arches {
		t.Run("lintian "+arch, func(t *testing.T) { checkLintian(t, debPath(dist, arch)) })
	}
	t.Run("contents", func(t *testing.T) { checkContents(t, debPath(dist, "amd64")) })

	deb := debPath(dist, runtime.GOARCH)
	t.Run("debian 12", func(t *testing.T) {
		testsys.NeedRoot(t, "installing the package", runAsRoot)
		checkInstall(t, hostSystem(t), deb)
	})
	t.Run("debian 13", func(t *testing.T) {
		testsys.NeedRoot(t, "installing the package in the Debian 13 root", runAsRoot)
		checkInstall(t, debian13(t), deb)
	})
}

// release runs scripts/release.sh testTag into a new directory and returns it.
func release(t *testing.T) string {
	t.Helper()
	dist := t.TempDir()
	cmd := exec.Command("bash", "../scripts/release.sh", testTag)
	cmd.Env = append(os.Environ(), "HUBGEN_DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/release.sh %s: %v\n%s", testTag, err, out)
	}
	return dist
}

func debPath(dist, arch string) string {
	return filepath.Join(dist, "hubgen_"+debVersion+"_"+arch+".deb")
}

func binaryPath(dist, arch string) string {
	return filepath.Join(dist, "hubgen_"+strings.TrimPrefix(testTag, "v")+"_linux_"+arch)
}

// checkSums reads SHA256SUMS as `sha256sum -c` would and wants it to cover every artefact.
func checkSums(t *testing.T, dist string) {
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: %q is not \"SUM  NAME\"", line)
		}
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatalf("SHA256SUMS lists %s: %v", name, err)
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("SHA256SUMS: %s does not match", name)
		}
		listed[name] = true
	}
	for _, arch := range arches {
		for _, p := range []string{binaryPath(dist, arch), debPath(dist, arch)} {
			if !listed[filepath.Base(p)] {
				t.Errorf("SHA256SUMS does not list %s", filepath.Base(p))
			}
		}
	}
}

// checkBinaries wants each binary static (no program interpreter, no shared library) and for
// its architecture, and the one that runs here to print the tag.
func checkBinaries(t *testing.T, dist string) {
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for _, arch := range arches {
		f, err := elf.Open(binaryPath(dist, arch))
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != machine[arch] {
			t.Errorf("%s: machine %v, want %v", arch, f.Machine, machine[arch])
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: has a program interpreter: not static", arch)
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("%s: links %v: not static", arch, libs)
		}
		f.Close()
	}
	out, err := exec.Command(binaryPath(dist, runtime.GOARCH), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "hubgen "+testTag+"\n"; got != want {
		t.Errorf("hubgen version printed %q, want %q (the tag, stamped by -X main.version)", got, want)
	}
}

// lintianTag is one line of lintian's output: "E: hubgen: tag [context]".
var lintianTag = regexp.MustCompile(`^([EWIPXCO]): hubgen(?: [a-z]+)?: (\S+)`)

// checkLintian wants no error and no warning, and no override but the one doc.go explains.
func checkLintian(t *testing.T, deb string) {
	// --show-overrides makes lintian exit 2 even when all is well, so its output is the verdict.
	out, _ := exec.Command("lintian", "--pedantic", "--display-info", "--show-overrides", deb).CombinedOutput()
	t.Logf("lintian %s:\n%s", filepath.Base(deb), out)
	sawOverride := false
	for _, line := range strings.Split(string(out), "\n") {
		m := lintianTag.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch {
		case m[1] == "O" && m[2] == "statically-linked-binary":
			sawOverride = true
		case m[1] == "E" || m[1] == "W" || m[1] == "O":
			t.Errorf("lintian: %s", line)
		}
	}
	if !sawOverride {
		t.Errorf("lintian did not report the statically-linked-binary override: did it run?\n%s", out)
	}
}

// checkContents wants the files an admin looks for and a control file without dependencies.
func checkContents(t *testing.T, deb string) {
	out, err := exec.Command("dpkg-deb", "--contents", deb).Output()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{} // path → mode and owner
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		files[strings.TrimPrefix(f[len(f)-1], ".")] = f[0] + " " + f[1]
	}
	for path, want := range map[string]string{
		"/usr/bin/hubgen":                                                 "-rwxr-xr-x root/root",
		"/usr/share/man/man1/hubgen.1.gz":                                 "-rw-r--r-- root/root",
		"/usr/share/bash-completion/completions/hubgen":                   "-rw-r--r-- root/root",
		"/usr/share/hubgen/site.schema.json":                              "-rw-r--r-- root/root",
		"/usr/share/doc/hubgen/copyright":                                 "-rw-r--r-- root/root",
		"/usr/share/doc/hubgen/changelog.gz":                              "-rw-r--r-- root/root",
		"/usr/share/doc/hubgen/README.md.gz":                              "-rw-r--r-- root/root",
		"/usr/share/doc/hubgen/examples/canvas.toml":                      "-rw-r--r-- root/root",
		"/usr/share/doc/hubgen/examples/rosters/":                         "drwxr-xr-x root/root",
		"/usr/share/doc/hubgen/examples/rosters/canvas-engr101-2027s.csv": "-rw-r--r-- root/root",
	} {
		if got, ok := files[path]; !ok {
			t.Errorf("the package lacks %s", path)
		} else if got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	examples, _ := filepath.Glob("../examples/*.toml")
	for _, e := range examples {
		if _, ok := files["/usr/share/doc/hubgen/examples/"+filepath.Base(e)]; !ok {
			t.Errorf("the package lacks the example %s", filepath.Base(e))
		}
	}
	control, err := exec.Command("dpkg-deb", "--field", deb, "Package", "Version", "Architecture", "Depends", "Pre-Depends").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(control), "Package: hubgen\nVersion: "+debVersion+"\nArchitecture: amd64\n"; got != want {
		t.Errorf("control fields:\n%s\nwant (a static binary depends on nothing):\n%s", got, want)
	}
}

// system is a Debian system the package is installed on: this machine, or a root entered with
// chroot. run runs a command in it; path gives a path of it as seen from here.
type system struct {
	name string
	run  func(args ...string) (string, error)
	path func(p string) string
}

func hostSystem(t *testing.T) system {
	if _, err := os.Stat("/etc/debian_version"); err != nil {
		testsys.SkipOrFail(t, "this machine is not Debian")
	}
	return system{
		name: "this machine",
		run:  func(args ...string) (string, error) { return output(exec.Command(args[0], args[1:]...)) },
		path: func(p string) string { return p },
	}
}

// debian13 enters the Debian 13 root of the end-to-end tests (scripts/debian13-root.sh) through
// an overlay: the package is installed and removed in a layer of the test's own, so the shared
// root is never changed and other tests may use it meanwhile.
func debian13(t *testing.T) system {
	lower := os.Getenv("HUBGEN_DEBIAN13_ROOT")
	if lower == "" {
		lower = "/var/cache/hubgen/trixie-root"
	}
	if _, err := os.Stat(filepath.Join(lower, "usr/bin/dpkg")); err != nil {
		testsys.SkipOrFail(t, "no Debian 13 root at "+lower+" (make it with scripts/debian13-root.sh, or set HUBGEN_DEBIAN13_ROOT)")
	}
	if v, _ := os.ReadFile(filepath.Join(lower, "etc/debian_version")); !strings.HasPrefix(string(v), "13") {
		testsys.SkipOrFail(t, lower+" is Debian "+strings.TrimSpace(string(v))+", not 13")
	}
	layer := testsys.MountTmpfs(t, "256m", runAsRoot)
	upper, work, root := filepath.Join(layer, "upper"), filepath.Join(layer, "work"), filepath.Join(layer, "root")
	for _, d := range []string{upper, work, root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mount(t, "overlay", root, "overlay", 0, "lowerdir="+lower+",upperdir="+upper+",workdir="+work)
	// dpkg and bash read /proc; it is mounted on the overlay, which only this test sees.
	mount(t, "proc", filepath.Join(root, "proc"), "proc", 0, "")
	return system{
		name: "the Debian 13 root",
		run: func(args ...string) (string, error) {
			cmd := exec.Command("chroot", append([]string{root}, args...)...)
			cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root"}
			return output(cmd)
		},
		path: func(p string) string { return filepath.Join(root, p) },
	}
}

// mount mounts and unmounts when the test ends (before what was mounted earlier).
func mount(t *testing.T, source, target, fstype string, flags uintptr, data string) {
	t.Helper()
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		testsys.SkipOrFail(t, fmt.Sprintf("mount %s on %s: %v (a container without CAP_SYS_ADMIN?)", fstype, target, err))
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(target, 0); err != nil {
			t.Errorf("unmount %s: %v", target, err)
		}
	})
}

func output(cmd *exec.Cmd) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s: %w\n%s%s", strings.Join(cmd.Args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), err
}

// checkInstall installs deb with dpkg -i, uses what it installed as an admin would, removes it
// with dpkg -r and -P, and wants every file it brought gone and every directory it shared kept.
func checkInstall(t *testing.T, sys system, deb string) {
	must := func(args ...string) string {
		t.Helper()
		out, err := sys.run(args...)
		if err != nil {
			t.Fatalf("in %s: %v", sys.name, err)
		}
		return out
	}
	if status, _ := sys.run("dpkg-query", "--show", "--showformat=${db:Status-Status} ${Version}", "hubgen"); strings.HasPrefix(status, "installed ") {
		if status != "installed "+debVersion {
			testsys.SkipOrFail(t, fmt.Sprintf("%s has hubgen %s installed; the test would replace it", sys.name, strings.TrimPrefix(status, "installed ")))
		}
		must("dpkg", "--purge", "hubgen") // left by an earlier run that was killed
	}

	// What of the package's paths exists before it comes: shared directories like /usr/share/man.
	listing, err := exec.Command("dpkg-deb", "--fsys-tarfile", deb).Output()
	if err != nil {
		t.Fatal(err)
	}
	paths := tarPaths(t, listing)
	existed := map[string]bool{}
	for _, p := range paths {
		_, err := os.Lstat(sys.path(p))
		existed[p] = err == nil
	}

	scratch, err := os.MkdirTemp(sys.path("/tmp"), "hubgen-package-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	inside := "/tmp/" + filepath.Base(scratch) // scratch as the system sees it
	data, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scratch, filepath.Base(deb)), data, 0o644); err != nil {
		t.Fatal(err)
	}

	must("dpkg", "--install", inside+"/"+filepath.Base(deb))
	t.Cleanup(func() { sys.run("dpkg", "--purge", "hubgen") }) // when a check below fails

	if got, want := must("/usr/bin/hubgen", "version"), "hubgen "+testTag+"\n"; got != want {
		t.Errorf("hubgen version: %q, want %q", got, want)
	}

	// An installed example renders to exactly the repository's golden files: the example, its
	// roster and the binary all arrived. No version is in the files, so the tagged binary renders
	// the same bytes as the tests.
	must("/usr/bin/hubgen", "render", "/usr/share/doc/hubgen/examples/canvas.toml", "-o", inside+"/etc")
	for _, rel := range []string{"nginx/nginx.conf", "jupyterhub/jupyterhub_config.py", "systemd/system/jupyterhub.service"} {
		got, err := os.ReadFile(filepath.Join(scratch, "etc", rel))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("../golden/canvas", rel))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the installed canvas example renders %s unlike golden/canvas/%s", rel, rel)
		}
	}

	// The licence grant university IT looks for, and the guide.
	copyright, err := os.ReadFile(sys.path("/usr/share/doc/hubgen/copyright"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(copyright), "Files: *\nCopyright: the hubgen authors\nLicense: BSD-3-Clause\n") {
		t.Errorf("/usr/share/doc/hubgen/copyright does not grant hubgen under BSD-3-Clause:\n%.600s", copyright)
	}
	if got := must("/usr/bin/gzip", "-dc", "/usr/share/doc/hubgen/README.md.gz"); !strings.HasPrefix(got, "# hubgen\n") {
		t.Errorf("/usr/share/doc/hubgen/README.md.gz is not the README: %.100q", got)
	}

	schema, err := os.ReadFile(sys.path("/usr/share/hubgen/site.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(schema) || string(schema) != must("/usr/bin/hubgen", "schema") {
		t.Errorf("/usr/share/hubgen/site.schema.json is not what hubgen schema prints")
	}

	// Every command's synopsis is a section of the page, as `hubgen help CMD` prints it.
	var synopses []string
	for _, cmd := range []string{"render", "check", "accounts"} {
		usage, _, _ := strings.Cut(must("/usr/bin/hubgen", "help", cmd), "\n")
		synopses = append(synopses, strings.TrimPrefix(usage, "usage: "))
	}
	checkManPage(t, sys.path("/usr/share/man/man1/hubgen.1.gz"), synopses)
	checkCompletion(t, sys, scratch, inside)

	must("dpkg", "--remove", "hubgen")
	for _, p := range paths {
		_, err := os.Lstat(sys.path(p))
		switch gone := errors.Is(err, os.ErrNotExist); {
		case existed[p] && gone:
			t.Errorf("dpkg -r took away %s, which was there before", p)
		case !existed[p] && !gone:
			t.Errorf("dpkg -r left %s behind", p)
		}
	}
	must("dpkg", "--purge", "hubgen")
	if status, _ := sys.run("dpkg-query", "--show", "--showformat=${db:Status-Status}", "hubgen"); status != "" && status != "not-installed" {
		t.Errorf("after dpkg -P, dpkg says hubgen is %q", status)
	}
	if left, _ := filepath.Glob(sys.path("/var/lib/dpkg/info/hubgen.*")); len(left) > 0 {
		t.Errorf("after dpkg -P, dpkg still holds %v", left)
	}
}

// tarPaths lists the paths in a deb's data archive, as absolute paths.
func tarPaths(t *testing.T, tarball []byte) []string {
	cmd := exec.Command("tar", "-t")
	cmd.Stdin = bytes.NewReader(tarball)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if p = strings.TrimSuffix(strings.TrimPrefix(p, "."), "/"); p != "" {
			paths = append(paths, p)
		}
	}
	return paths
}

// checkManPage wants the man page to carry every command with its flags, as the help has them:
// synopses are `hubgen help CMD`'s usage lines, each a section heading of the page.
func checkManPage(t *testing.T, path string, synopses []string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	wants := []string{
		".TH HUBGEN 1 ", `"hubgen ` + testTag + `"`,
		`hubgen \- `,
		`\fB\-\-against\fR \fIROOT\fR`,
		".SH EXIT STATUS",
	}
	for _, synopsis := range synopses {
		// roff reads "-" as a hyphen; the page writes a minus, as a shell needs it.
		wants = append(wants, `.SS "`+strings.ReplaceAll(synopsis, "-", `\-`)+`"`)
	}
	for _, want := range wants {
		if !strings.Contains(string(page), want) {
			t.Errorf("the man page lacks %q", want)
		}
	}
}

// checkCompletion asks the installed completion what bash would offer, the way bash does when
// TAB is pressed: it loads the completion as bash-completion would (or sources it where
// bash-completion is not installed, as in the minimal Debian 13 root), sets COMP_WORDS and
// COMP_CWORD, and calls the function `complete -p hubgen` names.
func checkCompletion(t *testing.T, sys system, scratch, inside string) {
	for _, name := range []string{"site.toml", "other.toml", "notes.txt", "sites/"} {
		p := filepath.Join(scratch, "complete", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if !strings.HasSuffix(name, "/") {
			os.WriteFile(p, nil, 0o644)
		} else {
			os.MkdirAll(p, 0o755)
		}
	}
	script := `
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
  . /usr/share/bash-completion/bash_completion
  __load_completion hubgen
else
  . /usr/share/bash-completion/completions/hubgen
fi
fn=$(complete -p hubgen) || exit 1
fn=${fn#*-F } fn=${fn%% *}
ask() {
  COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE="$*" COMP_POINT=${#COMP_LINE} COMPREPLY=()
  "$fn" hubgen "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s|' "$*" "${COMPREPLY[@]}"
  echo
}
cd "$1"
ask hubgen re
ask hubgen help va
ask hubgen check --f
ask hubgen check --format ''
ask hubgen init --
ask hubgen render ''
ask hubgen render -o ''
`
	if _, err := os.Stat(sys.path("/usr/share/bash-completion/bash_completion")); err == nil {
		t.Logf("%s: bash-completion loads the completion, which uses its _filedir", sys.name)
	} else {
		t.Logf("%s: no bash-completion; the completion is sourced alone and uses compgen", sys.name)
	}
	out, err := sys.run("bash", "-c", script, "complete", inside+"/complete")
	if err != nil {
		t.Fatalf("in %s: %v", sys.name, err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Split(strings.TrimSuffix(line, "|"), "|")
		replies := fields[1:]
		sort.Strings(replies)
		got[fields[0]] = strings.Join(replies, " ")
	}
	for line, want := range map[string]string{
		"hubgen re":              "render",
		"hubgen help va":         "validate",
		"hubgen check --f":       "--format",
		"hubgen check --format ": "github text",
		"hubgen init --":         "--admin --course --domain --force",
		"hubgen render ":         "other.toml site.toml sites", // site files and directories, not notes.txt
		"hubgen render -o ":      "sites",
	} {
		if got[line] != want {
			t.Errorf("in %s, bash completes %q<TAB> to %q, want %q", sys.name, line, got[line], want)
		}
	}
}

// TestGoInstallVersion installs hubgen the third way the README gives, `go install ...@VERSION`,
// from a module proxy on disk that serves this tree as testTag, and wants `hubgen version` to
// print the module version the go command stamped into the build info (no -ldflags here).
func TestGoInstallVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hubgen through the module proxy protocol; not with -short")
	}
	proxy := t.TempDir()
	dir := filepath.Join(proxy, "github.com/hubgen/hubgen/@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"list":            testTag + "\n",
		testTag + ".info": `{"Version":"` + testTag + `","Time":"2026-01-02T03:04:05Z"}`,
		testTag + ".mod":  string(mod),
		testTag + ".zip":  string(moduleZip(t, "github.com/hubgen/hubgen@"+testTag)),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", "github.com/hubgen/hubgen/cmd/hubgen@"+testTag)
	cmd.Dir = gobin // outside hubgen's module, as a user runs it
	// A module cache of the test's own, so that this tree is unpacked afresh each run and the
	// user's cache never holds a made-up hubgen version. The dependencies come from the user's
	// cache (a module proxy on disk too) or else the usual proxy; hubgen itself only from the
	// proxy on disk, which no checksum database knows.
	goenv, err := exec.Command("go", "env", "GOMODCACHE", "GOPROXY").Output()
	if err != nil {
		t.Fatal(err)
	}
	userCache, upstream, _ := strings.Cut(strings.TrimSpace(string(goenv)), "\n")
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOMODCACHE="+t.TempDir(), "GOFLAGS=-modcacherw",
		"GOPROXY=file://"+proxy+",file://"+filepath.Join(userCache, "cache/download")+","+upstream,
		"GONOSUMDB=github.com/hubgen/hubgen")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(gobin, "hubgen"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "hubgen "+testTag+"\n"; got != want {
		t.Errorf("after go install ...@%s, hubgen version printed %q, want %q", testTag, got, want)
	}
}

// moduleZip zips the files git tracks in this tree, as they are in the work tree, in the module
// zip layout: every path under "MODULE@VERSION/".
func moduleZip(t *testing.T, prefix string) []byte {
	t.Helper()
	list, err := exec.Command("git", "-C", "..", "ls-files", "-z").Output()
	if err != nil {
		testsys.SkipOrFail(t, "needs a git work tree: "+err.Error())
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join("..", name))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(prefix + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
