package e2e

import (
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestKernelPortTaken is the class start's dead kernel, made on purpose: a student starts a
// kernel, and before the kernel binds its ports another program binds its shell port and keeps
// it, as another student's kernel did in TestClassStorm. Where the rendered config lets a kernel
// restart on new ports (Debian 13), the student's kernel answers without anything more. On
// Debian 12 (KernelRestartKeepsPorts) it dies, and the notebook the student reopens starts a
// kernel that answers.
func TestKernelPortTaken(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) {
		s := startLiveSite(t, st, "/")
		b := newBrowser(t, testDomain, s.HTTPPort, s.HTTPSPort)
		// The restarts, and the server's wait of up to 60 s for a kernel's first answer.
		b.dialer.HandshakeTimeout, b.kernelWait = 2*time.Minute, 2*time.Minute
		if p := b.login(s.BaseURL, s.Student, ""); p.StatusCode != http.StatusOK {
			t.Fatalf("student login ended at %s with %s", p.Request.URL, p.Status)
		}
		serverURL := s.serverURL(b, s.Student.Name)
		b.waitForServerAt(serverURL, st.ServerPage, 60*time.Second)

		kernel, port := "", 0
		for try := 0; port == 0; try++ {
			if try == 3 {
				t.Fatal("three kernels bound their shell ports before the test could take one")
			}
			kernel = b.startKernel(serverURL)
			port = takeShellPort(t, st, s.Student.Name, kernel)
		}
		start := time.Now()
		out, err := b.execute(serverURL, kernel, s.Student.Name, "print(6*7)")
		t.Logf("shell port %d taken: print(6*7) after %v: %q, %v", port, time.Since(start).Round(time.Millisecond), out, err)
		if !st.KernelRestartKeepsPorts {
			if err != nil || out != "42\n" {
				t.Fatalf("the kernel whose shell port was taken printed %q (%v), want 42 after a restart on new ports", out, err)
			}
			return
		}
		if err == nil {
			t.Fatalf("the kernel whose shell port was taken printed %q on %s, which restarts kernels on the same ports: did the test take the port?", out, st.Name)
		}
		if !kernelGone(t.Context(), b, serverURL, kernel) {
			t.Fatalf("the kernel whose shell port was taken failed (%v) but its server still has it, want it gone (restart failed)", err)
		}
		// The student reopens the notebook: a new kernel, on new ports.
		b.kernelAnswers42(serverURL, s.Student.Name)
	})
}

// takeShellPort waits up to 10 s for the connection file of the user's kernel, and binds the
// shell port it names on its address until the test ends. It returns the port, or 0 when the
// kernel bound it first.
func takeShellPort(t *testing.T, st *stack, user, kernel string) int {
	t.Helper()
	home := st.hostPath("/home/" + user)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var file string
		_ = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "kernel-"+kernel) && strings.HasSuffix(d.Name(), ".json") {
				file = path
				return fs.SkipAll
			}
			return nil
		})
		var info struct {
			IP        string `json:"ip"`
			ShellPort int    `json:"shell_port"`
		}
		if data, err := os.ReadFile(file); file != "" && err == nil && json.Unmarshal(data, &info) == nil && info.ShellPort > 0 {
			l, err := net.Listen("tcp", net.JoinHostPort(info.IP, strconv.Itoa(info.ShellPort)))
			if err != nil {
				t.Logf("kernel %s bound shell port %d first: %v", kernel, info.ShellPort, err)
				return 0
			}
			t.Cleanup(func() { l.Close() })
			return info.ShellPort
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no connection file for kernel %s under %s within 10 s", kernel, home)
	return 0
}

// kernelGone tells whether the server no longer has the kernel: it died, and its server gave up
// restarting it.
func kernelGone(ctx context.Context, b *browser, serverURL, kernelID string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, serverURL+"api/kernels/"+kernelID, nil)
	if err != nil {
		return false
	}
	p, err := b.do(req, false)
	return err == nil && p.StatusCode == http.StatusNotFound
}
