package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// FileDiff is one output whose file under the root is missing or holds something else.
type FileDiff struct {
	Path     string // the output path, slash-separated, relative to the root
	Missing  bool   // there is no file at Path
	OnDisk   []byte // what the file holds; nil when it is missing
	Rendered []byte // what `hubgen render` would write
}

// Diff compares files, as Files returns them, with the files under root, the layout Write makes.
// It returns the outputs that are missing or differ, in path order. A root that does not exist
// makes every output missing; a file that exists but cannot be read is an error, because then
// nothing can be said about it. Files under root that hubgen does not write are not looked at.
func Diff(root string, files map[string][]byte) ([]FileDiff, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var diffs []FileDiff
	for _, p := range paths {
		onDisk, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			diffs = append(diffs, FileDiff{Path: p, Missing: true, Rendered: files[p]})
		case err != nil:
			return nil, fmt.Errorf("compare %s: %w", p, err)
		case !bytes.Equal(onDisk, files[p]):
			diffs = append(diffs, FileDiff{Path: p, OnDisk: onDisk, Rendered: files[p]})
		}
	}
	return diffs, nil
}

// Unified is the diff that turns the file on disk into the rendered one, labelled a/DIR/PATH and
// b/DIR/PATH as git labels them, so that `git apply` or `patch -p1` run in the root applies it.
// dir is the file's directory under the root ("" for none). A missing file is compared with
// /dev/null, which is how diff -N and git mark a file to create.
func (d FileDiff) Unified(dir string) []byte {
	name := path.Join(dir, d.Path)
	oldLabel := "a/" + name
	if d.Missing {
		oldLabel = "/dev/null"
	}
	return Unified(oldLabel, d.OnDisk, "b/"+name, d.Rendered)
}

// diffContext is how many unchanged lines surround each change, as in `diff -u`.
const diffContext = 3

// maxEdits bounds the search for a shortest edit script. Rendered files are a few hundred lines
// and differ from their committed copies in a few, but the committed file could be anything: past
// this many inserted and deleted lines, the changed middle is shown as removed and added whole,
// which is still a correct diff and keeps the time and memory small.
const maxEdits = 2000

// Unified returns the unified diff with three lines of context that turns old into new, in the
// format of `diff -u` (GNU's hunk headers and its "\ No newline at end of file" marker), or nil
// when they are equal.
func Unified(oldLabel string, old []byte, newLabel string, new []byte) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	a, b := splitLines(old), splitLines(new)
	ops := lineOps(a, b)
	var out bytes.Buffer
	out.WriteString("--- " + oldLabel + "\n")
	out.WriteString("+++ " + newLabel + "\n")
	for _, h := range hunks(ops) {
		writeHunk(&out, a, b, ops[h.start:h.end])
	}
	return out.Bytes()
}

// splitLines splits text after each newline; a last line without one stays as it is.
func splitLines(text []byte) []string {
	if len(text) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(text), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type opKind byte

const (
	opEqual  opKind = iota // a line of both
	opDelete               // a line of old only
	opInsert               // a line of new only
)

// op is one step of the edit script, with the index of its line in old (a) and new (b); for a
// deletion b is where the next line of new is, for an insertion a is where the next line of old is.
type op struct {
	kind opKind
	a, b int
}

// lineOps returns an edit script from a to b: a shortest one (Myers 1986) when it has at most
// maxEdits insertions and deletions.
func lineOps(a, b []string) []op {
	// A common prefix and suffix are the usual case and cost nothing to take off first.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	midA, midB := a[pre:len(a)-suf], b[pre:len(b)-suf]
	kinds, ok := myers(midA, midB)
	if !ok {
		kinds = kinds[:0]
		for range midA {
			kinds = append(kinds, opDelete)
		}
		for range midB {
			kinds = append(kinds, opInsert)
		}
	}

	ops := make([]op, 0, pre+len(kinds)+suf)
	x, y := 0, 0
	add := func(k opKind) {
		ops = append(ops, op{k, x, y})
		switch k {
		case opEqual:
			x, y = x+1, y+1
		case opDelete:
			x++
		case opInsert:
			y++
		}
	}
	for range pre {
		add(opEqual)
	}
	for _, k := range kinds {
		add(k)
	}
	for range suf {
		add(opEqual)
	}
	return ops
}

// myers finds a shortest edit script with Myers' greedy algorithm, keeping for each number of
// edits d the furthest x reached on each diagonal k = x - y, then walking back through them. It
// gives up (false) past maxEdits edits.
func myers(a, b []string) ([]opKind, bool) {
	n, m := len(a), len(b)
	limit := min(n+m, maxEdits)
	off := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] is v on the diagonals -d..d after d edits, all the walk back needs.
	var trace [][]int32
	for d := 0; d <= limit; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down from diagonal k+1: a line of b inserted
			} else {
				x = v[off+k-1] + 1 // right from diagonal k-1: a line of a deleted
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				trace = append(trace, window(v, off, d))
				return walkBack(trace, n, m), true
			}
		}
		trace = append(trace, window(v, off, d))
	}
	return nil, false
}

func window(v []int, off, d int) []int32 {
	w := make([]int32, 2*d+1)
	for i := range w {
		w[i] = int32(v[off-d+i])
	}
	return w
}

// walkBack turns the trace of myers into the edit script, from (n, m) back to (0, 0).
func walkBack(trace [][]int32, n, m int) []opKind {
	var rev []opKind
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		prev := trace[d-1]
		at := func(k int) int { return int(prev[k+d-1]) }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		// The snake of equal lines follows the edit that left (px, py).
		sx, sy := px, py+1 // after an insertion
		kind := opInsert
		if pk == k-1 {
			sx, sy = px+1, py // after a deletion
			kind = opDelete
		}
		for x > sx && y > sy {
			rev = append(rev, opEqual)
			x, y = x-1, y-1
		}
		rev = append(rev, kind)
		x, y = px, py
	}
	for x > 0 && y > 0 {
		rev = append(rev, opEqual)
		x, y = x-1, y-1
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// hunk is ops[start:end]: changes with their context.
type hunk struct{ start, end int }

// hunks groups the changes in ops with diffContext lines of context on each side, joining two
// changes whose contexts would touch or overlap, as diff -u does.
func hunks(ops []op) []hunk {
	var hs []hunk
	for i := 0; i < len(ops); i++ {
		if ops[i].kind == opEqual {
			continue
		}
		start := max(i-diffContext, 0)
		if n := len(hs); n > 0 && start <= hs[n-1].end {
			start = hs[n-1].start
			hs = hs[:n-1]
		}
		// The last change of this run, then its trailing context.
		end := i
		for end < len(ops) && ops[end].kind != opEqual {
			end++
		}
		hs = append(hs, hunk{start, min(end+diffContext, len(ops))})
		i = end - 1
	}
	return hs
}

func writeHunk(out *bytes.Buffer, a, b []string, ops []op) {
	var oldCount, newCount int
	for _, o := range ops {
		if o.kind != opInsert {
			oldCount++
		}
		if o.kind != opDelete {
			newCount++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(ops[0].a, oldCount), hunkRange(ops[0].b, newCount))
	for _, o := range ops {
		switch o.kind {
		case opEqual:
			writeLine(out, ' ', a[o.a])
		case opDelete:
			writeLine(out, '-', a[o.a])
		case opInsert:
			writeLine(out, '+', b[o.b])
		}
	}
}

// hunkRange is "start,count" with a 1-based start; as in GNU diff, a count of 1 is left out and an
// empty range starts at the line before it.
func hunkRange(index, count int) string {
	switch count {
	case 0:
		return strconv.Itoa(index) + ",0"
	case 1:
		return strconv.Itoa(index + 1)
	}
	return strconv.Itoa(index+1) + "," + strconv.Itoa(count)
}

func writeLine(out *bytes.Buffer, prefix byte, line string) {
	out.WriteByte(prefix)
	out.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		out.WriteString("\n\\ No newline at end of file\n")
	}
}
