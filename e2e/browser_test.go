package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// requestTimeout bounds every request and websocket read, so no check can hang the package.
const requestTimeout = 20 * time.Second

// browser is an HTTP client that behaves like a browser towards one site: it keeps one cookie jar,
// follows redirects, sends Accept and Origin headers, and reaches the site's domain on loopback
// without DNS. It trusts any certificate: the test's is self-signed.
type browser struct {
	t       *testing.T
	domain  string
	https   string       // origin of the https server, as a browser writes it: https://domain:port
	http    string       // origin of the plain http server
	client  *http.Client // speaks HTTP/2 where nginx offers it, as browsers do
	http1   *http.Client // HTTP/1.1 only, as older clients and some proxies speak
	dialer  *websocket.Dialer
	cookies *cookieLog
	// kernelWait bounds the wait for a kernel's answer: requestTimeout, longer in a storm.
	kernelWait time.Duration
}

func newBrowser(t *testing.T, domain string, httpPort, httpsPort int) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every name resolves to loopback, so Host, SNI and cookies carry the real domain.
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	// Two configs: the HTTP transport adds "h2" to its own, and websockets need HTTP/1.1.
	insecure := func() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
	cookies := &cookieLog{secure: map[string]bool{}}
	transport := func(http2 bool) http.RoundTripper {
		t := &http.Transport{DialContext: dial, TLSClientConfig: insecure(), ForceAttemptHTTP2: http2}
		if !http2 {
			// A non-nil empty map turns HTTP/2 off.
			t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		return &browserTransport{cookies: cookies, next: t}
	}
	return &browser{
		t:      t,
		domain: domain,
		https:  "https://" + net.JoinHostPort(domain, strconv.Itoa(httpsPort)),
		http:   "http://" + net.JoinHostPort(domain, strconv.Itoa(httpPort)),
		client: &http.Client{Jar: jar, Timeout: requestTimeout, Transport: transport(true)},
		http1:  &http.Client{Jar: jar, Timeout: requestTimeout, Transport: transport(false)},
		dialer: &websocket.Dialer{
			NetDialContext:   dial,
			TLSClientConfig:  insecure(),
			Jar:              jar,
			HandshakeTimeout: requestTimeout,
		},
		cookies:    cookies,
		kernelWait: requestTimeout,
	}
}

// browserTransport adds what browsers send and Go does not, and notes each cookie's Secure flag,
// which the cookie jar hides.
type browserTransport struct {
	cookies *cookieLog
	next    http.RoundTripper
}

func (bt *browserTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if req.Header.Get("Accept") == "" {
		// JupyterHub 3.0 answers 500 to /hub/user/... requests without an Accept header.
		req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	resp, err := bt.next.RoundTrip(req)
	if err == nil {
		bt.cookies.note(resp.Cookies())
	}
	return resp, err
}

// cookieLog remembers whether the last Set-Cookie for each name had the Secure attribute.
type cookieLog struct {
	mu     sync.Mutex
	secure map[string]bool
}

func (c *cookieLog) note(cookies []*http.Cookie) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ck := range cookies {
		if ck.MaxAge >= 0 && ck.Value != "" { // ignore deletions
			c.secure[ck.Name] = ck.Secure
		}
	}
}

// setSecure reports whether the cookie was set, and with Secure.
func (c *cookieLog) setSecure(name string) (set, secure bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	secure, set = c.secure[name]
	return set, secure
}

// page is a response with its body read.
type page struct {
	*http.Response
	Body string
}

// do sends a request and reads the whole response, following redirects when follow is set.
func (b *browser) do(req *http.Request, follow bool) (page, error) {
	client := *b.client
	if !follow {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	resp, err := client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL, err)
	}
	return page{Response: resp, Body: string(body)}, nil
}

// get fetches a URL, following redirects, and fails the test on a transport error.
func (b *browser) get(rawURL string) page {
	b.t.Helper()
	return b.mustDo(http.MethodGet, rawURL, nil, nil, true)
}

// getOnce fetches a URL without following a redirect.
func (b *browser) getOnce(rawURL string) page {
	b.t.Helper()
	return b.mustDo(http.MethodGet, rawURL, nil, nil, false)
}

func (b *browser) mustDo(method, rawURL string, body io.Reader, header http.Header, follow bool) page {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	p, err := b.do(req, follow)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	return p
}

// login posts the hub's login form as the user, then follows the redirects. next, when set, is
// where the hub sends the user afterwards instead of spawning their server.
func (b *browser) login(baseURL string, u systemUser, next string) page {
	b.t.Helper()
	// The GET sets the cookies a browser would have. JupyterHub 3.0's login form has only the
	// two inputs; later versions (5.2 here) add a hidden _xsrf field, which must come back with
	// the _xsrf cookie, as a browser sends both.
	loginURL := b.https + baseURL + "hub/login"
	p := b.get(loginURL)
	if p.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %s", loginURL, p.Status)
	}
	if next != "" {
		loginURL += "?next=" + url.QueryEscape(next)
	}
	form := url.Values{"username": {u.Name}, "password": {u.Password}}
	if m := xsrfFieldRE.FindStringSubmatch(p.Body); m != nil {
		form.Set("_xsrf", html.UnescapeString(m[1]))
	}
	return b.mustDo(http.MethodPost, loginURL, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, true)
}

// xsrfFieldRE finds the login form's hidden _xsrf input.
var xsrfFieldRE = regexp.MustCompile(`<input[^>]*name="_xsrf"[^>]*value="([^"]*)"`)

// waitForServer loads serverPage (a page that needs a login) from the user's notebook server
// until it answers, which takes the OAuth round
// trip from the server to the hub and back once the spawn has finished. It returns the final page.
func (b *browser) waitForServer(baseURL, user, serverPage string, timeout time.Duration) page {
	b.t.Helper()
	return b.waitForServerAt(b.https+baseURL+"user/"+user+"/", serverPage, timeout)
}

// waitForServerAt is waitForServer for the server at serverURL (https://HOST[:PORT]/PATH/), which
// with user subdomains is on a host of its own.
func (b *browser) waitForServerAt(serverURL, serverPage string, timeout time.Duration) page {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		// While the spawn is pending, this redirects to the hub, which answers 424.
		req, _ := http.NewRequest(http.MethodGet, serverURL+serverPage, nil)
		p, err := b.do(req, true)
		switch {
		case err != nil:
			last = err.Error()
		case p.StatusCode == http.StatusOK && strings.HasPrefix(p.Request.URL.String(), serverURL):
			return p
		default:
			last = fmt.Sprintf("%s at %s", p.Status, p.Request.URL)
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("server %s not up after %v; last: %s", serverURL, timeout, last)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// cookie returns the value the jar would send to rawURL for the named cookie.
func (b *browser) cookie(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// kernelAnswers42 starts a kernel on the server at serverURL and runs a student's first cell,
// print(6*7), over its websocket: the test fails unless it prints 42.
func (b *browser) kernelAnswers42(serverURL, user string) {
	b.t.Helper()
	kernel := b.startKernel(serverURL)
	out, err := b.execute(serverURL, kernel, user, "print(6*7)")
	if err != nil {
		b.t.Fatalf("print(6*7) in %s's kernel %s: %v", user, kernel, err)
	}
	if out != "42\n" {
		b.t.Errorf("print(6*7) in %s's kernel printed %q, want \"42\\n\"", user, out)
	}
}

// startKernel starts a kernel through the notebook server's REST API, as the notebook page does:
// the login cookie authenticates, the _xsrf cookie echoed in a header proves the same origin.
func (b *browser) startKernel(serverURL string) string {
	b.t.Helper()
	xsrf := b.cookie(serverURL, "_xsrf")
	if xsrf == "" {
		b.t.Fatalf("no _xsrf cookie for %s after loading the notebook server", serverURL)
	}
	p := b.mustDo(http.MethodPost, serverURL+"api/kernels", strings.NewReader("{}"), http.Header{
		"Content-Type": {"application/json"},
		"X-Xsrftoken":  {xsrf},
		"Referer":      {serverURL + "tree"},
	}, false)
	if p.StatusCode != http.StatusCreated {
		b.t.Fatalf("POST %sapi/kernels: %s\n%s", serverURL, p.Status, p.Body)
	}
	var kernel struct{ ID string }
	if err := json.Unmarshal([]byte(p.Body), &kernel); err != nil || kernel.ID == "" {
		b.t.Fatalf("POST %sapi/kernels: no kernel id in %q (%v)", serverURL, p.Body, err)
	}
	return kernel.ID
}

// kernelMessage is a Jupyter messaging protocol v5 message in the websocket's JSON form.
type kernelMessage struct {
	Channel      string         `json:"channel"`
	Header       messageHeader  `json:"header"`
	ParentHeader messageHeader  `json:"parent_header"`
	Metadata     map[string]any `json:"metadata"`
	Content      map[string]any `json:"content"`
	Buffers      []any          `json:"buffers"`
}

type messageHeader struct {
	MsgID    string `json:"msg_id,omitempty"`
	MsgType  string `json:"msg_type,omitempty"`
	Username string `json:"username,omitempty"`
	Session  string `json:"session,omitempty"`
	Date     string `json:"date,omitempty"`
	Version  string `json:"version,omitempty"`
}

// execute runs code in the kernel over its websocket, as the notebook page does, and returns what
// the code printed.
func (b *browser) execute(serverURL, kernelID, user, code string) (string, error) {
	session := randomHex(b.t, 8)
	wsURL := "wss" + strings.TrimPrefix(serverURL, "https") + "api/kernels/" + kernelID + "/channels?session_id=" + session
	// A browser sends its page's origin; the notebook server refuses websockets whose Origin does
	// not match the Host it was given.
	origin := serverURL[:len("https://")+strings.Index(serverURL[len("https://"):], "/")]
	conn, resp, err := b.dialer.Dial(wsURL, http.Header{"Origin": {origin}})
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(resp.Body)
			return "", fmt.Errorf("websocket %s: %v: %s %s", wsURL, err, resp.Status, body)
		}
		return "", fmt.Errorf("websocket %s: %w", wsURL, err)
	}
	defer conn.Close()
	deadline := time.Now().Add(b.kernelWait)
	if err := conn.SetReadDeadline(deadline); err != nil {
		return "", err
	}
	if err := conn.SetWriteDeadline(deadline); err != nil {
		return "", err
	}
	request := kernelMessage{
		Channel: "shell",
		Header: messageHeader{MsgID: "e2e-" + session, MsgType: "execute_request", Username: user,
			Session: session, Date: time.Now().UTC().Format(time.RFC3339), Version: "5.3"},
		Metadata: map[string]any{},
		Content: map[string]any{"code": code, "silent": false, "store_history": false,
			"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true},
		Buffers: []any{},
	}
	if err := conn.WriteJSON(request); err != nil {
		return "", fmt.Errorf("send execute_request: %w", err)
	}
	// Output comes on iopub as stream messages; the kernel going idle after our request ends it.
	var stdout strings.Builder
	for {
		var m kernelMessage
		if err := conn.ReadJSON(&m); err != nil {
			return stdout.String(), fmt.Errorf("read from kernel websocket: %w", err)
		}
		if m.ParentHeader.MsgID != request.Header.MsgID {
			continue
		}
		switch {
		case m.Header.MsgType == "stream" && m.Content["name"] == "stdout":
			text, _ := m.Content["text"].(string)
			stdout.WriteString(text)
		case m.Header.MsgType == "error":
			return stdout.String(), fmt.Errorf("kernel error: %v: %v", m.Content["ename"], m.Content["evalue"])
		case m.Header.MsgType == "status" && m.Content["execution_state"] == "idle":
			return stdout.String(), nil
		}
	}
}
