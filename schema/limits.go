package schema

import "github.com/hubgen/hubgen/internal/lazyregexp"

// memoryPattern is SystemdSpawner's mem_limit as hubgen writes it: JupyterHub's ByteSpecification
// reads K, M, G and T (powers of 1024), uppercase only.
const memoryPattern = `^[1-9][0-9]{0,5}[KMGT]$`

// unitMemoryPattern is what systemd's MemoryMax= and MemoryHigh= take: bytes with an optional
// K, M, G or T (powers of 1024), or a whole percentage of the machine's memory.
const unitMemoryPattern = `^(?:[1-9][0-9]{0,14}[KMGT]?|[1-9][0-9]?%|100%)$`

// unitTasksPattern is what systemd's TasksMax= takes: a count, or a whole percentage of the
// kernel's limit on tasks.
const unitTasksPattern = `^(?:[1-9][0-9]{0,8}|[1-9][0-9]?%|100%)$`

// MaxCPU is the largest per-user CPU limit accepted: more CPUs than any one machine has.
const MaxCPU = 1024

var (
	memoryRE     = lazyregexp.New(memoryPattern)
	unitMemoryRE = lazyregexp.New(unitMemoryPattern)
	unitTasksRE  = lazyregexp.New(unitTasksPattern)
)

// validateLimits checks [limits] and spawner.kind. A per-user limit with the local spawner is an
// error, not a warning: JupyterHub's LocalProcessSpawner accepts mem_limit and cpu_limit and
// silently enforces neither, so the site would promise what the machine does not do.
func validateLimits(c *checker) {
	s, set := c.site, c.set
	if set("spawner.kind") && s.Spawner.Kind != SpawnerLocal && s.Spawner.Kind != SpawnerSystemd {
		c.atValue("spawner.kind", "%s is not a spawner (use %q or %q)", quote(s.Spawner.Kind), SpawnerLocal, SpawnerSystemd)
	}
	l := s.Limits
	if set("limits.memory") && !memoryRE.MatchString(l.Memory) {
		c.atValue("limits.memory", "%s is not a memory size (a whole number with K, M, G or T, like \"2G\")", quote(l.Memory))
	}
	if set("limits.cpu") && !(l.CPU > 0 && l.CPU <= MaxCPU) {
		c.atValue("limits.cpu", "%v is not a CPU limit (a number of CPUs above 0, like 1.5)", l.CPU)
	}
	if s.Spawner.Kind == SpawnerLocal {
		for _, key := range []string{"limits.memory", "limits.cpu"} {
			if set(key) {
				c.atKey(key, "the local spawner ignores per-user limits (set kind = %q under [spawner] to enforce them with SystemdSpawner, or remove %s)", SpawnerSystemd, lastSegment(key))
			}
		}
	}
	for _, u := range []struct {
		key, value string
	}{{"limits.hub_memory_max", l.HubMemoryMax}, {"limits.hub_memory_high", l.HubMemoryHigh}} {
		if set(u.key) && !unitMemoryRE.MatchString(u.value) {
			c.atValue(u.key, "%s is not a systemd memory limit (bytes with K, M, G or T, or a percentage of the RAM, like \"12G\" or \"90%%\")", quote(u.value))
		}
	}
	if set("limits.hub_tasks_max") && !unitTasksRE.MatchString(l.HubTasksMax) {
		c.atValue("limits.hub_tasks_max", "%s is not a systemd task limit (a count or a percentage, like \"8192\" or \"20%%\")", quote(l.HubTasksMax))
	}
}

// ptr is a pointer to v, for the JSON Schema's optional limits.
func ptr[T any](v T) *T { return &v }
