// Package sitegen makes the course sites hubgen's benchmarks measure: one typical site.toml with
// any number of allowed users, and the same values as the JSON data that the Jinja2 templates of
// bench/templates read, so that both ways render the same files from the same user list.
package sitegen

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Username is the i-th generated user (from 1): u00001, u00002, ... All are valid usernames.
func Username(i int) string { return fmt.Sprintf("u%05d", i) }

// Usernames are the first n generated usernames.
func Usernames(n int) []string {
	users := make([]string, n)
	for i := range users {
		users[i] = Username(i + 1)
	}
	return users
}

// Domain is the domain of the site called name.
func Domain(name string) string { return name + ".bench.example.edu" }

// TOML is the site file of a course called name with users allowed users: what an instructor
// writes, one user a line as a roster is pasted in. It leaves every key with a default out.
func TOML(name string, users int) []byte {
	var b bytes.Buffer
	domain := Domain(name)
	fmt.Fprintf(&b, `# A generated course with %d allowed users, for hubgen's benchmarks.
domain = %q

[tls]
cert = "/etc/letsencrypt/live/%s/fullchain.pem"
key = "/etc/letsencrypt/live/%s/privkey.pem"
dhparam = "/srv/jupyterhub/dhparam.pem"

[users]
admin = ["peter"]
allowed = [
`, users, domain, domain, domain)
	for _, u := range Usernames(users) {
		fmt.Fprintf(&b, "    %q,\n", u)
	}
	fmt.Fprintf(&b, `]

[spawner]
cmd = ["/opt/conda/bin/jupyterhub-singleuser"]
default_url = "/lab"
`)
	return b.Bytes()
}

// Data is the site as the Jinja2 templates read it: the same values as TOML's file, with every
// default written out, since a Jinja2 template has no schema to fill them in.
type Data struct {
	Source  string  `json:"source"` // the site file's name, for the generated-file header
	Domain  string  `json:"domain"`
	TLS     TLS     `json:"tls"`
	Users   Users   `json:"users"`
	Spawner Spawner `json:"spawner"`
	Hub     Hub     `json:"hub"`
	Nginx   Nginx   `json:"nginx"`
}

// TLS is [tls].
type TLS struct {
	Cert               string   `json:"cert"`
	Key                string   `json:"key"`
	DHParam            string   `json:"dhparam"`
	TrustedCertificate string   `json:"trusted_certificate"`
	Resolvers          []string `json:"resolvers"`
	Profile            string   `json:"profile"`
	HSTS               bool     `json:"hsts"`
}

// Users is [users].
type Users struct {
	Admin   []string `json:"admin"`
	Allowed []string `json:"allowed"`
}

// Spawner is [spawner].
type Spawner struct {
	Cmd         []string `json:"cmd"`
	DefaultURL  string   `json:"default_url"`
	NotebookDir string   `json:"notebook_dir"`
}

// Hub is [hub].
type Hub struct {
	Port               int    `json:"port"`
	HubPort            int    `json:"hub_port"`
	ProxyAPIPort       int    `json:"proxy_api_port"`
	BaseURL            string `json:"base_url"`
	StateDir           string `json:"state_dir"`
	CookieSecretFile   string `json:"cookie_secret_file"`
	ProxyAuthTokenFile string `json:"proxy_auth_token_file"`
}

// Nginx is [nginx].
type Nginx struct {
	HTTPPort          int    `json:"http_port"`
	HTTPSPort         int    `json:"https_port"`
	IPv6              bool   `json:"ipv6"`
	ClientMaxBodySize string `json:"client_max_body_size"`
	ACMEWebroot       string `json:"acme_webroot"`
	Version           string `json:"version"`
	User              string `json:"user"`
	PID               string `json:"pid"`
}

// JSON is the data of the same course as TOML(name, users), for j2.
func JSON(name string, users int) []byte {
	domain := Domain(name)
	d := Data{
		Source: name + ".toml",
		Domain: domain,
		TLS: TLS{
			Cert:      "/etc/letsencrypt/live/" + domain + "/fullchain.pem",
			Key:       "/etc/letsencrypt/live/" + domain + "/privkey.pem",
			DHParam:   "/srv/jupyterhub/dhparam.pem",
			Resolvers: []string{"127.0.0.53"},
			Profile:   "intermediate",
			HSTS:      true,
		},
		Users:   Users{Admin: []string{"peter"}, Allowed: Usernames(users)},
		Spawner: Spawner{Cmd: []string{"/opt/conda/bin/jupyterhub-singleuser"}, DefaultURL: "/lab"},
		Hub: Hub{
			Port: 8000, HubPort: 8081, ProxyAPIPort: 8001, BaseURL: "/",
			StateDir:           "/srv/jupyterhub",
			CookieSecretFile:   "/srv/jupyterhub/jupyterhub_cookie_secret",
			ProxyAuthTokenFile: "/srv/jupyterhub/proxy_auth_token",
		},
		Nginx: Nginx{
			HTTPPort: 80, HTTPSPort: 443, IPv6: true, ClientMaxBodySize: "100m",
			ACMEWebroot: "/var/www/letsencrypt", Version: "1.22", User: "www-data", PID: "/run/nginx.pid",
		},
	}
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // Data holds only strings, numbers and bools
	}
	return append(out, '\n')
}
