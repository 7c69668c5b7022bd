package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPyCollections pins the layout of the allowed_users set and the spawner command list: up to
// three elements on one line, more one a line with a trailing comma, so a roster change is a
// one-line diff. pyCollection writes into one buffer for speed; this is what it must still write.
func TestPyCollections(t *testing.T) {
	for _, c := range []struct {
		name     string
		fn       func([]string) (string, error)
		list     []string
		want     string
		wantFail bool
	}{
		{"empty set", pyStrSet, nil, "set()", false},
		{"empty list", pyStrList, []string{}, "[]", false},
		{"one", pyStrSet, []string{"peter"}, "{'peter'}", false},
		{"three on a line", pyStrList, []string{"a", "b", "c"}, "['a', 'b', 'c']", false},
		{"four one a line", pyStrSet, []string{"a", "b", "c", "d"}, "{\n    'a',\n    'b',\n    'c',\n    'd',\n}", false},
		{"escapes", pyStrList, []string{"it's", `a\b`, "x\ny", "\u202e"}, "[\n    'it\\'s',\n    'a\\\\b',\n    'x\\ny',\n    '\\u202e',\n]", false},
		{"escapes on a line", pyStrSet, []string{"\t", "\x7f"}, `{'\t', '\x7f'}`, false},
		{"not UTF-8", pyStrSet, []string{"a", "b\xff"}, "", true},
		{"not UTF-8 in a long one", pyStrList, []string{"a", "b", "c", "d", "\xfe"}, "", true},
	} {
		got, err := c.fn(c.list)
		if c.wantFail {
			if err == nil {
				t.Errorf("%s: got %q, want an error", c.name, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", c.name, diff)
		}
	}
}
