package render

import (
	"bytes"
	"maps"
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
// exactly those files: the server target's, and z2jh/values.yaml for every example that can
// target z2jh. `go test ./render -update` rewrites them; read the diff before committing.
func TestGolden(t *testing.T) {
	ex := examples(t)
	for name, path := range ex {
		t.Run(name, func(t *testing.T) {
			site := loadExample(t, path)
			files, err := Files(site)
			if err != nil {
				t.Fatal(err)
			}
			if z2jhExample(t, path, site) {
				k8s, err := Files(site, WithTarget(schema.TargetZ2JH))
				if err != nil {
					t.Fatal(err)
				}
				maps.Copy(files, k8s)
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

// TestHeaderNamesTheSiteFileOnly: every file starts with the header that marks it as hubgen's
// (render refuses to replace a file without it), naming the site file and no version of hubgen,
// so that check passes across releases.
func TestHeaderNamesTheSiteFileOnly(t *testing.T) {
	site := loadExample(t, "../examples/sso.toml")
	files, err := Files(site)
	if err != nil {
		t.Fatal(err)
	}
	k8s, err := Files(site, WithTarget(schema.TargetZ2JH))
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(files, k8s)
	for p, data := range files {
		if !bytes.HasPrefix(data, []byte("# "+HeaderPrefix+"from sso.toml")) {
			t.Errorf("%s does not start with the header naming sso.toml:\n%.200s", p, data)
		}
		if !WrittenByHubgen(data) {
			t.Errorf("%s is not recognised as hubgen's", p)
		}
	}
}

// z2jhExample tells whether the example at path can target z2jh: parsed for it, it has no error
// (PAM sites cannot).
func z2jhExample(t testing.TB, path string, site *schema.Site) bool {
	t.Helper()
	_, err := schema.Load(path, schema.WithTarget(schema.TargetZ2JH))
	return err == nil
}
