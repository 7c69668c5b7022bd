// Command helpdoc writes hubgen's man page and bash completion from a built hubgen's own help
// (`hubgen help`, `hubgen help CMD`, and `hubgen schema` for the site.toml key reference), so that the help text is written once, in cmd/hubgen, and the
// packaged documentation cannot drift from the binary it ships with.
//
// Usage:
//
//	go run ./packaging/helpdoc -hubgen dist/hubgen -version v0.2.0 -date 2026-11-23 \
//		-man hubgen.1 -completion hubgen.bash
//
// Help it cannot parse is an error, never an empty page: scripts/release.sh then fails.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func main() {
	hubgen := flag.String("hubgen", "", "the hubgen `binary` whose help is read (required)")
	version := flag.String("version", "", "the version for the man page's footer (required)")
	date := flag.String("date", "", "the man page's date, `YYYY-MM-DD` (required; the release's commit date keeps it reproducible)")
	manOut := flag.String("man", "", "write the man page hubgen(1) to `FILE`")
	completionOut := flag.String("completion", "", "write the bash completion to `FILE`")
	flag.Parse()
	if *hubgen == "" || *version == "" || *date == "" || flag.NArg() > 0 || (*manOut == "" && *completionOut == "") {
		fmt.Fprintln(os.Stderr, "usage: helpdoc -hubgen BINARY -version V -date YYYY-MM-DD [-man FILE] [-completion FILE]")
		os.Exit(2)
	}
	h, err := read(*hubgen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helpdoc: %v\n", err)
		os.Exit(1)
	}
	keys, err := readKeys(*hubgen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helpdoc: %v\n", err)
		os.Exit(1)
	}
	script, err := completion(h)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helpdoc: %v\n", err)
		os.Exit(1)
	}
	for _, out := range []struct{ path, text string }{
		{*manOut, manPage(h, keys, *version, *date)},
		{*completionOut, script},
	} {
		if out.path == "" {
			continue
		}
		if err := os.WriteFile(out.path, []byte(out.text), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "helpdoc: %v\n", err)
			os.Exit(1)
		}
	}
}

// read runs `hubgen help` and `hubgen help CMD` for every command it lists, and parses them.
func read(hubgen string) (*help, error) {
	out, err := runHelp(hubgen)
	if err != nil {
		return nil, err
	}
	h, err := parseUsage(out)
	if err != nil {
		return nil, err
	}
	for i := range h.commands {
		c := &h.commands[i]
		out, err := runHelp(hubgen, c.name)
		if err != nil {
			return nil, err
		}
		if c.name == "help" && !strings.HasPrefix(out, "usage: hubgen help") {
			// `hubgen help help` prints the general usage: help's synopsis is its summary
			// line's and it completes command names.
			c.synopsis, c.long, c.positional = "[COMMAND]", c.summary, "COMMAND"
			continue
		}
		if err := parseCommand(c, out); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func runHelp(hubgen string, args ...string) (string, error) {
	cmd := exec.Command(hubgen, append([]string{"help"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	name := strings.Join(append([]string{"hubgen help"}, args...), " ")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	if stdout.Len() == 0 {
		return "", errors.New(name + ": printed nothing")
	}
	return stdout.String(), nil
}
