// Package z2jh holds no code: its tests put what `hubgen render --target z2jh` writes through the
// real Zero to JupyterHub chart with the real Helm (helm lint, helm template) and check that the
// manifests carry the site's values. Helm is built by scripts/helm.sh into a cache directory,
// outside hubgen's go.mod.
package z2jh
