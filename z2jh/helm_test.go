package z2jh

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubgen/hubgen/internal/testsys"
	"github.com/hubgen/hubgen/internal/thirdparty"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// chartDir is the released chart in the third-party cache (internal/thirdparty).
var chartDir = thirdparty.Z2JHChart.Dir()

// kubeVersion is the Kubernetes version helm template assumes: the chart needs 1.28 or later,
// and Helm assumes 1.20 without a cluster.
const kubeVersion = "1.28.0"

// debianPython is Debian's python3, where .ci/run installs python3-yaml: the first python3 on
// PATH may be another install's, without PyYAML.
const debianPython = "/usr/bin/python3"

// unavailable skips the test, or fails it under HUBGEN_E2E=require (as CI sets it).
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	testsys.SkipOrFail(t, fmt.Sprintf(format, args...))
}

// helm builds Helm once per machine with scripts/helm.sh and returns its path.
func helm(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		unavailable(t, "no go command to build Helm with: %v", err)
	}
	thirdparty.Require(t, thirdparty.Z2JHChart)
	out, err := exec.Command("sh", "../scripts/helm.sh").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		unavailable(t, "scripts/helm.sh: %v\n%s", err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// toJSON is python3 with PyYAML (Debian's python3-yaml) reading the manifests helm prints and the
// values.yaml inside the hub's Secret: hubgen's go.mod has no YAML library, and a second,
// independent YAML reader is a better judge of hubgen's YAML anyway.
const toJSON = `
import base64, json, sys, yaml
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
for d in docs:
    if d["kind"] == "Secret" and d["metadata"]["name"] == "hub":
        d["hubValues"] = yaml.safe_load(base64.b64decode(d["data"]["values.yaml"]))
        # The chart exec()s each hub.extraConfig entry: it must at least be Python.
        for key, src in (d["hubValues"]["hub"].get("extraConfig") or {}).items():
            compile(src, key, "exec")
json.dump(docs, sys.stdout)
`

type manifest struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Data      map[string]string `json:"data"`
	HubValues *hubValues        `json:"hubValues"`
	Spec      json.RawMessage   `json:"spec"`
}

// hubValues is the part of the chart's values that the hub reads at start from its Secret.
type hubValues struct {
	Hub struct {
		BaseURL   string                                `json:"baseUrl"`
		Config    map[string]map[string]json.RawMessage `json:"config"`
		LoadRoles map[string]struct {
			Users []string `json:"users"`
		} `json:"loadRoles"`
		ExtraConfig map[string]string `json:"extraConfig"`
	} `json:"hub"`
	Singleuser struct {
		DefaultURL *string `json:"defaultUrl"`
		Memory     struct {
			Limit     any `json:"limit"`
			Guarantee any `json:"guarantee"`
		} `json:"memory"`
		CPU struct {
			Limit any `json:"limit"`
		} `json:"cpu"`
	} `json:"singleuser"`
	Cull struct {
		Enabled     bool  `json:"enabled"`
		Timeout     int64 `json:"timeout"`
		Every       int64 `json:"every"`
		MaxAge      int64 `json:"maxAge"`
		Users       bool  `json:"users"`
		Concurrency int64 `json:"concurrency"`
	} `json:"cull"`
}

// TestChart: every example that can target z2jh passes helm lint and helm template with its
// values, and the manifests carry the site's values where the chart puts them.
func TestChart(t *testing.T) {
	helmBin := helm(t)
	if err := exec.Command(debianPython, "-c", "import yaml").Run(); err != nil {
		unavailable(t, "python3 with PyYAML (apt-get install python3-yaml) reads the manifests: %v", err)
	}
	paths, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	var tested []string
	refusedPAM := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		site, err := schema.Parse(path, data)
		if err != nil {
			t.Fatal(err)
		}
		var problems schema.Problems
		if _, err := schema.Parse(path, data, schema.WithTarget(schema.TargetZ2JH)); errors.As(err, &problems) {
			errs := problems.Errors()
			// The examples that cannot target z2jh are the PAM ones, refused at auth.type.
			if site.Auth.Type != schema.AuthPAM || errs[0].Key != "auth.type" || !strings.Contains(errs[0].String(), "no system accounts") && !strings.Contains(errs[0].String(), "pod without one") {
				t.Errorf("%s is refused for z2jh: %v", path, errs)
			}
			refusedPAM++
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), ".toml")
		tested = append(tested, name)
		t.Run(name, func(t *testing.T) { throughChart(t, helmBin, site) })
		if name == "mooc" {
			// No example ends TLS in front of the cluster: the same site with tls = "external".
			external := *site
			external.Kubernetes.TLS, external.Kubernetes.TLSSecret = schema.KubernetesTLSExternal, ""
			t.Run(name+"-external", func(t *testing.T) { throughChart(t, helmBin, &external) })
		}
	}
	if refusedPAM == 0 {
		t.Error("no PAM example was refused for z2jh")
	}
	// The examples that must reach the chart, so that a broken target check cannot skip them all.
	for _, want := range []string{"github", "lti-canvas", "lti-moodle", "mooc", "sso"} {
		if !slices.Contains(tested, want) {
			t.Errorf("example %s was not put through the chart (tested: %v)", want, tested)
		}
	}
}

// throughChart renders site's values.yaml, lints it with the chart and checks what helm template
// makes of it.
func throughChart(t *testing.T, helmBin string, site *schema.Site) {
	files, err := render.Files(site, render.WithTarget(schema.TargetZ2JH))
	if err != nil {
		t.Fatal(err)
	}
	values := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(values, files[render.Z2JHValues], 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(helmBin, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
		}
		return stdout.Bytes()
	}
	lint := run("lint", chartDir, "--strict", "--values", values, "--kube-version", kubeVersion)
	if !bytes.Contains(lint, []byte("0 chart(s) failed")) {
		t.Errorf("helm lint:\n%s", lint)
	}
	out := run("template", "hub", chartDir, "--values", values, "--kube-version", kubeVersion, "--namespace", "course")
	checkManifests(t, site, out)
}

func checkManifests(t *testing.T, site *schema.Site, yamlDocs []byte) {
	t.Helper()
	cmd := exec.Command(debianPython, "-c", toJSON)
	cmd.Stdin = bytes.NewReader(yamlDocs)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("read the manifests: %v", err)
	}
	var docs []manifest
	if err := json.Unmarshal(out, &docs); err != nil {
		t.Fatal(err)
	}
	find := func(kind, name string) *manifest {
		for i := range docs {
			if docs[i].Kind == kind && (name == "" || docs[i].Metadata.Name == name) {
				return &docs[i]
			}
		}
		return nil
	}

	// The hub's configuration: the values the hub reads from its Secret at start.
	secret := find("Secret", "hub")
	if secret == nil || secret.HubValues == nil {
		t.Fatal("no Secret hub with values.yaml in the manifests")
	}
	v := secret.HubValues
	// No client secret anywhere in the values the chart stores, under any spelling.
	raw, _ := base64.StdEncoding.DecodeString(secret.Data["values.yaml"])
	for _, bad := range []string{"client_secret:", "oauth_client_secret", "client_secret_file"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("the hub Secret's values.yaml holds %q", bad)
		}
	}
	jsonEq := func(what string, got json.RawMessage, want any) {
		t.Helper()
		w, _ := json.Marshal(want)
		var g, ww any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal(w, &ww)
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(ww)
		if !bytes.Equal(gb, wb) {
			t.Errorf("%s = %s, want %s", what, gb, wb)
		}
	}
	auth := v.Hub.Config["Authenticator"]
	jsonEq("hub.config.Authenticator.allowed_users", auth["allowed_users"], render.AllowedUsers(site.Users))
	jsonEq("hub.config.Authenticator.delete_invalid_users", auth["delete_invalid_users"], true)
	jsonEq("hub.config.Authenticator.allow_existing_users", auth["allow_existing_users"], false)
	if _, set := auth["admin_users"]; set {
		t.Error("hub.config.Authenticator.admin_users is set beside the admin role")
	}
	if got := v.Hub.LoadRoles["admin"].Users; !slices.Equal(got, site.Users.AdminUsers) {
		t.Errorf("hub.loadRoles.admin.users = %q, want %q", got, site.Users.AdminUsers)
	}
	checkUsernamePattern(t, auth["username_pattern"], site)

	if site.Hub.UserSubdomains {
		jsonEq("hub.config.JupyterHub.subdomain_host", v.Hub.Config["JupyterHub"]["subdomain_host"], "https://"+site.Domain)
	} else if _, set := v.Hub.Config["JupyterHub"]["subdomain_host"]; set {
		t.Error("hub.config.JupyterHub.subdomain_host is set without hub.user_subdomains")
	}
	if v.Hub.BaseURL != site.Hub.BaseURL {
		t.Errorf("hub.baseUrl = %q, want %q", v.Hub.BaseURL, site.Hub.BaseURL)
	}
	if site.Auth.Type == schema.AuthLTI13 {
		// LTI 1.3 has no client secret; the class with the site's rules is defined, and chosen,
		// in hub.extraConfig, which the chart runs after hub.config.
		lti := v.Hub.Config["LTI13Authenticator"]
		jsonEq("LTI13Authenticator.issuer", lti["issuer"], site.Auth.Issuer)
		jsonEq("LTI13Authenticator.client_id", lti["client_id"], []string{site.Auth.ClientID})
		jsonEq("LTI13Authenticator.authorize_url", lti["authorize_url"], site.Auth.AuthorizeURL)
		jsonEq("LTI13Authenticator.jwks_endpoint", lti["jwks_endpoint"], site.Auth.JWKSURL)
		jsonEq("hub.config.JupyterHub.authenticator_class", v.Hub.Config["JupyterHub"]["authenticator_class"], "ltiauthenticator.lti13.auth.LTI13Authenticator")
		if !strings.Contains(v.Hub.ExtraConfig["hubgen-sign-in"], "\nc.JupyterHub.authenticator_class = SiteLTI13Authenticator\n") {
			t.Error("hub.extraConfig does not choose SiteLTI13Authenticator")
		}
	} else {
		class := map[string]string{schema.AuthOIDC: "oauthenticator.generic.GenericOAuthenticator", schema.AuthGitHub: "oauthenticator.github.GitHubOAuthenticator"}[site.Auth.Type]
		jsonEq("hub.config.JupyterHub.authenticator_class", v.Hub.Config["JupyterHub"]["authenticator_class"], class)
		section := class[strings.LastIndex(class, ".")+1:]
		jsonEq("client_id", v.Hub.Config[section]["client_id"], site.Auth.ClientID)
		jsonEq("oauth_callback_url", v.Hub.Config[section]["oauth_callback_url"], "https://"+site.Domain+site.Hub.BaseURL+"hub/oauth_callback")
	}

	// The client secret reaches the hub's container from the named Secret.
	hub := find("Deployment", "hub")
	if hub == nil {
		t.Fatal("no Deployment hub")
	}
	var deploy struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Name string `json:"name"`
					Env  []struct {
						Name      string `json:"name"`
						Value     *string
						ValueFrom *struct {
							SecretKeyRef struct{ Name, Key string } `json:"secretKeyRef"`
						} `json:"valueFrom"`
					} `json:"env"`
				} `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	}
	if err := json.Unmarshal(hub.Spec, &deploy); err != nil {
		t.Fatal(err)
	}
	found, named := false, false
	for _, c := range deploy.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == "OAUTH_CLIENT_SECRET" {
				named = true
				found = e.ValueFrom != nil && e.ValueFrom.SecretKeyRef.Name == site.Kubernetes.OAuthSecret && e.ValueFrom.SecretKeyRef.Key == render.OAuthSecretKey && e.Value == nil
			}
		}
	}
	if site.Auth.Type == schema.AuthLTI13 {
		if named {
			t.Error("the hub container of an LTI 1.3 site takes OAUTH_CLIENT_SECRET, which it has none of")
		}
	} else if !found {
		t.Errorf("the hub container does not take OAUTH_CLIENT_SECRET from Secret %s, key %s", site.Kubernetes.OAuthSecret, render.OAuthSecretKey)
	}

	// The domain and TLS, as the site chose.
	ingress := find("Ingress", "")
	switch site.Kubernetes.TLS {
	case schema.KubernetesTLSLetsEncrypt:
		if ingress != nil {
			t.Error("an Ingress with tls = letsencrypt")
		}
		cm := find("ConfigMap", "autohttps")
		if cm == nil {
			t.Fatal("no ConfigMap autohttps (the chart's Let's Encrypt proxy)")
		}
		if !strings.Contains(cm.Data["dynamic.yaml"], "- main: "+site.Domain+"\n") {
			t.Errorf("the TLS proxy's dynamic.yaml does not ask for a certificate for %s:\n%s", site.Domain, cm.Data["dynamic.yaml"])
		}
		if !strings.Contains(cm.Data["traefik.yaml"], "email: "+site.Kubernetes.LetsEncryptContactEmail+"\n") {
			t.Errorf("the TLS proxy's traefik.yaml does not give Let's Encrypt %s", site.Kubernetes.LetsEncryptContactEmail)
		}
	default:
		if find("ConfigMap", "autohttps") != nil {
			t.Error("the chart's Let's Encrypt proxy is on with tls = " + site.Kubernetes.TLS)
		}
		if ingress == nil {
			t.Fatal("no Ingress")
		}
		var spec struct {
			Rules []struct {
				Host string `json:"host"`
				HTTP struct {
					Paths []struct {
						Path string `json:"path"`
					} `json:"paths"`
				} `json:"http"`
			} `json:"rules"`
			TLS []struct {
				Hosts      []string `json:"hosts"`
				SecretName string   `json:"secretName"`
			} `json:"tls"`
		}
		if err := json.Unmarshal(ingress.Spec, &spec); err != nil {
			t.Fatal(err)
		}
		// With user subdomains every user's host reaches the proxy too, under the same path.
		hosts := []string{site.Domain}
		if site.Hub.UserSubdomains {
			hosts = append(hosts, "*."+site.Domain)
		}
		var ruleHosts []string
		for _, r := range spec.Rules {
			ruleHosts = append(ruleHosts, r.Host)
			if p := r.HTTP.Paths; len(p) != 1 || p[0].Path != strings.TrimSuffix(site.Hub.BaseURL, "/")+"/" {
				t.Errorf("Ingress paths for %s %+v, want %s", r.Host, p, site.Hub.BaseURL)
			}
		}
		if !slices.Equal(ruleHosts, hosts) {
			t.Errorf("Ingress rules %+v, want one for each of %q", spec.Rules, hosts)
		}
		wantTLS := site.Kubernetes.TLS == schema.KubernetesTLSSecret
		switch {
		case wantTLS && (len(spec.TLS) != 1 || spec.TLS[0].SecretName != site.Kubernetes.TLSSecret || !slices.Equal(spec.TLS[0].Hosts, hosts)):
			t.Errorf("Ingress tls %+v, want Secret %s for %q", spec.TLS, site.Kubernetes.TLSSecret, hosts)
		case !wantTLS && len(spec.TLS) != 0:
			t.Errorf("Ingress tls %+v with tls = external", spec.TLS)
		}
	}

	// Culling and the per-user limits, where the chart's jupyterhub_config.py reads them.
	c := site.Culler
	if v.Cull.Enabled != c.Enabled {
		t.Errorf("cull.enabled = %v, want %v", v.Cull.Enabled, c.Enabled)
	}
	if c.Enabled {
		got := []int64{v.Cull.Timeout, v.Cull.Every, v.Cull.MaxAge, v.Cull.Concurrency}
		want := []int64{int64(c.Timeout.Seconds()), int64(c.Interval.Seconds()), int64(c.MaxAge.Seconds()), int64(c.Concurrency)}
		if !slices.Equal(got, want) || v.Cull.Users != c.Users {
			t.Errorf("cull timeout, every, maxAge, concurrency = %v, users %v; want %v, %v", got, v.Cull.Users, want, c.Users)
		}
	}
	if site.Limits.Memory != "" && (v.Singleuser.Memory.Limit != site.Limits.Memory || v.Singleuser.Memory.Guarantee != site.Limits.Memory) {
		t.Errorf("singleuser.memory = %v/%v, want %s", v.Singleuser.Memory.Limit, v.Singleuser.Memory.Guarantee, site.Limits.Memory)
	}
	if site.Limits.CPU != 0 && v.Singleuser.CPU.Limit != site.Limits.CPU {
		t.Errorf("singleuser.cpu.limit = %v, want %v", v.Singleuser.CPU.Limit, site.Limits.CPU)
	}
	if site.Spawner.DefaultURL != "" && (v.Singleuser.DefaultURL == nil || *v.Singleuser.DefaultURL != site.Spawner.DefaultURL) {
		t.Errorf("singleuser.defaultUrl = %v, want %s", v.Singleuser.DefaultURL, site.Spawner.DefaultURL)
	}
}

// checkUsernamePattern runs the pattern from the chart's Secret through Python's re, as
// JupyterHub does: it admits every user of the site and refuses a name one letter off.
func checkUsernamePattern(t *testing.T, raw json.RawMessage, site *schema.Site) {
	t.Helper()
	var pattern string
	if err := json.Unmarshal(raw, &pattern); err != nil || pattern == "" {
		t.Errorf("hub.config.Authenticator.username_pattern = %s", raw)
		return
	}
	users := render.AllowedUsers(site.Users)
	var refused []string
	for _, u := range users {
		for _, other := range []string{u + "x", "x" + u, strings.ToUpper(u)} {
			if !slices.Contains(users, other) {
				refused = append(refused, other)
			}
		}
	}
	refused = append(refused, "root", "")
	in, _ := json.Marshal(map[string]any{"pattern": pattern, "admit": users, "refuse": refused})
	cmd := exec.Command(debianPython, "-c", `
import json, re, sys
d = json.load(sys.stdin)
bad = [u for u in d["admit"] if not re.match(d["pattern"], u)] + [u for u in d["refuse"] if re.match(d["pattern"], u)]
print(json.dumps(bad))
`)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(out)); s != "[]" {
		t.Errorf("username_pattern %q decides wrongly for %s", pattern, s)
	}
}
