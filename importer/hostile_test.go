package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHostileNginx: trees that would eat the machine, or never end, give a clear error naming the
// file, and import returns no result (so nothing is written).
func TestHostileNginx(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("cycle-a.conf", "events {}\ninclude cycle-b.conf;\n")
	write("cycle-b.conf", "include cycle-a.conf;\n")
	for i := 0; i < 40; i++ {
		write(fmt.Sprintf("deep/%d.conf", i), fmt.Sprintf("include %d.conf;\n", i+1))
	}
	write("deep/40.conf", "events {}\n")
	huge := write("huge.conf", "events {}\n"+strings.Repeat("# padding\n", maxFileSize/10+1))
	write("nested.conf", strings.Repeat("http {\n", 100)+strings.Repeat("}\n", 100))
	write("unclosed.conf", "http {\n  server {\n    listen 80;\n")
	write("quote.conf", "http {\n  ssl_ciphers 'ECDHE-ECDSA-AES256-GCM-SHA384:$\n}\n")
	write("self.conf", "include self.conf;\n")
	tests := []struct{ file, want string }{
		{"cycle-a.conf", "include cycle: "},
		{"self.conf", "include cycle: "},
		{"deep/0.conf", "includes nested more than 16 deep"},
		{huge, "more than the 4 MiB"},
		{"nested.conf", "blocks nested more than 64 deep"},
		{"unclosed.conf", "unclosed.conf:4: unexpected end of file, expecting \"}\""},
		{"quote.conf", "quote.conf:2: a quoted string is not closed"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			p := tt.file
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			start := time.Now()
			res, err := Import(Options{Nginx: p, ConfigJSON: "unused.json"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if res != nil {
				t.Error("a failed import returned a result")
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestHostilePython: a config that raises, exits or never returns is stopped, with the line.
func TestHostilePython(t *testing.T) {
	needJupyterHub(t)
	dir := t.TempDir()
	nginx := filepath.Join("..", "cmd", "hubgen", "testdata", "import", "bind-url", "nginx.conf")
	// The configs that end by themselves get a long timeout: the 2s one covers Python's start-up
	// and JupyterHub's imports too, which take longer than 2s on a loaded machine (reproduced with
	// 12 busy loops on 2 cores: "raises" timed out instead of raising).
	const ends, never = time.Minute, 2 * time.Second
	tests := []struct {
		name, text, want string
		timeout          time.Duration
	}{
		{"raises", "c = get_config()\nc.Spawner.cmd = ['x']\nraise ValueError('boom')\n", "raises.py:3: the config failed as JupyterHub loaded it: ValueError: boom", ends},
		{"exits", "import sys\nsys.exit(4)\n", "exits.py:2: the config failed as JupyterHub loaded it: the config called sys.exit(4)", ends},
		{"loops", "while True:\n    pass\n", "loading it took longer than 2s", never},
		{"sleeps", "import subprocess\nsubprocess.run(['sleep', '600'])\n", "loading it took longer than 2s", never},
		{"syntax", "c = get_config(\n", "the config failed as JupyterHub loaded it: SyntaxError", ends},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := filepath.Join(dir, tt.name+".py")
			os.WriteFile(config, []byte(tt.text), 0o644)
			start := time.Now()
			res, err := Import(Options{Nginx: nginx, Config: config, Timeout: tt.timeout})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if res != nil {
				t.Error("a failed import returned a result")
			}
			if d := time.Since(start); tt.timeout == never && d > 8*time.Second {
				t.Errorf("took %s: the timeout did not stop it", d)
			}
		})
	}
}

// TestTimeoutKillsChildren: what the config started dies with it when the timeout stops it, so an
// import never leaves a process behind.
func TestTimeoutKillsChildren(t *testing.T) {
	needJupyterHub(t)
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	config := filepath.Join(dir, "orphan.py")
	os.WriteFile(config, []byte(fmt.Sprintf(`import subprocess, time
p = subprocess.Popen(['sleep', '600'], start_new_session=False)
with open(%q, 'w') as f:
    f.write(str(p.pid))
time.sleep(600)
`, pidFile)), 0o644)
	nginx := filepath.Join("..", "cmd", "hubgen", "testdata", "import", "bind-url", "nginx.conf")
	if _, err := Import(Options{Nginx: nginx, Config: config, Timeout: 2 * time.Second}); err == nil {
		t.Fatal("no error")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the config did not start its child: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(data)) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return // gone, or dead and waiting to be reaped
		}
		if time.Now().After(deadline) {
			t.Fatalf("the config's child %s still runs after the timeout", data)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
