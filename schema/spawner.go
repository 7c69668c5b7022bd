package schema

import (
	"fmt"
	"strings"
	"unicode"
)

// validateSpawner checks [spawner]; spawner.kind is checked with [limits], which it decides.
func validateSpawner(c *checker) {
	s, set := c.site, c.set
	if set("spawner.cmd") {
		validateCommand(c, s.Spawner.Cmd)
		warnCommandAsString(c, s.Spawner.Cmd)
	}
	if set("spawner.default_url") {
		validateURLPath(c, "spawner.default_url", s.Spawner.DefaultURL)
	}
	if set("spawner.notebook_dir") {
		validateNotebookDir(c, s.Spawner.NotebookDir)
	}
}

func validateCommand(c *checker, cmd []string) {
	if len(cmd) == 0 {
		c.atValue("spawner.cmd", "is empty (the single-user server command, like [\"/opt/conda/bin/jupyterhub-singleuser\"])")
		return
	}
	for i, arg := range cmd {
		elem := fmt.Sprintf("spawner.cmd[%d]", i)
		if strings.ContainsRune(arg, 0) {
			c.atValue(elem, "%s has a NUL character, which no command argument can hold (remove it)", quote(arg))
		}
	}
	if cmd[0] == "" {
		c.atValue("spawner.cmd[0]", "is empty (the program to run, like \"/opt/conda/bin/jupyterhub-singleuser\")")
	}
}

func validateURLPath(c *checker, key, p string) {
	switch {
	case !strings.HasPrefix(p, "/"):
		c.atValue(key, "%s does not start with / (a path in the notebook server, like \"/lab\" or \"/tree\")", quote(p))
	case strings.IndexFunc(p, func(c rune) bool { return unicode.IsControl(c) || unicode.IsSpace(c) }) >= 0:
		c.atValue(key, "%s has a space or control character (%s; a URL path has neither)", quote(p), badRune(p, func(c rune) bool { return !unicode.IsControl(c) && !unicode.IsSpace(c) }))
	}
}

func validateNotebookDir(c *checker, dir string) {
	switch {
	case dir == "":
		c.atValue("spawner.notebook_dir", "is empty (leave it out for the user's home, or a directory like \"~/notebooks\")")
	case hasControl(dir):
		c.atValue("spawner.notebook_dir", "%s has a control character (%s)", quote(dir), badRune(dir, func(c rune) bool { return !unicode.IsControl(c) }))
	}
}

// warnCommandAsString warns about spawner.cmd[0] holding what looks like a program and its
// arguments: JupyterHub would look for a program whose name has a space in it.
func warnCommandAsString(c *checker, cmd []string) {
	if len(cmd) == 0 {
		return
	}
	words := strings.Fields(cmd[0])
	if len(words) < 2 || !strings.HasPrefix(words[1], "-") {
		return // a path with a space in it, perhaps
	}
	list := make([]string, 0, len(words)+len(cmd)-1)
	for _, w := range append(words, cmd[1:]...) {
		list = append(list, quote(w))
	}
	key := "spawner.cmd[0]"
	if _, isList := c.pos.value[key]; !isList {
		key = "spawner.cmd"
	}
	c.warnAt(key, "%s looks like a program and its arguments, which would be read as one program name with spaces (use a list: cmd = [%s])", quote(cmd[0]), strings.Join(list, ", "))
}
