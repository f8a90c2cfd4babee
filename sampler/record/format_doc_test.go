package record

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// formatDoc is the format's documentation, FORMAT.md beside this file (the
// README links to it).
func formatDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatalf("reading FORMAT.md: %v", err)
	}
	return string(b)
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
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			names = append(names, jsonFields(ft, prefix)...) // promoted fields
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == typ.PkgPath() {
			names = append(names, jsonFields(ft, prefix+name+".")...)
			continue
		}
		names = append(names, prefix+name)
	}
	return names
}

// TestFormatDocDocumentsEveryField fails when a field is written that the
// FORMAT.md's table does not describe, or FORMAT.md describes one that is
// never written: the documentation is part of the format's promise.
func TestFormatDocDocumentsEveryField(t *testing.T) {
	doc := formatDoc(t)
	documented := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\|")
	for _, m := range row.FindAllStringSubmatch(doc, -1) {
		documented[m[1]] = true
	}
	written := map[string]bool{}
	for _, typ := range []reflect.Type{reflect.TypeOf(headerLine{}), reflect.TypeOf(eventLine{}), reflect.TypeOf(rangeLine{}), reflect.TypeOf(netnsRangeLine{}), reflect.TypeOf(failureLine{})} {
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
			t.Errorf("field %q is written but the FORMAT.md's table does not document it", n)
		}
	}
	for n := range documented {
		if !written[n] {
			t.Errorf("FORMAT.md documents field %q, which porttop never writes", n)
		}
	}
}

// TestFormatDocExamplesParse reads the FORMAT.md's example lines as a stream: the
// header example first, then every event and stats example.
func TestFormatDocExamplesParse(t *testing.T) {
	doc := formatDoc(t)
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
		t.Errorf("read %d event examples, want the 4 FORMAT.md shows", events)
	}
	if r.LastStats() == nil {
		t.Error("FORMAT.md's stats example did not read as a stats line")
	}
	if f := r.Failures(); f.Connects == 0 || f.Binds == 0 {
		t.Errorf("FORMAT.md's failed hand-out examples read as %+v, want a connect and a bind", f)
	}
	// The failure of another namespace reads back with it.
	blue := sampler.FailedDest{Addr: netip.MustParseAddrPort("10.0.0.9:5432"), Netns: 4026532238}
	if f := r.Failures(); f.ByDest[blue] != 10 || f.Names[blue.Netns] != "blue" || f.Label(blue, 0) != "10.0.0.9:5432 in netns blue" {
		t.Errorf("FORMAT.md's failure in netns blue read as %v, names %v", f.ByDest, f.Names)
	}
}
