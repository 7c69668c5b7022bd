package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/internal/golden"
	"github.com/hubgen/hubgen/schema"
)

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

// TestGolden renders every example and compares its outputs with golden/<example>/, which holds
// exactly those files. `go test ./render -update` rewrites them; read the diff before committing.
func TestGolden(t *testing.T) {
	ex := examples(t)
	for name, path := range ex {
		t.Run(name, func(t *testing.T) {
			files, err := Files(loadExample(t, path), WithVersion(golden.Version))
			if err != nil {
				t.Fatal(err)
			}
			golden.CheckDir(t, filepath.Join("..", "golden", name), files)
		})
	}
	// A removed example's directory must not linger where a reviewer takes it for a tested one.
	dirs, err := os.ReadDir(filepath.Join("..", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := ex[d.Name()]; !ok {
			t.Errorf("golden/%s has no example behind it", d.Name())
		}
	}
}
