package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/porttop/porttop/sampler/ports"
)

// Version is the format version this package writes and the newest it reads.
const Version = 1

// Header is the first line of a stream: what the events that follow need to
// be understood on another machine.
type Header struct {
	// OS is the recording machine's GOOS ("linux").
	OS string
	// Ephemeral is the OS ephemeral port range the machine hands out from.
	Ephemeral ports.Range
	// Interval is the sampling interval asked for; 0 means adaptive.
	Interval time.Duration
	// Host is the machine's name, "" when unknown (optional).
	Host string
	// Started is when the stream began (optional).
	Started time.Time
	// Source names the sampler source ("netlink", "gopsutil"), "" if unknown.
	Source string
	// Filter is the filter text the stream was narrowed by, "" for none.
	Filter string
}

type headerLine struct {
	Porttop   *int      `json:"porttop"`
	OS        string    `json:"os"`
	Ephemeral [2]uint16 `json:"ephemeral_range"`
	Interval  int64     `json:"interval_ms"`
	Host      string    `json:"host,omitempty"`
	Started   string    `json:"started,omitempty"`
	Source    string    `json:"source,omitempty"`
	Filter    string    `json:"filter,omitempty"`
}

func (h Header) line() headerLine {
	v := Version
	l := headerLine{
		Porttop:   &v,
		OS:        h.OS,
		Ephemeral: [2]uint16{h.Ephemeral.Lo, h.Ephemeral.Hi},
		Interval:  h.Interval.Milliseconds(),
		Host:      h.Host,
		Source:    h.Source,
		Filter:    h.Filter,
	}
	if !h.Started.IsZero() {
		l.Started = h.Started.UTC().Format(time.RFC3339Nano)
	}
	return l
}

// MarshalHeader gives the header line, without its newline.
func MarshalHeader(h Header) ([]byte, error) {
	return json.Marshal(h.line())
}

// errNotRecording wraps every reason the first line is not a header.
var errNotRecording = errors.New("not a porttop recording")

// ParseHeader reads a header line. Its errors start "not a porttop recording"
// when the line is not a header at all.
func ParseHeader(line []byte) (Header, error) {
	var l headerLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Header{}, fmt.Errorf("%w: the first line is not a porttop header (%s)", errNotRecording, jsonProblem(err))
	}
	if l.Porttop == nil {
		return Header{}, fmt.Errorf("%w: the first line has no \"porttop\" version field", errNotRecording)
	}
	if *l.Porttop < 1 {
		return Header{}, fmt.Errorf("%w: format version %d is not valid", errNotRecording, *l.Porttop)
	}
	if *l.Porttop > Version {
		return Header{}, fmt.Errorf("recording format version %d is newer than this porttop reads (%d): update porttop", *l.Porttop, Version)
	}
	if l.Ephemeral[0] > l.Ephemeral[1] {
		return Header{}, fmt.Errorf("bad header: ephemeral_range [%d,%d] is backwards", l.Ephemeral[0], l.Ephemeral[1])
	}
	if l.Interval < 0 {
		return Header{}, fmt.Errorf("bad header: interval_ms %d is negative", l.Interval)
	}
	h := Header{
		OS:        l.OS,
		Ephemeral: ports.Range{Lo: l.Ephemeral[0], Hi: l.Ephemeral[1]},
		Interval:  time.Duration(l.Interval) * time.Millisecond,
		Host:      l.Host,
		Source:    l.Source,
		Filter:    l.Filter,
	}
	if l.Started != "" {
		t, err := time.Parse(time.RFC3339Nano, l.Started)
		if err != nil {
			return Header{}, fmt.Errorf("bad header: started %q is not an RFC 3339 time", l.Started)
		}
		h.Started = t
	}
	return h, nil
}

// jsonProblem shortens encoding/json's errors to what a person can act on.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "not JSON: " + syn.Error()
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q holds %s, not %s", jsonField(typ.Field), jsonValue(typ.Value), jsonType(typ.Type))
		}
		return fmt.Sprintf("%s where an object was expected", jsonValue(typ.Value))
	}
	return err.Error()
}

// jsonField is a field's path as the file writes it: encoding/json names
// the Go structs an embedded field sits in ("eventLine.pid").
func jsonField(path string) string {
	parts := strings.Split(path, ".")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && !strings.HasSuffix(p, "Line") && !strings.HasSuffix(p, "Body") {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return path
	}
	return strings.Join(kept, ".")
}

// jsonValue names what a file held in JSON's words: "a string", "the
// number 1e99".
func jsonValue(v string) string {
	switch {
	case strings.HasPrefix(v, "number "):
		return "the " + v
	case v == "array", v == "object":
		return "an " + v
	case v == "bool":
		return "true or false"
	}
	return "a " + v
}

// jsonType says what a field takes in JSON's words, not Go's.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		bits := t.Bits()
		return fmt.Sprintf("a whole number from %d to %d", int64(-1)<<(bits-1), int64(1)<<(bits-1)-1)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return fmt.Sprintf("a whole number from 0 to %d", uint64(1)<<(t.Bits()-1)*2-1)
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}
