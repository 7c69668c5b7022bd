package importer

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// The systemd unit, and the modes of the files the old configs name.

var hubgenUnitKeys = []string{"Description", "After", "Wants", "User", "Restart", "RestartSec", "WantedBy", "Environment"}

func (im *importer) unit() error {
	info, err := os.Stat(im.o.Unit)
	if err != nil {
		return fmt.Errorf("read %s: %w", im.o.Unit, errors.Unwrap(err))
	}
	if info.Size() > maxFileSize {
		return fmt.Errorf("%s: %d bytes, more than a systemd unit has", im.o.Unit, info.Size())
	}
	data, err := os.ReadFile(im.o.Unit)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(data), "\n") {
		at := fmt.Sprintf("%s:%d", im.o.Unit, i+1)
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			im.item(at, "hub", "%q: not a KEY=VALUE line", line)
			continue
		}
		key, val = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(val), `"`)
		switch key {
		case "ExecStart":
			words := strings.Fields(val)
			if len(words) > 0 {
				im.set("hub.executable", strings.TrimLeft(words[0], "-@+!"), at)
			}
			for _, w := range words[1:] {
				if w != "-f" && w != "--config" && !strings.HasSuffix(w, "jupyterhub_config.py") {
					im.item(at, "hub", "ExecStart argument %s: hubgen's unit passes only -f CONFIG", w)
				}
			}
		case "WorkingDirectory":
			im.set("hub.state_dir", val, at)
		case "MemoryMax":
			im.set("limits.hub_memory_max", val, at)
		case "MemoryHigh":
			im.set("limits.hub_memory_high", val, at)
		case "TasksMax":
			im.set("limits.hub_tasks_max", val, at)
		default:
			if key == "User" && val != "root" {
				im.item(at, "hub", "User=%s: hubgen runs the hub as root (PAM and spawning users' servers need it)", val)
			} else if key == "Environment" && !strings.HasPrefix(val, "PATH=") {
				im.item(at, "hub", "Environment=%s: hubgen's unit sets PATH only", val)
			} else if !slices.Contains(hubgenUnitKeys, key) {
				im.item(at, "hub", "%s=%s: a unit setting hubgen does not write", key, val)
			}
		}
	}
	if _, ok := im.values["limits.hub_memory_max"]; !ok {
		im.item(im.o.Unit, "limits", "no MemoryMax= in the unit: hubgen caps the hub and its servers at 90%% of memory (limits.hub_memory_max)")
	}
	return nil
}

// fileModes looks at the secret and key files the old config names, where they exist here.
func (im *importer) fileModes() {
	if key, ok := im.values["tls.key"].(string); ok {
		if info, err := os.Stat(key); err == nil && info.Mode().Perm()&0o004 != 0 {
			im.mistake(12, key, "the private key is readable by every user (mode %o): chmod 600 %s", info.Mode().Perm(), shellQuote(key))
		}
	}
	for _, k := range []string{"hub.cookie_secret_file", "hub.proxy_auth_token_file"} {
		if f, ok := im.values[k].(string); ok {
			if info, err := os.Stat(f); err == nil && info.Mode().Perm()&0o077 != 0 {
				im.mistake(13, f, "readable by group or others (mode %o): chmod 600 %s", info.Mode().Perm(), shellQuote(f))
			}
		}
	}
}
