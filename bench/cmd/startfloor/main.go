// Command startfloor is the floor `hubgen version` is measured against (bench/startup.sh): a
// program that links what hubgen cannot do without, BurntSushi/toml and sprig, builds one
// template with sprig's functions and prints a version. hubgen's start-up beyond this is its own.
package main

import (
	"os"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig/v3"
)

func main() {
	var v struct{ Version string }
	if _, err := toml.Decode(`version = "0"`, &v); err != nil {
		panic(err)
	}
	t := template.Must(template.New("version").Funcs(sprig.TxtFuncMap()).Parse("hubgen {{ .Version | trim }}\n"))
	if err := t.Execute(os.Stdout, v); err != nil {
		panic(err)
	}
}
