package record

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/porttop/porttop/sampler"
)

const hdrLine = `{"porttop":1,"os":"linux","ephemeral_range":[32768,60999],"interval_ms":1000}` + "\n"
const openLine = `{"time":"2026-11-26T03:43:09Z","event":"open","proto":"tcp","local":"127.0.0.1:60716","remote":"127.0.0.1:8080","state":"ESTABLISHED","range":"dynamic","os_ephemeral":true}` + "\n"

func TestNotARecording(t *testing.T) {
	for name, text := range map[string]string{
		"empty":        "",
		"text":         "hello world\n",
		"json array":   "[1,2]\n",
		"no version":   `{"os":"linux"}` + "\n",
		"event first":  openLine,
		"version zero": `{"porttop":0}` + "\n",
		"wrong type":   `{"porttop":"1"}` + "\n",
		"binary":       "\x00\x01\x02\xff",
		"huge line":    strings.Repeat("x", MaxLine+10),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(text))
			if err == nil || !IsNotRecording(err) || !strings.HasPrefix(err.Error(), "not a porttop recording: ") {
				t.Errorf("err = %v, want one starting \"not a porttop recording: \"", err)
			}
		})
	}
}

func TestHeaderProblems(t *testing.T) {
	for name, text := range map[string]string{
		"newer version":     `{"porttop":2,"os":"linux"}`,
		"backwards range":   `{"porttop":1,"ephemeral_range":[9,1]}`,
		"negative interval": `{"porttop":1,"interval_ms":-5}`,
		"bad started":       `{"porttop":1,"started":"yesterday"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(text + "\n"))
			if err == nil || IsNotRecording(err) {
				t.Errorf("err = %v, want a header error that is not \"not a recording\"", err)
			}
		})
	}
}

func TestReaderTolerance(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		events int
		bad    string // substring of the error after the events, "" for io.EOF
	}{
		{"header only", "", 0, ""},
		{"header without newline", "", 0, ""},
		{"one event", openLine, 1, ""},
		{"crlf and blank lines", "\r\n" + strings.ReplaceAll(openLine, "\n", "\r\n") + "\n", 1, ""},
		{"unknown fields and kinds ignored", `{"time":"2026-11-26T03:43:09Z","event":"teleport","proto":"tcp","local":"1.2.3.4:5"}` + "\n" + `{"note":"hi"}` + "\n" + strings.Replace(openLine, `"range"`, `"colour":"red","range"`, 1), 1, ""},
		{"stats skipped", `{"time":"2026-11-26T03:43:09Z","stats":{"sockets":1}}` + "\n" + openLine, 1, ""},
		{"truncated last line", openLine + openLine[:40], 1, ""},
		{"last line complete without newline", openLine + strings.TrimSuffix(openLine, "\n"), 2, ""},
		{"garbage in the middle", openLine + "{oops\n" + openLine, 1, "line 3"},
		{"bad address", strings.Replace(openLine, "127.0.0.1:60716", "localhost", 1), 0, `local "localhost"`},
		{"bad state", strings.Replace(openLine, "ESTABLISHED", "HAPPY", 1), 0, "state"},
		{"bad proto", strings.Replace(openLine, `"tcp"`, `"sctp"`, 1), 0, "proto"},
		{"bad time", strings.Replace(openLine, "2026-11-26T03:43:09Z", "noon", 1), 0, "time"},
		{"negative held", strings.Replace(openLine, `"event":"open"`, `"event":"close","held_ms":-1`, 1), 0, "held_ms"},
		{"bad happened", strings.Replace(openLine, `"range"`, `"happened":"soon","range"`, 1), 0, "happened"},
		{"happened after time", strings.Replace(openLine, `"range"`, `"happened":"2026-11-26T03:43:10Z","range"`, 1), 0, "is after time"},
		{"negative uid", strings.Replace(openLine, `"range"`, `"uid":-4,"range"`, 1), 0, "uid"},
		{"line too long", openLine + strings.Repeat(" ", MaxLine+1) + "\n", 1, "line 3: a line is longer than"},
		{"line too long, unended", openLine + openLine + strings.Repeat(" ", MaxLine+10), 2, "line 4: a line is longer than"},
		// No Go in a message: JSON's words and the field's name as written.
		{"pid a string", strings.Replace(openLine, `"range"`, `"pid":"12","range"`, 1), 0, `line 2: field "pid" holds a string, not a whole number`},
		{"pid too big", strings.Replace(openLine, `"range"`, `"pid":99999999999,"range"`, 1), 0, `line 2: field "pid" holds the number 99999999999, not a whole number from -2147483648 to 2147483647`},
		{"stats sockets a list", `{"time":"2026-11-26T03:43:09Z","stats":{"sockets":[1]}}` + "\n", 0, `line 2: field "stats.sockets" holds an array, not a whole number`},
		{"existing a number", strings.Replace(openLine, `"range"`, `"existing":1,"range"`, 1), 0, `field "existing" holds a number, not true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := hdrLine
			if tt.name == "header without newline" {
				head = strings.TrimSuffix(hdrLine, "\n")
			}
			r, err := NewReader(iotest.OneByteReader(strings.NewReader(head + tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				e, err := r.Next()
				if err == io.EOF {
					if tt.bad != "" {
						t.Errorf("got io.EOF after %d events, want an error with %q", n, tt.bad)
					}
					break
				}
				if err != nil {
					if tt.bad == "" || !strings.Contains(err.Error(), tt.bad) {
						t.Errorf("error %v after %d events, want %q", err, n, tt.bad)
					}
					break
				}
				if e.Kind != sampler.Opened || e.Socket.Local.Port() != 60716 {
					t.Errorf("event %+v, want the open of port 60716", e)
				}
				n++
			}
			if n != tt.events {
				t.Errorf("read %d events, want %d", n, tt.events)
			}
		})
	}
}

func TestReaderPassesReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	r, err := NewReader(io.MultiReader(strings.NewReader(hdrLine+openLine), iotest.ErrReader(boom)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the read error", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(hdrLine + openLine))
	f.Add([]byte(hdrLine + `{"time":"2026-11-26T03:43:09Z","event":"close","proto":"udp","local":"[::1]:5","held_ms":9223372036854775807}` + "\n"))
	f.Add([]byte(hdrLine + `{"time":"x","stats":{"sockets":-1,"kernel_active_opens":1}}`))
	f.Add([]byte(`{"porttop":1,"ephemeral_range":[1]}` + "\n" + `{"event":"state","prev_state":"LISTEN"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			e, err := r.Next()
			if err != nil {
				return
			}
			// Whatever was read must write back out.
			if _, err := MarshalEvent(e, r.Header().Ephemeral); err != nil {
				t.Fatalf("read event %+v does not marshal: %v", e, err)
			}
		}
	})
}

// A recording made before owner_gone existed named a TIME_WAIT socket's last
// owner in pid and process; read back, it is the owner gone, as written now.
func TestOldRecordingTimeWaitOwnerIsGone(t *testing.T) {
	tw := `{"time":"2026-11-26T03:43:09Z","event":"state","proto":"tcp","local":"127.0.0.1:40001","remote":"127.0.0.1:8080","state":"TIME_WAIT","prev_state":"ESTABLISHED","pid":77,"process":"curl","range":"registered","os_ephemeral":true}` + "\n"
	held := strings.Replace(openLine, `"range"`, `"pid":78,"process":"curl","range"`, 1)
	r, err := NewReader(strings.NewReader(hdrLine + tw + held))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []bool{true, false} {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.Socket.Owner.Gone != want {
			t.Errorf("%s %s pid %d: OwnerGone %v, want %v", e.Kind, e.Socket.State, e.Socket.PID, e.Socket.Owner.Gone, want)
		}
	}
}
