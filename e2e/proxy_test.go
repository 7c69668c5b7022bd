package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestNginxProxy checks what the rendered nginx sends to the hub's port, with a probe server
// listening there instead of JupyterHub. Through JupyterHub much of it cannot be seen:
// configurable-http-proxy sits between nginx and the hub and makes a new HTTP/1.1 request for
// every request nginx sends it, so an nginx that speaks HTTP/1.0 upstream still gets working
// websockets today, and breaks with any upstream that is stricter.
func TestNginxProxy(t *testing.T) {
	forEachStack(t, func(t *testing.T, st *stack) { testNginxProxy(t, st) })
}

func testNginxProxy(t *testing.T, st *stack) {
	nginxVersion := st.nginxVersion(t)
	for _, baseURL := range []string{"/", "/engr101/"} {
		t.Run("base_url="+baseURL, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ports, probe := freePortsWithProbe(t, 5, 2)
			httpPort, httpsPort, hubPort := ports[0], ports[1], ports[2]
			sitePath := filepath.Join(dir, "site.toml")
			writeSite(t, sitePath, siteParams{
				BaseURL:  baseURL,
				HTTPPort: httpPort, HTTPSPort: httpsPort,
				HubPort: hubPort, HubAPIPort: ports[3], ProxyAPIPort: ports[4],
				Cert:     makeCertificate(t, dir, testDomain),
				StateDir: filepath.Join(dir, "state"),
				Webroot:  worldReadableDir(t),
				PIDFile:  filepath.Join(dir, "nginx.pid"),
				Admins:   []string{"prof"},
				Nginx:    nginxVersion,
			}.document())
			root := filepath.Join(dir, "root")
			runHubgen(t, "render", sitePath, "-o", root)
			dumpLogsOnFailure(t, map[string]string{
				"nginx":                 filepath.Join(dir, "nginx.log"),
				"nginx error_log (new)": filepath.Join(dir, "nginx-error.log"),
			})
			startNginx(t, st, filepath.Join(root, "nginx", "nginx.conf"), dir, httpPort, httpsPort)
			b := newBrowser(t, testDomain, httpPort, httpsPort)

			t.Run("request", func(t *testing.T) { checkForwardedRequest(t, b, baseURL) })
			t.Run("websocket", func(t *testing.T) { checkForwardedWebsocket(t, b, baseURL) })
			t.Run("streaming", func(t *testing.T) { checkStreaming(t, b, probe, baseURL) })
			if baseURL != "/" {
				t.Run("outside base_url", func(t *testing.T) { checkOutsideBaseURL(t, b, probe, baseURL) })
			}
		})
	}
}

// probe stands in for the hub's proxy on its port and reports what nginx sent it.
type probe struct {
	release chan struct{} // lets a streaming response finish
	mu      sync.Mutex
	paths   []string // every request path that reached the probe
}

// seenRequest is what the probe tells the client about the request it received.
type seenRequest struct {
	Proto  string
	Host   string
	Path   string
	Header http.Header
}

// freePortsWithProbe returns n free ports and the probe listening on the one at index probeAt.
// A port free a moment ago can be taken before the probe binds it (the suite's other packages run
// at the same time): then it tries a new set, a few times.
func freePortsWithProbe(t *testing.T, n, probeAt int) ([]int, *probe) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		ports := freePorts(t, n)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[probeAt])))
		if err == nil {
			return ports, startProbe(t, l)
		}
		if attempt == 5 {
			t.Fatal(err)
		}
	}
}

func startProbe(t *testing.T, l net.Listener) *probe {
	t.Helper()
	p := &probe{release: make(chan struct{}, 1)}
	server := &http.Server{Handler: p, ReadHeaderTimeout: requestTimeout}
	go server.Serve(l)
	t.Cleanup(func() { server.Close() })
	return p
}

func (p *probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.paths = append(p.paths, r.URL.Path)
	p.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/probe/request"):
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(seenRequest{Proto: r.Proto, Host: r.Host, Path: r.URL.Path, Header: r.Header})
	case strings.HasSuffix(r.URL.Path, "/probe/ws"):
		// The Upgrader's default origin check is the notebook server's: Origin must match Host.
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return // the Upgrader has answered with the reason
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(requestTimeout))
		if kind, msg, err := conn.ReadMessage(); err == nil {
			conn.WriteMessage(kind, append([]byte(r.Proto+" "), msg...))
		}
	case strings.HasSuffix(r.URL.Path, "/probe/stream"):
		// Like JupyterHub's spawn progress event stream: a line now, the rest later.
		fmt.Fprint(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-p.release:
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "second\n")
	default:
		http.Error(w, "probe: no such path", http.StatusNotFound)
	}
}

// reached reports whether a request for path got through to the probe.
func (p *probe) reached(path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, seen := range p.paths {
		if seen == path {
			return true
		}
	}
	return false
}

// checkForwardedRequest: nginx speaks HTTP/1.1 upstream (websockets need it) and tells the hub
// the browser's scheme, host and port, and address.
func checkForwardedRequest(t *testing.T, b *browser, baseURL string) {
	p := b.get(b.https + baseURL + "probe/request")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", p.Request.URL, p.Status, p.Body)
	}
	var seen seenRequest
	if err := json.Unmarshal([]byte(p.Body), &seen); err != nil {
		t.Fatal(err)
	}
	browserHost := strings.TrimPrefix(b.https, "https://")
	for _, c := range []struct{ what, got, want, why string }{
		{"protocol", seen.Proto, "HTTP/1.1", "proxy_http_version 1.1: websocket upgrades need HTTP/1.1"},
		{"path", seen.Path, baseURL + "probe/request", "the hub is served at base_url, so the path goes through unchanged"},
		{"Host", seen.Host, browserHost, "the notebook server and the hub compare Origin and Referer with Host, port included"},
		{"X-Forwarded-Proto", seen.Header.Get("X-Forwarded-Proto"), "https", "the hub marks cookies Secure and checks Referer by it"},
		{"X-Real-IP", seen.Header.Get("X-Real-Ip"), "127.0.0.1", "the hub logs the browser's address"},
		{"X-Forwarded-For", seen.Header.Get("X-Forwarded-For"), "127.0.0.1", "the hub logs the browser's address"},
		{"Connection", seen.Header.Get("Connection"), "close", `no Upgrade header: the map gives "close"`},
	} {
		if c.got != c.want {
			t.Errorf("upstream request's %s = %q, want %q (%s)", c.what, c.got, c.want, c.why)
		}
	}
}

// checkForwardedWebsocket: a websocket with the browser's Origin is upgraded through nginx.
func checkForwardedWebsocket(t *testing.T, b *browser, baseURL string) {
	wsURL := "wss" + strings.TrimPrefix(b.https, "https") + baseURL + "probe/ws"
	conn, resp, err := b.dialer.Dial(wsURL, http.Header{"Origin": {b.https}})
	if err != nil {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("websocket %s: %v %s", wsURL, err, status)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(requestTimeout))
	if err := conn.WriteMessage(websocket.TextMessage, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	_, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("websocket %s: read: %v", wsURL, err)
	}
	if got, want := string(msg), "HTTP/1.1 ping"; got != want {
		t.Errorf("websocket echo = %q, want %q", got, want)
	}
}

// checkStreaming: nginx passes a response on as it comes (proxy_buffering off), as the spawn
// progress page's event stream needs. Over HTTP/1.1: nginx's HTTP/2 module sends each piece at
// once anyway, so only HTTP/1.1 clients see the buffering.
func checkStreaming(t *testing.T, b *browser, probe *probe, baseURL string) {
	defer func() {
		select {
		case probe.release <- struct{}{}:
		default:
		}
	}()
	req, err := http.NewRequest(http.MethodGet, b.https+baseURL+"probe/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan string, 1)
	go func() {
		resp, err := b.http1.Do(req)
		if err != nil {
			first <- err.Error()
			return
		}
		defer resp.Body.Close()
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil {
			line = err.Error()
		}
		first <- line
	}()
	select {
	case line := <-first:
		if line != "first\n" {
			t.Errorf("streamed response began with %q, want \"first\\n\"", line)
		}
	case <-time.After(3 * time.Second):
		t.Errorf("the first line of a streamed response did not arrive while the upstream held the rest back: nginx buffers responses (proxy_buffering off?)")
	}
}

// checkOutsideBaseURL: with the hub under a path, nginx keeps the rest of the domain to itself.
func checkOutsideBaseURL(t *testing.T, b *browser, probe *probe, baseURL string) {
	const outside = "/elsewhere/probe/request"
	p := b.get(b.https + outside)
	if p.StatusCode != http.StatusNotFound || probe.reached(outside) {
		t.Errorf("GET %s: %s, reached the hub's port: %v; want nginx's own 404, only %s goes to the hub", outside, p.Status, probe.reached(outside), baseURL)
	}
}
