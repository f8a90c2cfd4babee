package ebpf

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// Field is one field of a tracepoint's record as its tracefs format file
// describes it.
type Field struct {
	Name   string
	Offset int
	Size   int
}

// Format is a tracepoint's record layout, read from its format file.
type Format map[string]Field

// ParseFormat reads a tracefs format file ("field:int oldstate;
// offset:16; size:4; signed:1;" lines). Array fields ("__u8 saddr[4]") are
// named without their brackets.
func ParseFormat(text string) (Format, error) {
	f := Format{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "field:") {
			continue
		}
		var decl string
		off, size := -1, -1
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, ":")
			if !ok {
				continue
			}
			switch k {
			case "field":
				decl = strings.TrimSpace(v)
			case "offset", "size":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("tracepoint format: bad %s in %q", k, line)
				}
				if k == "offset" {
					off = n
				} else {
					size = n
				}
			}
		}
		if decl == "" || off < 0 || size < 0 {
			return nil, fmt.Errorf("tracepoint format: cannot read %q", line)
		}
		name := decl[strings.LastIndexAny(decl, " *")+1:]
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		if name == "" {
			return nil, fmt.Errorf("tracepoint format: no field name in %q", line)
		}
		f[name] = Field{Name: name, Offset: off, Size: size}
	}
	if len(f) == 0 {
		return nil, fmt.Errorf("tracepoint format: no fields")
	}
	return f, nil
}

// Need returns the named field, checking it has the size the program reads.
func (f Format) Need(name string, size int) (Field, error) {
	fd, ok := f[name]
	if !ok {
		return Field{}, fmt.Errorf("tracepoint has no field %q", name)
	}
	if fd.Size != size {
		return Field{}, fmt.Errorf("tracepoint field %q is %d bytes, want %d", name, fd.Size, size)
	}
	return fd, nil
}
