package explain

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/history"
	"github.com/porttop/porttop/sampler/ports"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

var (
	now     = time.Date(2026, 11, 26, 12, 5, 0, 0, time.UTC)
	started = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	linux   = ports.Range{Lo: 32768, Hi: 60999}
)

const goldenWidth = 72

func init() {
	lookupUser = func(uid int32) string {
		if uid == 1000 {
			return "alice"
		}
		return ""
	}
}

func base(port uint16) Input {
	return Input{Port: port, OS: "linux", Ephemeral: linux,
		EphemeralSource: "/proc/sys/net/ipv4/ip_local_port_range", Now: now, Started: started}
}

func inUseCase() Input {
	in := base(60716)
	in.Proto = sampler.TCP
	in.Live = true
	curl := sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.MustParseAddrPort("10.0.0.5:60716"),
			Remote: netip.MustParseAddrPort("93.184.216.34:443")},
		State: sampler.StateEstablished,
		Owner: sampler.Owner{PID: 4242, Process: "curl", UID: 1000},
		Since: sampler.StampOf(now.Add(-125 * time.Second)),
	}
	tw := sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.MustParseAddrPort("127.0.0.1:5432"),
			Remote: netip.MustParseAddrPort("127.0.0.1:60716")},
		State: sampler.StateTimeWait,
		Owner: sampler.Owner{UID: -1},
	}
	in.Sockets = []sampler.Socket{curl, tw}
	tr := history.NewTracker(16)
	prev := curl
	prev.Remote = netip.MustParseAddrPort("140.82.112.3:443")
	prev.PID, prev.Process = 4100, "git-remote-http"
	prev.Since = sampler.StampOf(started.Add(30 * time.Second))
	prevTW := prev
	prevTW.State = sampler.StateTimeWait
	cur := curl
	tr.Observe([]sampler.Event{
		{Kind: sampler.Opened, Time: prev.Since.Time(), Socket: prev},
		{Kind: sampler.StateChanged, Time: started.Add(95 * time.Second), Socket: prevTW, PrevState: sampler.StateEstablished},
		{Kind: sampler.Closed, Time: started.Add(155 * time.Second), Socket: prevTW, Held: 125 * time.Second},
		{Kind: sampler.Opened, Time: cur.Since.Time(), Socket: cur},
	})
	h := tr.Port(sampler.TCP, 60716)
	in.History = &h
	return in
}

// serverCase: a listener porttop saw start, and three connections it
// accepted, each from a client's own ephemeral port.
func serverCase() Input {
	in := base(8766)
	in.Proto = sampler.TCP
	in.Live = true
	listener := sampler.Socket{
		ID:    sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("127.0.0.1:8766"), Remote: netip.MustParseAddrPort("0.0.0.0:0")},
		State: sampler.StateListen,
		Owner: sampler.Owner{PID: 3100, Process: "python3", UID: 1000},
		Since: sampler.StampOf(started.Add(10 * time.Second)),
	}
	in.Sockets = []sampler.Socket{listener}
	tr := history.NewTracker(16)
	tr.Observe([]sampler.Event{{Kind: sampler.Opened, Time: listener.Since.Time(), Socket: listener}})
	for i, client := range []string{"127.0.0.1:41000", "127.0.0.1:41002", "127.0.0.1:41004"} {
		conn := listener
		conn.Remote, conn.State = netip.MustParseAddrPort(client), sampler.StateEstablished
		conn.Since = sampler.StampOf(started.Add(time.Duration(60+30*i) * time.Second))
		closed := conn.Since.Time().Add(2 * time.Second)
		tr.Observe([]sampler.Event{{Kind: sampler.Opened, Time: conn.Since.Time(), Socket: conn}})
		tr.Observe([]sampler.Event{{Kind: sampler.Closed, Time: closed, Socket: conn, Held: 2 * time.Second}})
	}
	h := tr.Port(sampler.TCP, 8766)
	in.History = &h
	return in
}

func TestGolden(t *testing.T) {
	cases := map[string]Input{}
	for _, p := range []uint16{22, 443, 60716, 0, 49151, 49152, 65535} {
		in := base(p)
		if p == 443 {
			in.Proto = sampler.TCP
		}
		cases[portName(p)] = in
	}
	cases["in_use_60716"] = inUseCase()
	free := base(60716)
	free.Live = true
	h := history.PortHistory{}
	free.History = &h
	cases["free_never_seen_60716"] = free
	cases["free_was_used_60716"] = wasUsedCase()
	cases["server_8766"] = serverCase()

	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			got := Text(in, goldenWidth)
			checkWidth(t, got, goldenWidth)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./ui/explain -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (rerun with -update after checking):\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}

func portName(p uint16) string {
	return "port_" + strings.TrimLeft(ports.Range{Lo: p, Hi: p}.String(), " ")
}

func checkWidth(t *testing.T, s string, width int) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > width {
			t.Errorf("line of %d > %d runes: %q", n, width, line)
		}
	}
}

func TestWidths(t *testing.T) {
	in := inUseCase()
	for _, w := range []int{1, 20, 33, 40, 57, 80, 200} {
		out := Text(in, w)
		checkWidth(t, out, max(w, minWidth))
		// Wrapping must not lose or change words.
		if got, want := strings.Join(strings.Fields(strings.ReplaceAll(out, "\n- ", " ")), " "),
			strings.Join(strings.Fields(strings.ReplaceAll(Text(in, 10000), "\n- ", " ")), " "); w >= 40 && got != want {
			t.Errorf("width %d changed the words:\n%s\nvs\n%s", w, got, want)
		}
	}
}

// The range statements come from the ranges, not from a fixed OS story.
func TestRangeStatements(t *testing.T) {
	cases := []struct {
		os      string
		r       ports.Range
		port    uint16
		want    []string
		notWant []string
	}{
		{"linux", linux, 65535, []string{
			"Linux on this machine hands out ports 32768-60999",
			"it can hand out registered ports 32768-49151 and it never uses 61000-65535 of the dynamic range",
			"Port 65535 is in IANA's dynamic range but outside this machine's ephemeral range",
		}, []string{"exactly"}},
		{"darwin", ports.Range{Lo: 49152, Hi: 65535}, 60716, []string{
			"macOS on this machine hands out ports 49152-65535", "That is exactly IANA's dynamic range.",
			"Port 60716 is inside that range, so macOS may hand it",
		}, []string{"never uses", "registered ports"}},
		{"freebsd", ports.Range{Lo: 10000, Hi: 65535}, 10080, []string{
			"it can hand out registered ports 10000-49151.",
			"Port 10080 is inside that range although IANA calls it registered",
		}, []string{"never uses"}},
		{"linux", ports.Range{Lo: 1000, Hi: 2000}, 50000, []string{
			"it can hand out well-known ports 1000-1023, it can hand out registered ports 1024-2000 and it never uses 49152-65535 of the dynamic range",
		}, nil},
		{"linux", ports.Range{Lo: 50000, Hi: 60000}, 22, []string{
			"it never uses 49152-49999 and 60001-65535 of the dynamic range",
			"Port 22 is outside that range, so Linux never hands it out by itself",
		}, nil},
	}
	for _, c := range cases {
		in := base(c.port)
		in.OS, in.Ephemeral, in.EphemeralSource = c.os, c.r, "test"
		out := strings.Join(strings.Fields(Text(in, 10000)), " ")
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s %v port %d: missing %q in\n%s", c.os, c.r, c.port, w, out)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(out, w) {
				t.Errorf("%s %v port %d: should not say %q", c.os, c.r, c.port, w)
			}
		}
	}
	in := base(80)
	in.Ephemeral, in.EphemeralSource = ports.Range{}, ""
	if out := Text(in, 80); !strings.Contains(out, "Ephemeral range: unknown") {
		t.Errorf("unknown range not said:\n%s", out)
	}
}

func TestNotLiveClaimsNothing(t *testing.T) {
	out := strings.Join(strings.Fields(Text(base(22), 80)), " ")
	if strings.Contains(out, "Now: port 22") || !strings.Contains(out, "cannot say whether port 22 is in use") {
		t.Errorf("not live but claims a state:\n%s", out)
	}
}

func TestManySocketsListedBriefly(t *testing.T) {
	in := base(443)
	in.Live = true
	for i := range 20 {
		in.Sockets = append(in.Sockets, sampler.Socket{
			ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("10.0.0.1:443"),
				Remote: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), uint16(40000+i))},
			State: sampler.StateEstablished,
			Owner: sampler.Owner{PID: 1, Process: "nginx", UID: 33},
		})
	}
	out := Text(in, 80)
	if !strings.Contains(out, "20 sockets hold it") || !strings.Contains(out, "and 12 more.") ||
		strings.Count(out, "nginx (pid 1") != maxSocketsListed {
		t.Errorf("busy port listing:\n%s", out)
	}
}

func TestWrapCutsLongWords(t *testing.T) {
	lines := wrap(strings.Repeat("x", 50)+" y", 20, "- ", "  ")
	want := []string{"- " + strings.Repeat("x", 18), "  " + strings.Repeat("x", 18), "  " + strings.Repeat("x", 14) + " y"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("got %q want %q", lines, want)
	}
}

// A port used and released earlier, whose detail was then evicted: the
// summary (count, last seen, by whom) must survive.
func wasUsedCase() Input {
	in := base(60716)
	in.Live = true
	tr := history.NewTracker(1)
	s := sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.MustParseAddrPort("10.0.0.5:60716"),
			Remote: netip.MustParseAddrPort("93.184.216.34:443")},
		State: sampler.StateEstablished,
		Owner: sampler.Owner{PID: 4242, Process: "curl", UID: 1000},
		Since: sampler.StampOf(started.Add(time.Minute)),
	}
	other := s
	other.Local = netip.MustParseAddrPort("10.0.0.5:40000")
	other.Since = sampler.StampOf(started.Add(3 * time.Minute))
	tr.Observe([]sampler.Event{
		{Kind: sampler.Opened, Time: s.Since.Time(), Socket: s},
		{Kind: sampler.Closed, Time: started.Add(184 * time.Second), Socket: s, Held: 124 * time.Second},
		{Kind: sampler.Opened, Time: other.Since.Time(), Socket: other}, // evicts 60716's detail
	})
	h := tr.Port(0, 60716)
	in.History = &h
	return in
}

// A socket with no process is hidden from an unprivileged user, but when
// porttop sees every process (root) no process it can see holds it: telling
// root to become root would be wrong.
func TestUnownedSocketAsRootAndNot(t *testing.T) {
	in := base(2024)
	in.Live = true
	in.Sockets = []sampler.Socket{{
		ID: sampler.ID{Proto: sampler.TCP,
			Local: netip.MustParseAddrPort("0.0.0.0:2024"), Remote: netip.MustParseAddrPort("0.0.0.0:0")},
		State: sampler.StateListen,
		Owner: sampler.Owner{UID: -1},
	}}
	flat := func(in Input) string { return strings.Join(strings.Fields(Text(in, 80)), " ") }
	if out := flat(in); !strings.Contains(out, "needs root") {
		t.Errorf("owners hidden: the text does not say how to see more:\n%s", out)
	}
	in.OwnersVisible = true
	if out := flat(in); strings.Contains(out, "needs root") || !strings.Contains(out, "no process whose files it can read holds the socket") {
		t.Errorf("owners visible: the text tells root to get root rights, or does not say why no owner:\n%s", out)
	}
	in.Recorded = true // a replay knows only what the recording says
	if out := flat(in); strings.Contains(out, "needs root") || strings.Contains(out, "can read") || !strings.Contains(out, "the recording does not name") {
		t.Errorf("replay: the text claims what only a live view could know:\n%s", out)
	}
}

// A connection its program closed, still finishing its shutdown, is held
// by no process: the sentence says who held it, not that it still has it.
func TestOwnerGoneSentence(t *testing.T) {
	in := base(40005)
	in.Live = true
	in.Sockets = []sampler.Socket{{
		ID: sampler.ID{Proto: sampler.TCP,
			Local: netip.MustParseAddrPort("127.0.0.1:40005"), Remote: netip.MustParseAddrPort("127.0.0.1:8080")},
		State: sampler.StateFinWait2,
		Owner: sampler.Owner{PID: 7, Process: "curl", UID: -1, Gone: true},
	}}
	out := strings.Join(strings.Fields(Text(in, 80)), " ")
	if !strings.Contains(out, "curl (pid 7) held a tcp connection") || !strings.Contains(out, "no process holds it now") {
		t.Errorf("FIN_WAIT2 orphan:\n%s", out)
	}
}
