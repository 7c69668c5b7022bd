package main

import (
	"bytes"
	"strings"
	"testing"
)

// A stream as `go test -json` writes it: one pass, one skip with a reason, one failure.
const stream = `{"Action":"run","Package":"example.com/p","Test":"TestA"}
{"Action":"output","Package":"example.com/p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"example.com/p","Test":"TestA"}
{"Action":"output","Package":"example.com/p","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"output","Package":"example.com/p","Test":"TestB","Output":"    b_test.go:9: third-party package missing: x 1.0 is not in /c/x\n"}
{"Action":"output","Package":"example.com/p","Test":"TestB","Output":"        more detail\n"}
{"Action":"output","Package":"example.com/p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestB"}
{"Action":"output","Package":"example.com/p","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestC"}
{"Action":"output","Package":"example.com/p","Output":"FAIL\texample.com/p\t0.1s\n"}
{"Action":"fail","Package":"example.com/p"}
`

func TestReport(t *testing.T) {
	var out, summary bytes.Buffer
	r := &report{out: &out, output: map[string][]string{}, skipped: map[string][]string{}}
	if err := r.read(strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	r.summarize(&summary)
	for _, want := range []string{"got 1, want 2", "FAIL\texample.com/p"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "TestA") {
		t.Errorf("a passing test's output was printed:\n%s", out.String())
	}
	want := "Skipped, and why (1):\n- third-party package missing: x 1.0 is not in /c/x\n    p.TestB\n1 passed, 1 failed, 1 skipped\n"
	if summary.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", summary.String(), want)
	}
}
