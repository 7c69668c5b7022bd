package importer

import (
	"strings"
	"testing"
)

// FuzzParseNginx: whatever the text, the parser returns a tree or an error naming a line of it,
// never panics, and every directive it returns has a name and a line inside the text.
func FuzzParseNginx(f *testing.F) {
	for _, seed := range []string{
		"events {}\nhttp { server { listen 443 ssl; } }\n",
		"map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
		`add_header X "a \"quoted\" value" always;`,
		"location ~ ^/(user/[^/]+)/api/kernels/ { proxy_pass http://127.0.0.1:8000; }",
		"set $x ${y}z; # comment\n",
		"ssl_ciphers 'ECDHE:$\n}\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tree, err := parseNginx("f.conf", text)
		lines := strings.Count(text, "\n") + 1
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.conf:") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		var walk func([]*directive)
		walk = func(ds []*directive) {
			for _, d := range ds {
				if d.Line < 1 || d.Line > lines {
					t.Fatalf("directive %q at line %d of %d", d.Name, d.Line, lines)
				}
				walk(d.Block)
			}
		}
		walk(tree)
	})
}
