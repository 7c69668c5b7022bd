// Command testreport reads `go test -json` on standard input and prints what a plain `go test`
// would (each package's result line, the whole output of a failed test, build errors), then
// writes a summary of every skipped test and why to the file -summary names, ending with the
// line "N passed, N failed, N skipped". scripts/test.sh prints that summary last, so a run that
// passes while tests skip says so plainly instead of printing only "ok".
//
//	go test -json ./... | go run ./internal/testreport -summary "$file"
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// event is the part of test2json's output this reads (go doc test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output events name the package here
	Test       string
	Output     string
}

// logLine is a line that t.Log, t.Skip or t.Fatal printed: "    file_test.go:12: message".
var logLine = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: (.*)$`)

type report struct {
	out                     io.Writer
	output                  map[string][]string // test key -> its output so far
	skipped                 map[string][]string // reason -> tests
	passed, failed, skipCnt int
}

func main() {
	summary := flag.String("summary", "", "write the skip summary and the closing counts to this file (default: standard output)")
	flag.Parse()
	r := &report{out: os.Stdout, output: map[string][]string{}, skipped: map[string][]string{}}
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	w := io.Writer(os.Stdout)
	if *summary != "" {
		f, err := os.Create(*summary)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
		defer f.Close()
		w = f
	}
	r.summarize(w)
	if r.failed > 0 {
		os.Exit(1)
	}
}

func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not test2json's (go vet or the go command itself): pass it through.
			fmt.Fprintln(r.out, string(line))
			continue
		}
		r.handle(e)
	}
	return sc.Err()
}

func (r *report) handle(e event) {
	if e.Action == "build-output" {
		fmt.Fprint(r.out, e.Output)
		return
	}
	if e.Test == "" {
		// The package's own lines: "ok  pkg 1.2s", "FAIL pkg", a panic outside any test.
		if e.Action == "output" && !strings.HasPrefix(e.Output, "=== ") && e.Output != "PASS\n" {
			fmt.Fprint(r.out, e.Output)
		}
		return
	}
	key := e.Package + " " + e.Test
	switch e.Action {
	case "output":
		r.output[key] = append(r.output[key], e.Output)
	case "pass":
		r.passed++
		delete(r.output, key)
	case "fail":
		r.failed++
		fmt.Fprint(r.out, strings.Join(r.output[key], ""))
		delete(r.output, key)
	case "skip":
		r.skipCnt++
		reason := skipReason(r.output[key])
		r.skipped[reason] = append(r.skipped[reason], shortPackage(e.Package)+"."+e.Test)
		delete(r.output, key)
	}
}

// skipReason is the last message the test logged before it skipped, "" when it logged none.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if m := logLine.FindStringSubmatch(strings.TrimRight(lines[i], "\n")); m != nil {
			return m[1]
		}
	}
	return ""
}

func shortPackage(pkg string) string {
	return pkg[strings.LastIndex(pkg, "/")+1:]
}

func (r *report) summarize(w io.Writer) {
	if len(r.skipped) > 0 {
		fmt.Fprintf(w, "Skipped, and why (%d):\n", r.skipCnt)
		reasons := make([]string, 0, len(r.skipped))
		for reason := range r.skipped {
			reasons = append(reasons, reason)
		}
		sort.Strings(reasons)
		for _, reason := range reasons {
			tests := r.skipped[reason]
			sort.Strings(tests)
			if reason == "" {
				reason = "(no reason given)"
			}
			fmt.Fprintf(w, "- %s\n    %s\n", reason, strings.Join(tests, ", "))
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", r.passed, r.failed, r.skipCnt)
}
