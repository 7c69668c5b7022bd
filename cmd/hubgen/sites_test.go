package main

import "testing"

func TestTopLevelValuePosition(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		line, col  int
	}{
		{"first line", `domain = "a.example.edu"`, 1, 10},
		{"after a comment", "# é\n  domain=\"a.example.edu\"", 2, 10},
		{"a byte order mark", "\ufeffdomain = \"a.example.edu\"", 1, 10},
		{"a longer key first", "domain_name = 1\ndomain = \"a\"", 2, 10},
		{"only in a table", "[tls]\ndomain = \"a\"", 1, 1},
	} {
		line, col := topLevelValuePosition([]byte(tc.file), "domain")
		if line != tc.line || col != tc.col {
			t.Errorf("%s: %d:%d, want %d:%d", tc.name, line, col, tc.line, tc.col)
		}
	}
}
