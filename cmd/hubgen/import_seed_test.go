package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/schema"
)

// seedsDir is the blog posts hubgen was designed from, kept beside the repository (not in it: their
// licence is not ours to give). HUBGEN_SEEDS overrides it.
func seedsDir() string {
	if d := os.Getenv("HUBGEN_SEEDS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "seeds")
}

// codeBlock returns the fenced block that follows the first line containing marker.
func codeBlock(t *testing.T, text, marker string) string {
	t.Helper()
	i := strings.Index(text, marker)
	if i < 0 {
		t.Fatalf("the post has no %q", marker)
	}
	rest := text[i:]
	start := strings.Index(rest, "```")
	rest = rest[start+3:]
	rest = rest[strings.IndexByte(rest, '\n')+1:]
	return rest[:strings.Index(rest, "```")]
}

// TestImportSeed imports the blog's own nginx.conf and jupyterhub_config.py (part 5, as the post
// gives them). As printed, the cipher string is cut off by copy and paste and its quote never
// closes, which nginx refuses too: import names the line and writes nothing. With that one line
// closed, the rest imports, and the report and the mistakes found are golden (the diff, which
// would quote the post's text, is left out of the golden file).
func TestImportSeed(t *testing.T) {
	needJupyterHub(t)
	post, err := os.ReadFile(filepath.Join(seedsDir(), "002_df221c1b05d8c971.txt"))
	if err != nil {
		t.Skipf("the blog posts are not beside the repository (set HUBGEN_SEEDS): %v", err)
	}
	dir := t.TempDir()
	nginx := codeBlock(t, string(post), "The nginx config that eventually worked")
	config := codeBlock(t, string(post), "At the top of the file, add the following")
	os.WriteFile(filepath.Join(dir, "jupyterhub_config.py"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(nginx), 0o644)
	t.Chdir(dir)
	importArgs := []string{"import", "--nginx", "nginx.conf", "--config", "jupyterhub_config.py", "-o", "site.toml"}

	var stdout, stderr bytes.Buffer
	code := run(importArgs, &env{stdout: &stdout, stderr: &stderr})
	if code != exitInvalid || !strings.Contains(stderr.String(), "nginx.conf:56: a quoted string is not closed") {
		t.Errorf("verbatim: exit %d, stderr %s", code, stderr.String())
	}
	if _, err := os.Lstat("site.toml"); err == nil {
		t.Fatal("a failed import wrote site.toml")
	}

	var fixed []string
	for _, line := range strings.Split(nginx, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "ssl_ciphers '") && strings.HasSuffix(line, ":$") {
			line = strings.TrimSuffix(line, ":$") + "';"
		}
		fixed = append(fixed, line)
	}
	os.WriteFile("nginx.conf", []byte(strings.Join(fixed, "\n")), 0o644)
	stdout.Reset()
	stderr.Reset()
	if code := run(importArgs, &env{stdout: &stdout, stderr: &stderr}); code != exitOK {
		t.Fatalf("fixed: exit %d\n%s", code, stderr.String())
	}
	report, _, _ := strings.Cut(stdout.String(), "What `hubgen render` would change")
	site, err := os.ReadFile("site.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Load("site.toml"); err != nil {
		t.Errorf("the imported site file is invalid:\n%v", err)
	}
	golden.Check(t, filepath.Join(wd(t), "testdata", "import", "seed-blog-part5.txt"), []byte(report+"-- site.toml --\n"+string(site)))
}

var startDir, _ = os.Getwd()

func wd(t *testing.T) string { return startDir }
