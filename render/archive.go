package render

import (
	"bytes"
	"sort"
)

// Archive writes files as a txtar archive: each file under a "-- path --" line, in path order.
// It is what `hubgen render` prints without -o, readable by golang.org/x/tools/txtar.
func Archive(files map[string][]byte) []byte {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b bytes.Buffer
	for _, p := range paths {
		b.WriteString("-- " + p + " --\n")
		b.Write(files[p])
		if n := len(files[p]); n > 0 && files[p][n-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
