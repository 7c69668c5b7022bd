package render

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubgen/hubgen/schema"
)

var update = flag.Bool("update", false, "rewrite golden files")

// examples returns every site file under examples/, by example name.
func examples(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	m := map[string]string{}
	for _, p := range paths {
		m[strings.TrimSuffix(filepath.Base(p), ".toml")] = p
	}
	return m
}

func loadExample(t testing.TB, path string) *schema.Site {
	t.Helper()
	site, err := schema.Load(path)
	if err != nil {
		t.Fatalf("example %s does not load:\n%v", path, err)
	}
	return site
}

// TestGolden renders every example and compares each output with golden/<example>/<path>.
// `go test ./render -update` rewrites them; read the diff before committing it.
func TestGolden(t *testing.T) {
	for name, path := range examples(t) {
		t.Run(name, func(t *testing.T) {
			files, err := Files(loadExample(t, path))
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("..", "golden", name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			for _, out := range Paths() {
				golden := filepath.Join(dir, filepath.FromSlash(out))
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, files[out], 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run `go test ./render -update` to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(files[out])); diff != "" {
					t.Errorf("%s differs from %s (-want +got):\n%s", out, golden, diff)
				}
			}
		})
	}
}

// TestGoldenHasNoStrayFiles keeps golden/ in step with examples/: a removed example's outputs
// must not linger where a reviewer would take them for tested ones.
func TestGoldenHasNoStrayFiles(t *testing.T) {
	ex := examples(t)
	var stray []string
	err := filepath.WalkDir("../golden", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../golden", p)
		name, out, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if _, ok := ex[name]; !ok || !containsString(Paths(), out) {
			stray = append(stray, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("golden files with no example or output behind them: %v", stray)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
