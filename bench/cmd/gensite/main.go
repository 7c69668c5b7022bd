// Command gensite writes the course sites that bench/run.sh measures: for each site, NAME.toml
// for hubgen and NAME.json with the same values for the Jinja2 templates.
//
// Usage:
//
//	gensite -users N [-sites K] [-name NAME] -o DIR
//
// With -sites 1 (the default) the site is DIR/NAME.toml; with more, DIR/NAME001.toml and so on.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hubgen/hubgen/bench/sitegen"
)

func main() {
	users := flag.Int("users", 30, "allowed users in each site")
	sites := flag.Int("sites", 1, "how many sites to write")
	name := flag.String("name", "course", "the site's name, or the prefix of the sites' names")
	dir := flag.String("o", "", "write the files into `DIR`")
	flag.Parse()
	if *dir == "" || *users < 0 || *sites < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "gensite: %v\n", err)
		os.Exit(2)
	}
	for i := 1; i <= *sites; i++ {
		n := *name
		if *sites > 1 {
			n = fmt.Sprintf("%s%03d", *name, i)
		}
		for file, data := range map[string][]byte{
			n + ".toml": sitegen.TOML(n, *users),
			n + ".json": sitegen.JSON(n, *users),
		} {
			if err := os.WriteFile(filepath.Join(*dir, file), data, 0o644); err != nil {
				fmt.Fprintf(os.Stderr, "gensite: %v\n", err)
				os.Exit(2)
			}
		}
	}
}
