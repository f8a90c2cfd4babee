// Command gen writes porttop's embedded IANA port table from the registry
// JSON (run by go generate in sampler/ports):
//
//	go run ./internal/gen -in ../../../shared/data/iana-port-numbers.json -out table_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/porttop/porttop/sampler/ports/internal/table"
)

func main() {
	in := flag.String("in", "", "registry JSON (port-numbers package index.json)")
	out := flag.String("out", "table_gen.go", "Go file to write")
	pkg := flag.String("pkg", "ports", "package name of the output")
	flag.Parse()
	if err := run(*in, *out, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, pkg string) error {
	if in == "" {
		return fmt.Errorf("-in is required")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	src, err := table.Generate(data, pkg, filepath.Base(in))
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
