package record

import (
	"bytes"
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

var (
	linuxRange = ports.Range{Lo: 32768, Hi: 60999}
	t0         = time.Date(2026, 11, 26, 3, 43, 9, 123456789, time.UTC)
)

func sock(proto sampler.Proto, local, remote string, st sampler.State, pid int32, proc string, uid int32) sampler.Socket {
	s := sampler.Socket{ID: sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(local)}, State: st, Owner: sampler.Owner{PID: pid, Process: proc, UID: uid}}
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

func TestGoldenLines(t *testing.T) {
	hdr := Header{OS: "linux", Ephemeral: linuxRange, Interval: time.Second}
	tests := []struct {
		name string
		ev   sampler.Event
		want string
	}{
		{"open with owner", sampler.Event{Kind: sampler.Opened, Time: t0, Socket: sock(sampler.TCP, "127.0.0.1:60716", "127.0.0.1:8080", sampler.StateEstablished, 123, "curl", 1000)},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"open","proto":"tcp","local":"127.0.0.1:60716","remote":"127.0.0.1:8080","state":"ESTABLISHED","pid":123,"process":"curl","uid":1000,"range":"dynamic","os_ephemeral":true}`},
		{"existing listener, owner unknown", sampler.Event{Kind: sampler.Opened, Time: t0, Existing: true, Socket: sock(sampler.TCP, "0.0.0.0:22", "0.0.0.0:0", sampler.StateListen, 0, "", -1)},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"open","proto":"tcp","local":"0.0.0.0:22","remote":"0.0.0.0:0","state":"LISTEN","range":"well-known","os_ephemeral":false,"existing":true}`},
		{"state change", sampler.Event{Kind: sampler.StateChanged, Time: t0, PrevState: sampler.StateSynSent, Socket: sock(sampler.TCP, "[::1]:50000", "[::1]:443", sampler.StateEstablished, 7, "a\"b", 0)},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"state","proto":"tcp","local":"[::1]:50000","remote":"[::1]:443","state":"ESTABLISHED","prev_state":"SYN_SENT","pid":7,"process":"a\"b","uid":0,"range":"dynamic","os_ephemeral":true}`},
		{"close seen at end, udp, no remote", sampler.Event{Kind: sampler.Closed, Time: t0.Add(time.Second), Held: 1200 * time.Millisecond, SeenAtEnd: true, Socket: sock(sampler.UDP, "127.0.0.1:5353", "", sampler.StateNone, 0, "", -1)},
			`{"time":"2026-11-26T03:43:10.123456789Z","event":"close","proto":"udp","local":"127.0.0.1:5353","range":"registered","os_ephemeral":false,"held_ms":1200,"seen_at_end":true}`},
		{"close stamped after it happened", sampler.Event{Kind: sampler.Closed, Time: t0, Happened: t0.Add(-4 * time.Millisecond), Held: 250 * time.Millisecond, Socket: sock(sampler.TCP, "127.0.0.1:40000", "127.0.0.1:8080", sampler.StateEstablished, 0, "", -1)},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"close","proto":"tcp","local":"127.0.0.1:40000","remote":"127.0.0.1:8080","state":"ESTABLISHED","range":"registered","os_ephemeral":true,"held_ms":250,"happened":"2026-11-26T03:43:09.119456789Z"}`},
		{"Happened equal to Time is not written", sampler.Event{Kind: sampler.Opened, Time: t0, Happened: t0, Socket: sock(sampler.UDP, "127.0.0.1:5353", "", sampler.StateNone, 0, "", -1)},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"open","proto":"udp","local":"127.0.0.1:5353","range":"registered","os_ephemeral":false}`},
		{"TIME_WAIT close names its last owner", sampler.Event{Kind: sampler.Closed, Time: t0, Held: time.Minute, Socket: func() sampler.Socket {
			s := sock(sampler.TCP, "127.0.0.1:40002", "127.0.0.1:8080", sampler.StateTimeWait, 77, "curl", 1000)
			s.Owner.Gone = true
			return s
		}()},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"close","proto":"tcp","local":"127.0.0.1:40002","remote":"127.0.0.1:8080","state":"TIME_WAIT","pid":77,"process":"curl","uid":1000,"range":"registered","os_ephemeral":true,"held_ms":60000,"owner_gone":true}`},
		{"close held under a millisecond", sampler.Event{Kind: sampler.Closed, Time: t0, Held: 300 * time.Microsecond, Socket: sock(sampler.TCP, "127.0.0.1:1", "127.0.0.1:2", sampler.StateTimeWait, 0, "", -1)},
			`{"time":"2026-11-26T03:43:09.123456789Z","event":"close","proto":"tcp","local":"127.0.0.1:1","remote":"127.0.0.1:2","state":"TIME_WAIT","range":"well-known","os_ephemeral":false,"held_ms":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, hdr)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write([]sampler.Event{tt.ev}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("got %d lines, want header + 1:\n%s", len(lines), buf.String())
			}
			if lines[1] != tt.want {
				t.Errorf("line\n got %s\nwant %s", lines[1], tt.want)
			}
		})
	}
}

func TestGoldenHeaderAndStats(t *testing.T) {
	b, err := MarshalHeader(Header{OS: "linux", Ephemeral: linuxRange, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"porttop":1,"os":"linux","ephemeral_range":[32768,60999],"interval_ms":1000}`; string(b) != want {
		t.Errorf("header\n got %s\nwant %s", b, want)
	}
	b, _ = MarshalHeader(Header{OS: "darwin", Ephemeral: ports.Range{Lo: 49152, Hi: 65535}, Host: "web1", Started: t0, Source: "gopsutil", Filter: "port 80"})
	if want := `{"porttop":1,"os":"darwin","ephemeral_range":[49152,65535],"interval_ms":0,"host":"web1","started":"2026-11-26T03:43:09.123456789Z","source":"gopsutil","filter":"port 80"}`; string(b) != want {
		t.Errorf("full header\n got %s\nwant %s", b, want)
	}
	b, _ = MarshalStats(Stats{Time: t0, Sockets: 42, ReportedOpens: 7, ReportedTCP: 6, Dropped: 1, Kernel: &KernelOpens{Active: 5, Passive: 2}})
	if want := `{"time":"2026-11-26T03:43:09.123456789Z","stats":{"sockets":42,"reported_opens":7,"reported_tcp_opens":6,"dropped":1,"kernel_active_opens":5,"kernel_passive_opens":2}}`; string(b) != want {
		t.Errorf("stats\n got %s\nwant %s", b, want)
	}
	b, _ = MarshalStats(Stats{Time: t0, Sockets: 3})
	if want := `{"time":"2026-11-26T03:43:09.123456789Z","stats":{"sockets":3,"reported_opens":0,"reported_tcp_opens":0,"dropped":0}}`; string(b) != want {
		t.Errorf("stats without kernel\n got %s\nwant %s", b, want)
	}
}

func TestRoundTrip(t *testing.T) {
	hdr := Header{OS: "linux", Ephemeral: linuxRange, Interval: 250 * time.Millisecond, Host: "h", Started: t0, Source: "netlink"}
	events := []sampler.Event{
		{Kind: sampler.Opened, Time: t0, Existing: true, Socket: sock(sampler.TCP, "0.0.0.0:22", "0.0.0.0:0", sampler.StateListen, 1, "sshd", 0)},
		{Kind: sampler.Opened, Time: t0.Add(time.Millisecond), Socket: sock(sampler.TCP, "[::1]:40000", "[::1]:22", sampler.StateSynSent, 0, "", -1)},
		{Kind: sampler.StateChanged, Time: t0.Add(2 * time.Millisecond), PrevState: sampler.StateSynSent, Socket: sock(sampler.TCP, "[::1]:40000", "[::1]:22", sampler.StateEstablished, 0, "", -1)},
		{Kind: sampler.Closed, Time: t0.Add(3 * time.Second), Held: 2999 * time.Millisecond, Socket: sock(sampler.TCP, "[::1]:40000", "[::1]:22", sampler.StateTimeWait, 0, "", -1)},
		{Kind: sampler.Opened, Time: t0.Add(4 * time.Second), Socket: sock(sampler.UDP, "127.0.0.1:53000", "", sampler.StateNone, 99, "dig", 1000)},
		{Kind: sampler.Closed, Time: t0.Add(5 * time.Second), SeenAtEnd: true, Held: time.Second, Socket: sock(sampler.UDP, "127.0.0.1:53000", "", sampler.StateNone, 99, "dig", 1000)},
		{Kind: sampler.StateChanged, Time: t0.Add(7 * time.Second), PrevState: sampler.StateEstablished, Socket: func() sampler.Socket {
			s := sock(sampler.TCP, "127.0.0.1:40003", "127.0.0.1:22", sampler.StateFinWait2, 5, "ssh", 1000)
			s.Owner.Gone = true
			return s
		}()},
		// Stamped 3 ms after it happened, to keep the stream in order: its
		// open was held before it happened, not before its stamp.
		{Kind: sampler.Closed, Time: t0.Add(6 * time.Second), Happened: t0.Add(6*time.Second - 3*time.Millisecond), Held: 500 * time.Millisecond, Socket: sock(sampler.TCP, "127.0.0.1:40001", "127.0.0.1:22", sampler.StateEstablished, 0, "", -1)},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, hdr)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(events[:3]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteStats(Stats{Time: t0.Add(time.Second), Sockets: 2, ReportedOpens: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(events[3:]); err != nil {
		t.Fatal(err)
	}
	if got := w.Lines(); got != 9 {
		t.Errorf("Lines() = %d, want 9", got)
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header(); !reflect.DeepEqual(got, hdr) {
		t.Errorf("header = %+v, want %+v", got, hdr)
	}
	for i, want := range events {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		// Since is derived, not stored: an open when it happened, a close
		// held before it happened.
		switch want.Kind {
		case sampler.Opened:
			want.Socket.Since = sampler.StampOf(want.When())
		case sampler.Closed:
			want.Socket.Since = sampler.StampOf(want.When().Add(-want.Held))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last event: %v, want io.EOF", err)
	}
	if s := r.LastStats(); s == nil || s.Sockets != 2 || s.ReportedOpens != 1 || s.Kernel != nil {
		t.Errorf("LastStats = %+v, want the stats line", s)
	}
}

func TestWriterSkipsMalformedEvents(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Header{OS: "linux"})
	bad := []sampler.Event{
		{Kind: 0, Time: t0, Socket: sock(sampler.TCP, "127.0.0.1:1", "", 0, 0, "", -1)},
		{Kind: sampler.Opened, Time: t0},
		{Kind: sampler.Opened, Time: t0, Socket: sock(sampler.TCP, "127.0.0.1:2", "", 0, 0, "", -1)},
	}
	if err := w.Write(bad); err != nil {
		t.Fatal(err)
	}
	if got := w.Lines(); got != 1 {
		t.Errorf("wrote %d lines, want only the well-formed event:\n%s", got, buf.String())
	}
}

func TestBufferedWriterFlushes(t *testing.T) {
	pr, pw := io.Pipe()
	w, err := func() (*Writer, error) {
		ch := make(chan error, 1)
		var w *Writer
		go func() { var err error; w, err = NewWriter(pw, Header{OS: "linux"}); ch <- err }()
		r := make([]byte, 4096)
		if _, err := pr.Read(r); err != nil {
			return nil, err
		}
		return w, <-ch
	}()
	if err != nil {
		t.Fatal(err)
	}
	w.FlushEvery(10 * time.Millisecond)
	ev := sampler.Event{Kind: sampler.Opened, Time: t0, Socket: sock(sampler.TCP, "127.0.0.1:2", "", 0, 0, "", -1)}
	if err := w.Write([]sampler.Event{ev}); err != nil { // buffered: returns before the pipe is read
		t.Fatal(err)
	}
	// The timer flushes it without another Write; the read blocks until then.
	got := make([]byte, 4096)
	n, err := pr.Read(got)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got[:n]), `"local":"127.0.0.1:2"`) {
		t.Errorf("flushed %q, want the event line", got[:n])
	}
	pr.Close()
	if err := w.Write([]sampler.Event{ev}); err != nil {
		t.Fatal(err) // still buffered; the error comes with the flush
	}
	if err := w.Close(); err == nil {
		t.Error("Close after the reader went away: want an error")
	}
	if err := w.Write([]sampler.Event{ev}); err == nil {
		t.Error("Write after a failed flush: want the error again")
	}
}

// Failed hand-out lines written by a Writer read back, summed, while the
// events around them still read.
func TestFailureLinesRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{OS: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 4, 17, 21, 0, time.UTC)
	dest := netip.MustParseAddrPort("127.0.0.1:9400")
	if err := w.WriteFailures([]sampler.FailureCount{
		{Last: at, Op: sampler.FailedConnect, Errno: 99, Addr: dest, Process: "python3", PID: 5959, Count: 189},
		{Last: at, Op: sampler.FailedConnect, Errno: 99, Count: 3, Other: true},
		{Last: at.Add(time.Second), Op: sampler.FailedBind, Errno: 98, Addr: netip.MustParseAddrPort("0.0.0.0:0"), Process: "nc", PID: 6, UID: 1000, Count: 2},
	}); err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-11-26T04:17:21Z","connect_failed":{"count":189,"errno":"EADDRNOTAVAIL","process":"python3","pid":5959,"uid":0,"address":"127.0.0.1:9400"}}`
	if !strings.Contains(buf.String(), want+"\n") {
		t.Errorf("stream\n%s\nlacks\n%s", buf.String(), want)
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next = %v, want io.EOF (failure lines are no events)", err)
	}
	f := r.Failures()
	if f.Connects != 192 || f.Binds != 2 || f.ByDest[sampler.FailedDest{Addr: dest}] != 189 || f.Latest.Process != "nc" || f.Latest.UID != 1000 {
		t.Errorf("read back %+v", f)
	}
}

// A failure line of a namespace's callers carries the namespace (netns,
// netns_name) and reads back with it; one without a namespace, and an
// overflow line, write neither field: the line only gains fields.
func TestFailureLineNamesItsNamespace(t *testing.T) {
	at := time.Date(2026, 11, 26, 4, 17, 21, 0, time.UTC)
	dest := netip.MustParseAddrPort("10.0.0.9:5432")
	for _, tc := range []struct {
		g    sampler.FailureCount
		want string
	}{
		{sampler.FailureCount{Last: at, Op: sampler.FailedConnect, Errno: 99, Addr: dest, Process: "curl", PID: 7, Count: 10, Netns: 4026532238, NetnsName: "blue"},
			`{"time":"2026-11-26T04:17:21Z","connect_failed":{"count":10,"errno":"EADDRNOTAVAIL","process":"curl","pid":7,"uid":0,"address":"10.0.0.9:5432","netns":4026532238,"netns_name":"blue"}}`},
		{sampler.FailureCount{Last: at, Op: sampler.FailedBind, Errno: 98, Process: "nc", PID: 8, Count: 1, Netns: 4026532300},
			`{"time":"2026-11-26T04:17:21Z","bind_failed":{"count":1,"errno":"EADDRINUSE","process":"nc","pid":8,"uid":0,"netns":4026532300}}`},
		{sampler.FailureCount{Last: at, Op: sampler.FailedConnect, Errno: 99, Addr: dest, Process: "curl", PID: 7, Count: 1},
			`{"time":"2026-11-26T04:17:21Z","connect_failed":{"count":1,"errno":"EADDRNOTAVAIL","process":"curl","pid":7,"uid":0,"address":"10.0.0.9:5432"}}`},
		{sampler.FailureCount{Last: at, Op: sampler.FailedConnect, Errno: 99, Count: 3, Other: true, Netns: 4026532238},
			`{"time":"2026-11-26T04:17:21Z","connect_failed":{"count":3,"errno":"EADDRNOTAVAIL","other":true}}`},
	} {
		b, err := MarshalFailure(tc.g)
		if err != nil || string(b) != tc.want {
			t.Errorf("MarshalFailure(%+v) =\n%s, %v; want\n%s", tc.g, b, err, tc.want)
			continue
		}
		r, err := NewReader(strings.NewReader(`{"porttop":1,"os":"linux"}` + "\n" + string(b) + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("Next = %v", err)
		}
		if l := r.Failures().Latest; l.Netns != tc.g.Netns && !tc.g.Other || l.NetnsName != tc.g.NetnsName {
			t.Errorf("%s read back as netns %d %q", b, l.Netns, l.NetnsName)
		}
	}
}
