package schema

import (
	"strings"
	"testing"
)

// TestScaffoldCourseIsVisible: --course moves the hub to a sub-path and another state directory.
// The file must say so, its comments must not call the values it sets defaults, and the
// commented-out secret files must show where they would be, so that uncommenting one changes
// nothing.
func TestScaffoldCourseIsVisible(t *testing.T) {
	o := ScaffoldOptions{Domain: "courses.example.edu", Admins: []string{"prof"}, Course: "engr101"}
	text := Scaffold(o)
	if !strings.Contains(text, "# --course engr101 chose a sub-path: the hub is served at https://courses.example.edu/engr101/\n") {
		t.Errorf("the scaffold does not say where the hub is served:\n%s", text)
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if i == 0 || strings.HasPrefix(l, "#") || !strings.Contains(l, " = ") {
			continue
		}
		name, _, _ := strings.Cut(l, " = ")
		comment := lines[i-1]
		if (name == "base_url" || name == "state_dir") && !strings.Contains(comment, "set by --course engr101 (default ") {
			t.Errorf("%s is set by --course, but its comment says: %s", name, comment)
		}
	}
	site, err := Parse("site.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cookie_secret_file", "proxy_auth_token_file"} {
		uncommented := strings.Replace(text, "# "+name+" = ", name+" = ", 1)
		again, err := Parse("site.toml", []byte(uncommented))
		if err != nil {
			t.Fatal(err)
		}
		if again.Hub != site.Hub {
			t.Errorf("uncommenting %s changes [hub]: %+v, was %+v", name, again.Hub, site.Hub)
		}
	}
}
