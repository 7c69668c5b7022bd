package importer

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// loaderScript loads a jupyterhub_config.py with JupyterHub's own loader and prints what it set.
//
//go:embed driver.py
var loaderScript []byte

// LoaderScript is the loader, for a machine where hubgen cannot run it itself: run there with
// JupyterHub's Python as `python3 loader.py jupyterhub_config.py > config.json`, its output is what
// Options.ConfigJSON reads (with positions and secret files, unlike --show-config-json's).
func LoaderScript() []byte { return loaderScript }

// maxConfigOutput bounds what the loader may print: a real config's values are a few kilobytes.
const maxConfigOutput = 16 << 20

// hubConfig is what a jupyterhub_config.py set: "Class.trait" to its value as JSON decodes it, and
// where each was set, when the loader could tell.
type hubConfig struct {
	JupyterHub string                     `json:"jupyterhub"`
	Values     map[string]any             `json:"values"`
	Where      map[string]json.RawMessage `json:"where"`
	Error      string                     `json:"error"`
	At         []any                      `json:"at"`
}

// location returns file:line where key was set, or the config file alone when it is not known.
func (c *hubConfig) location(key, configFile string) string {
	var at []any
	if raw, ok := c.Where[key]; ok && json.Unmarshal(raw, &at) == nil && len(at) == 2 {
		return fmt.Sprintf("%v:%v", at[0], at[1])
	}
	return configFile
}

// ErrNoJupyterHub is returned when no JupyterHub is installed to load the config with.
var ErrNoJupyterHub = errors.New("JupyterHub is not installed here")

// jupyterHubPython finds the Python that runs the jupyterhub program: the interpreter on its first
// line, so that the config loads with that install's traitlets and packages.
func jupyterHubPython(program string) (string, error) {
	path, err := exec.LookPath(program)
	if err != nil {
		return "", fmt.Errorf("%w (no %s on PATH)", ErrNoJupyterHub, program)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := f.Read(head)
	first, _, _ := bytes.Cut(head[:n], []byte("\n"))
	if !bytes.HasPrefix(first, []byte("#!")) {
		return "", fmt.Errorf("%w: %s does not start with #!python", ErrNoJupyterHub, path)
	}
	fields := strings.Fields(string(first[2:]))
	if len(fields) == 0 {
		return "", fmt.Errorf("%w: %s has an empty #! line", ErrNoJupyterHub, path)
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		return exec.LookPath(fields[len(fields)-1])
	}
	return fields[0], nil
}

// loadHubConfig runs the loader on file with the Python of the jupyterhub program, in a scratch
// directory it removes, killing it and everything it started after timeout.
func loadHubConfig(file, program string, timeout time.Duration) (*hubConfig, error) {
	python, err := jupyterHubPython(program)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, errors.Unwrap(err))
	}
	scratch, err := os.MkdirTemp("", "hubgen-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	script := filepath.Join(scratch, "hubgen_import_loader.py")
	if err := os.WriteFile(script, loaderScript, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script, abs)
	cmd.Dir = scratch
	cmd.Env = append(os.Environ(), "HOME="+scratch, "PYTHONDONTWRITEBYTECODE=1")
	// Its own process group, so that whatever the config started dies with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	stdout := &limitedBuffer{max: maxConfigOutput}
	stderr := &limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: loading it took longer than %s (does it wait for something, or loop?); nothing was imported", file, timeout)
	}
	if stdout.over {
		return nil, fmt.Errorf("%s: loading it printed more than %d MiB", file, maxConfigOutput>>20)
	}
	// Positions name the config as it was given, not the absolute path the loader ran.
	absJSON, _ := json.Marshal(abs)
	givenJSON, _ := json.Marshal(file)
	out := bytes.ReplaceAll(stdout.Bytes(), absJSON, givenJSON)
	var c hubConfig
	if err := json.Unmarshal(out, &c); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if strings.Contains(msg, "No module named 'jupyterhub'") {
			return nil, fmt.Errorf("%w (%s cannot import jupyterhub)", ErrNoJupyterHub, python)
		}
		return nil, fmt.Errorf("%s: loading it with %s failed: %v: %s", file, python, runErr, msg)
	}
	if c.Error != "" {
		where := file
		if len(c.At) == 2 {
			where = fmt.Sprintf("%v:%v", c.At[0], c.At[1])
		}
		return nil, fmt.Errorf("%s: the config failed as JupyterHub loaded it: %s; nothing was imported", where, c.Error)
	}
	return &c, nil
}

// readConfigJSON reads what `jupyterhub -f FILE --show-config-json` printed on another machine:
// the values only, without where they were set or which files they came from.
func readConfigJSON(path string) (*hubConfig, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, errors.Unwrap(err))
	}
	if info.Size() > maxConfigOutput {
		return nil, fmt.Errorf("%s: more than %d MiB", path, maxConfigOutput>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c hubConfig
	if json.Unmarshal(data, &c) == nil && c.Values != nil {
		return &c, nil
	}
	var sections map[string]map[string]any
	if err := json.Unmarshal(data, &sections); err != nil {
		return nil, fmt.Errorf("%s: not the JSON `jupyterhub --show-config-json` prints: %v", path, err)
	}
	c = hubConfig{Values: map[string]any{}}
	for class, traits := range sections {
		for trait, v := range traits {
			if class+"."+trait == "JupyterHub.config_file" {
				continue // the command line's -f, not the config's
			}
			if s, ok := v.(string); ok {
				if set, isSet := pythonSetRepr(s); isSet {
					v = set
				}
			}
			c.Values[class+"."+trait] = v
		}
	}
	return &c, nil
}

var setReprRE = regexp.MustCompile(`^\{'[^'\\]*'(?:, '[^'\\]*')*\}$`)

// pythonSetRepr reads a set of strings as --show-config-json prints it: JSON has no sets, so
// traitlets prints the set's repr, "{'sam', 'kendra'}", or "set()".
func pythonSetRepr(s string) ([]any, bool) {
	if s == "set()" {
		return []any{}, true
	}
	if !setReprRE.MatchString(s) {
		return nil, false
	}
	var out []any
	for _, part := range strings.Split(s[1:len(s)-1], ", ") {
		out = append(out, strings.Trim(part, "'"))
	}
	return out, true
}

type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		b.over = true
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
