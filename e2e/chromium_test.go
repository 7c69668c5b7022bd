package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hubgen/hubgen/internal/testsys"
)

// chromiumProgram is Debian's Chromium. The tests drive it over its DevTools protocol with the
// websocket client the other tests use, so no driver program or Go module is needed.
const chromiumProgram = "/usr/bin/chromium"

// chromium is a headless Chromium with one page, driven over the DevTools protocol: what a person's
// browser does with a page's scripts, cookies and origins, which the HTTP client (browser) cannot
// judge.
type chromium struct {
	t       *testing.T
	conn    *websocket.Conn
	session string // the page's DevTools session
	mu      sync.Mutex
	nextID  int
	replies map[int]chan devtoolsReply
	cmd     *exec.Cmd
}

type devtoolsReply struct {
	Result json.RawMessage
	Error  *struct {
		Message string `json:"message"`
	}
}

// startChromium starts a headless Chromium as a fresh profile that reaches domain and every name
// under it on loopback and accepts the test's self-signed certificate. It is stopped when the test
// ends.
func startChromium(t *testing.T, domain string) *chromium {
	t.Helper()
	if _, err := os.Stat(chromiumProgram); err != nil {
		testsys.SkipOrFail(t, "a real browser is needed: apt-get install chromium ("+err.Error()+")")
	}
	profile := t.TempDir()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile,
		"--host-resolver-rules=MAP " + domain + " 127.0.0.1, MAP *." + domain + " 127.0.0.1",
		"--ignore-certificate-errors",
		"--remote-debugging-port=0",
		"about:blank",
	}
	cmd := exec.Command(chromiumProgram, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logFile := filepath.Join(profile, "chromium.log")
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", chromiumProgram, err)
	}
	c := &chromium{t: t, cmd: cmd, replies: map[int]chan devtoolsReply{}}
	t.Cleanup(func() {
		if c.conn != nil {
			c.conn.Close()
		}
		// Chromium's helpers share its process group, which was made for it alone.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		log.Close()
		if t.Failed() {
			if data, err := os.ReadFile(logFile); err == nil {
				t.Logf("chromium's log:\n%s", tail(data, 4000))
			}
		}
	})

	// Chromium writes the port it chose, and the browser's websocket path, into the profile.
	var endpoint string
	for deadline := time.Now().Add(30 * time.Second); endpoint == ""; {
		if data, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort")); err == nil {
			if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); len(lines) == 2 {
				endpoint = "ws://127.0.0.1:" + lines[0] + lines[1]
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("chromium did not open its DevTools port in 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.conn, _, err = websocket.DefaultDialer.Dial(endpoint, nil)
	if err != nil {
		t.Fatalf("DevTools %s: %v", endpoint, err)
	}
	go c.read()

	var target struct{ TargetID string }
	c.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	c.session = attached.SessionID
	return c
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// read hands each reply to the call waiting for it; events are not used.
func (c *chromium) read() {
	for {
		var m struct {
			ID int `json:"id"`
			devtoolsReply
		}
		if err := c.conn.ReadJSON(&m); err != nil {
			c.mu.Lock()
			for id, ch := range c.replies {
				close(ch)
				delete(c.replies, id)
			}
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		ch := c.replies[m.ID]
		delete(c.replies, m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m.devtoolsReply
		}
	}
}

// call sends a DevTools command and decodes its result into result (when not nil).
func (c *chromium) call(session, method string, params map[string]any, result any) {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan devtoolsReply, 1)
	c.replies[id] = ch
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	err := c.conn.WriteJSON(msg)
	c.mu.Unlock()
	if err != nil {
		c.t.Fatalf("DevTools %s: %v", method, err)
	}
	select {
	case r, ok := <-ch:
		switch {
		case !ok:
			c.t.Fatalf("DevTools %s: chromium closed the connection", method)
		case r.Error != nil:
			c.t.Fatalf("DevTools %s: %s", method, r.Error.Message)
		case result != nil:
			if err := json.Unmarshal(r.Result, result); err != nil {
				c.t.Fatalf("DevTools %s: %v", method, err)
			}
		}
	case <-time.After(requestTimeout):
		c.t.Fatalf("DevTools %s: no answer in %v", method, requestTimeout)
	}
}

// navigate opens url in the page, as typing it in the address bar does.
func (c *chromium) navigate(url string) {
	c.t.Helper()
	var r struct{ ErrorText string }
	c.call(c.session, "Page.navigate", map[string]any{"url": url}, &r)
	if r.ErrorText != "" {
		c.t.Fatalf("open %s: %s", url, r.ErrorText)
	}
}

// eval runs a JavaScript expression in the page, awaiting a promise, and returns its value as
// JSON; a page that is loading, or a thrown exception, gives an error.
func (c *chromium) eval(expr string) (json.RawMessage, error) {
	c.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	c.call(c.session, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &r)
	if e := r.ExceptionDetails; e != nil {
		return nil, fmt.Errorf("%s %s", e.Text, e.Exception.Description)
	}
	return r.Result.Value, nil
}

// waitFor evaluates cond (a JavaScript expression) until it is true, and fails the test after
// timeout, saying what the page was.
func (c *chromium) waitFor(what, cond string, timeout time.Duration) {
	c.t.Helper()
	if !c.poll(cond, timeout) {
		c.t.Fatalf("%s: not after %v; the page is %s", what, timeout, c.describe())
	}
}

// poll evaluates cond until it is true, and tells whether it became true within timeout.
func (c *chromium) poll(cond string, timeout time.Duration) bool {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v, err := c.eval("Boolean(" + cond + ")")
		if err == nil && string(v) == "true" {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// describe is the page's address, title and start of its text, for messages.
func (c *chromium) describe() string {
	v, err := c.eval(`location.href + " \"" + document.title + "\": " + (document.body ? document.body.innerText.slice(0, 300) : "")`)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	var s string
	_ = json.Unmarshal(v, &s)
	return strings.Join(strings.Fields(s), " ")
}
