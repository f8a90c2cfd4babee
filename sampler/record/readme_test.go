package record

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// readmeSection is the README's documentation of this format: from its
// heading to the next second-level heading.
func readmeSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	s := string(b)
	start := strings.Index(s, "## `porttop watch`")
	if start < 0 {
		t.Fatal("README has no \"## `porttop watch`\" section")
	}
	end := strings.Index(s[start+3:], "\n## ")
	if end < 0 {
		return s[start:]
	}
	return s[start : start+3+end]
}

// jsonFields lists the JSON names of a line type's fields, prefixing nested
// objects' fields with their name ("stats.sockets").
func jsonFields(typ reflect.Type, prefix string) []string {
	var names []string
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == typ.PkgPath() {
			names = append(names, jsonFields(ft, prefix+name+".")...)
			continue
		}
		names = append(names, prefix+name)
	}
	return names
}

// TestREADMEDocumentsEveryField fails when a field is written that the
// README's table does not describe, or the README describes one that is
// never written: the documentation is part of the format's promise.
func TestREADMEDocumentsEveryField(t *testing.T) {
	doc := readmeSection(t)
	// Fields added since the README's table was written are documented
	// beside the code until they join it.
	beside, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("reading sampler/record/README.md: %v", err)
	}
	doc += "\n" + string(beside)
	documented := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\|")
	for _, m := range row.FindAllStringSubmatch(doc, -1) {
		documented[m[1]] = true
	}
	written := map[string]bool{}
	for _, typ := range []reflect.Type{reflect.TypeOf(headerLine{}), reflect.TypeOf(eventLine{}), reflect.TypeOf(rangeLine{})} {
		for _, n := range jsonFields(typ, "") {
			written[n] = true
		}
	}
	for _, n := range jsonFields(reflect.TypeOf(statsLine{}), "") {
		if n != "time" {
			written[n] = true
		}
	}
	for n := range written {
		if !documented[n] {
			t.Errorf("field %q is written but the README's table does not document it", n)
		}
	}
	for n := range documented {
		if !written[n] {
			t.Errorf("the README documents field %q, which porttop never writes", n)
		}
	}
}

// TestREADMEExamplesParse reads the README's example lines as a stream: the
// header example first, then every event and stats example.
func TestREADMEExamplesParse(t *testing.T) {
	doc := readmeSection(t)
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(doc))
	inJSON := false
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "```json":
			inJSON = true
		case l == "```":
			inJSON = false
		case inJSON && strings.HasPrefix(l, "{"):
			lines = append(lines, l)
		}
	}
	if len(lines) < 3 || !strings.Contains(lines[0], `"porttop":1`) {
		t.Fatalf("want the header example first and event examples after it, got %d lines", len(lines))
	}
	r, err := NewReader(bytes.NewBufferString(strings.Join(lines, "\n") + "\n"))
	if err != nil {
		t.Fatalf("header example: %v", err)
	}
	events := 0
	for {
		_, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("example line %d: %v", r.Line(), err)
			}
			break
		}
		events++
	}
	if events < 4 {
		t.Errorf("read %d event examples, want the 4 the README shows", events)
	}
	if r.LastStats() == nil {
		t.Error("the README's stats example did not read as a stats line")
	}
}
