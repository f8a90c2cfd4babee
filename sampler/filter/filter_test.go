package filter

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

var linuxEphemeral = ports.Range{Lo: 32768, Hi: 60999}

func sock(proto sampler.Proto, local, remote string, state sampler.State, pid int32, proc string) sampler.Socket {
	s := sampler.Socket{ID: sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(local)}, State: state, Owner: sampler.Owner{PID: pid, Process: proc, UID: -1}}
	switch proc {
	case "sshd":
		s.UID = 0
	case "curl":
		s.UID = 1000
	}
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

var (
	sshListen   = sock(sampler.TCP, "0.0.0.0:22", "0.0.0.0:0", sampler.StateListen, 812, "sshd")
	curlToHTTPS = sock(sampler.TCP, "10.0.0.5:60716", "93.184.216.34:443", sampler.StateEstablished, 4242, "curl")
	timeWait    = sock(sampler.TCP, "127.0.0.1:40000", "127.0.0.1:8080", sampler.StateTimeWait, 0, "")
	dnsUDP      = sock(sampler.UDP, "127.0.0.53:53", "", sampler.StateNone, 600, "systemd-resolved")
	highLocal   = sock(sampler.TCP, "[::1]:62000", "[::1]:5432", sampler.StateEstablished, 77, "Postgres")
	allSockets  = []sampler.Socket{sshListen, curlToHTTPS, timeWait, dnsUDP, highLocal}
	socketNames = []string{"sshListen", "curlToHTTPS", "timeWait", "dnsUDP", "highLocal"}
)

func TestMatch(t *testing.T) {
	cases := []struct {
		filter string
		want   []string // names of matching sockets
	}{
		{"", socketNames},
		{"   ", socketNames},
		{"22", []string{"sshListen"}},
		{"443", []string{"curlToHTTPS"}},        // remote side
		{"60716", []string{"curlToHTTPS"}},      // local side
		{"port:60716", []string{"curlToHTTPS"}}, //
		{":8080", []string{"timeWait"}},         //
		{"0", nil},                              // remote 0 is no remote end
		{"0-1023", []string{"sshListen", "curlToHTTPS", "dnsUDP"}},
		{"22,53", []string{"sshListen", "dnsUDP"}},
		{"60716 443", []string{"curlToHTTPS"}},            // ANDed: this connection
		{"22 443", nil},                                   // ANDed: no such connection
		{"well-known", []string{"sshListen", "dnsUDP"}},   // local only
		{"registered", []string{"timeWait"}},              //
		{"dynamic", []string{"curlToHTTPS", "highLocal"}}, //
		{"ephemeral", []string{"curlToHTTPS", "timeWait"}},
		{"ephemeral 443", []string{"curlToHTTPS"}},
		{"udp", []string{"dnsUDP"}},
		{"TCP udp", socketNames}, // ORed within a kind
		{"listen", []string{"sshListen"}},
		{"time-wait", []string{"timeWait"}},
		{"TIME_WAIT", []string{"timeWait"}},
		{"timewait", []string{"timeWait"}},
		{"listen established", []string{"sshListen", "curlToHTTPS", "highLocal"}},
		{"established tcp dynamic", []string{"curlToHTTPS", "highLocal"}},
		{"pid:812", []string{"sshListen"}},
		{"pid:0", []string{"timeWait"}},
		{"pid:812 pid:600", []string{"sshListen", "dnsUDP"}},
		{"curl", []string{"curlToHTTPS"}},
		{"POSTGRES", []string{"highLocal"}}, // any case
		{"proc:res", []string{"highLocal", "dnsUDP"}},
		{"process:sshd", []string{"sshListen"}},
		{"sshd curl", []string{"sshListen", "curlToHTTPS"}},
		{"sshd 443", nil},
		{"none", []string{"dnsUDP"}},
		{"state:listen proto:tcp", []string{"sshListen"}},
		{"uid:1000", []string{"curlToHTTPS"}},
		{"uid:0 uid:1000", []string{"sshListen", "curlToHTTPS"}},
		{"127.0.0.1", []string{"timeWait"}},
		{"127.0.0.53", []string{"dnsUDP"}},
		{"93.184.216.34", []string{"curlToHTTPS"}}, // remote side
		{"0.0.0.0", []string{"sshListen"}},         // local only: the remote 0.0.0.0:0 is no remote end
		{"::1", []string{"highLocal"}},
		{"[::1]", []string{"highLocal"}},           // bracketed, as beside a port
		{"::ffff:127.0.0.1", []string{"timeWait"}}, // unmapped like the sources
		{"127.0.0.0/8", []string{"timeWait", "dnsUDP"}},
		{"10.0.0.9/8", []string{"curlToHTTPS"}},
		{"::/0", []string{"highLocal"}},
		{"127.0.0.1:8080", []string{"timeWait"}},
		{"127.0.0.1:40000", []string{"timeWait"}},
		{"127.0.0.1:53", nil}, // address and port must be on the same side
		{"[::1]:5432", []string{"highLocal"}},
		{"!time-wait", []string{"sshListen", "curlToHTTPS", "dnsUDP", "highLocal"}},
		{"!listen !time-wait tcp", []string{"curlToHTTPS", "highLocal"}},
		{"!udp", []string{"sshListen", "curlToHTTPS", "timeWait", "highLocal"}},
		{"!curl established", []string{"highLocal"}},
		{"!443", []string{"sshListen", "timeWait", "dnsUDP", "highLocal"}},
		{"!ephemeral !well-known", []string{"highLocal"}},
	}
	for _, c := range cases {
		f, err := Parse(c.filter, linuxEphemeral)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.filter, err)
			continue
		}
		var got []string
		for i := range allSockets {
			if f.Match(&allSockets[i]) {
				got = append(got, socketNames[i])
			}
		}
		if !sameSet(got, c.want) {
			t.Errorf("%q matched %v, want %v", c.filter, got, c.want)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ in, wantSub string }{
		{"70000", `filter term "70000": port "70000" is out of range: ports are 0-65535`},
		{"+80", `filter term "+80": port "+80" has a sign: write it alone, like 80`},
		{"port:+22", `port "+22" has a sign`},
		{"127.0.0.1:+22", `port "+22" has a sign`},
		{"pid:x", `filter term "pid:x": pid:x is not a process id`},
		{"pid:-3", `is not a process id`},
		{"pid:99999999999", `is not a process id`},
		{"9-3", `range "9-3" is backwards`},
		{"tcp 9-3", `filter term "9-3"`},
		{"22,,80", "empty item"},
		{"22,", "empty item"},
		{"-", "needs a port on each side"},
		{"port:", "no port given"},
		{":", "no port given"},
		{"port:http", `port "http" is not a number`},
		{"proc:", "needs a name"},
		{"host:80", `unknown prefix "host:"`},
		{"PID:1x", "pid:1x is not a process id"},
		{"uid:me", "uid:me is not a user id"},
		{"proto:icmp", "proto:icmp is not tcp or udp"},
		{"state:", "state: is not a socket state"},
		{"state:open", "state:open is not a socket state"},
		{"!", "! must be followed by one term"},
		{"!!tcp", "! must be followed by one term"},
		{"!70000", `port "70000" is out of range`},
		{"1.2.3.4:70000", `filter term "1.2.3.4:70000": port "70000" is out of range: ports are 0-65535`},
		{"127.0.0.1:99999", `port "99999" is out of range`},
		{"[::1]:99999", `port "99999" is out of range`},
		{"[::1]:x", `port "x" is not a number`},
		{"1.2.3.4:", "empty port"},
		{"10.0.0.0/99", `filter term "10.0.0.0/99": not an address or network (prefix length 99 > 32)`},
		{"::/129", "not an address or network (prefix length 129 > 128)"},
		{"10.0.0.0/x", `not an address or network (prefix length "x" is not a number)`},
		{"10.0.0.0/", "not an address or network (no prefix length after the /)"},
		{"10.0.0.0/-1", "not an address or network"},
		{"300.1.1.1/8", "not an address or network (IPv4 field has value >255)"},
		{"300.1.1.1", "not an address (IPv4 field has value >255)"},
		{"1.2.3", "not an address"},
		{"10.0.0", "not an address"},
		{"1..2", "not an address"},
		{"[::1", "not an address: the [ has no closing ]"},
		{"[1.2.3.4]", "write an IPv4 address without brackets"},
		{"[1.2.3.4]:80", "write an IPv4 address without brackets"},
		{"fe80:::1", "not an address"},
		{"fe80::1%eth0/64", "not an address or network (a network takes no %zone)"},
		{"[fe80::1%eth0/64]:22", "not an address"},
		{"1:2:3", "not an address"},
		{"!300.1.1.1", "not an address"},
		{"tcp 10.0.0.0/33", `filter term "10.0.0.0/33"`},
	}
	for _, c := range cases {
		f, err := Parse(c.in, linuxEphemeral)
		if err == nil {
			t.Errorf("Parse(%q) accepted it as %q", c.in, f)
			continue
		}
		if !strings.Contains(err.Error(), c.wantSub) {
			t.Errorf("Parse(%q) error %q, want it to contain %q", c.in, err, c.wantSub)
		}
		if !strings.Contains(err.Error(), "terms are a port") {
			t.Errorf("Parse(%q) error does not say what is accepted: %q", c.in, err)
		}
	}
}

// Terms that are not addresses stay process names, however near they come.
func TestNamesThatAreNotAddresses(t *testing.T) {
	for _, name := range []string{"kworker/0", "python3.11", "php-fpm7.4", "a.b", "x/8", "deadbeef", "1.2.3.4-5", "v1.2", "node.js"} {
		if looksLikeAddress(name) {
			t.Errorf("%q looks like an address; it is a plausible process name", name)
		}
		f, err := Parse(name, linuxEphemeral)
		if err != nil || f.String() != "proc:"+strings.ToLower(name) {
			t.Errorf("Parse(%q) = %q, %v; want a process name", name, f, err)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	cases := map[string]string{
		"":                          "",
		"60716":                     "60716",
		"port:22 :80":               "22 80",
		"TCP Time_Wait ephemeral":   "ephemeral tcp time-wait",
		"wellknown 1-5,9 pid:3 Foo": "well-known 1-5,9 pid:3 proc:foo",
		"proc:tcp listen":           "listen proc:tcp",
		"new_syn_recv none":         "new-syn-recv none",
		"!TIME_WAIT ::FFFF:10.1.2.3 [fe80::1%eth0]:22 10.9.8.7/8 uid:0 state:listen proto:UDP": "10.1.2.3 [fe80::1]:22 10.0.0.0/8 udp listen uid:0 !time-wait",
	}
	for in, want := range cases {
		f, err := Parse(in, linuxEphemeral)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if f.String() != want {
			t.Errorf("Parse(%q).String() = %q, want %q", in, f.String(), want)
		}
		back, err := Parse(f.String(), linuxEphemeral)
		if err != nil || !reflect.DeepEqual(back, f) {
			t.Errorf("%q did not round trip: %+v vs %+v (%v)", in, back, f, err)
		}
	}
}

func TestSinglePortAndIsZero(t *testing.T) {
	cases := []struct {
		in     string
		port   uint16
		single bool
	}{
		{"60716", 60716, true},
		{"port:22", 22, true},
		{":0", 0, true},
		{"22-22", 22, true},
		{"22-23", 0, false},
		{"22,80", 0, false},
		{"22 tcp", 0, false},
		{"22 80", 0, false},
		{"ephemeral", 0, false},
		{"", 0, false},
		{"curl", 0, false},
		{"22 !tcp", 0, false},
		{"127.0.0.1:22", 0, false},
	}
	for _, c := range cases {
		f, err := Parse(c.in, linuxEphemeral)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := f.SinglePort()
		if p != c.port || ok != c.single {
			t.Errorf("%q.SinglePort() = %d, %v; want %d, %v", c.in, p, ok, c.port, c.single)
		}
		if f.IsZero() != (c.in == "") {
			t.Errorf("%q.IsZero() = %v", c.in, f.IsZero())
		}
	}
	var zero Filter
	if !zero.IsZero() || zero.String() != "" || !zero.Match(&curlToHTTPS) {
		t.Error("the zero Filter must match everything")
	}
}

func TestQuery(t *testing.T) {
	cases := []struct {
		in   string
		want sampler.Query
	}{
		{"", sampler.Query{}},
		{"curl pid:4", sampler.Query{}},
		{"60716", sampler.Query{Ports: []sampler.PortRange{{Lo: 60716, Hi: 60716}}}},
		{"ephemeral 443 tcp", sampler.Query{Protos: []sampler.Proto{sampler.TCP}, Ports: []sampler.PortRange{{Lo: 443, Hi: 443}}}},
		{"ephemeral", sampler.Query{Ports: []sampler.PortRange{{Lo: 32768, Hi: 60999}}}},
		{"!time-wait", sampler.Query{}}, // states are never sent
		{"listen established !listen", sampler.Query{}},
		{"!udp 127.0.0.1", sampler.Query{Protos: []sampler.Proto{sampler.TCP}}},
		{"tcp !tcp", sampler.Query{}},
		{"!22 443", sampler.Query{Ports: []sampler.PortRange{{Lo: 443, Hi: 443}}}},
		{"22,80 listen time-wait", sampler.Query{
			Ports: []sampler.PortRange{{Lo: 22, Hi: 22}, {Lo: 80, Hi: 80}},
		}},
	}
	for _, c := range cases {
		f, err := Parse(c.in, linuxEphemeral)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Query(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q.Query() = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestMatchEvent(t *testing.T) {
	f, err := Parse("established", linuxEphemeral)
	if err != nil {
		t.Fatal(err)
	}
	leaving := sampler.Event{Kind: sampler.StateChanged, Socket: curlToHTTPS, PrevState: sampler.StateEstablished}
	leaving.Socket.State = sampler.StateFinWait1
	closedTW := sampler.Event{Kind: sampler.Closed, Socket: timeWait}
	opened := sampler.Event{Kind: sampler.Opened, Socket: curlToHTTPS}
	entering := sampler.Event{Kind: sampler.StateChanged, Socket: timeWait, PrevState: sampler.StateFinWait2}
	cases := []struct {
		name string
		e    sampler.Event
		want bool
	}{
		{"leaving established", leaving, true},
		{"closed from time-wait", closedTW, false},
		{"opened established", opened, true},
		{"fin-wait2 to time-wait", entering, false},
	}
	for _, c := range cases {
		if got := f.MatchEvent(&c.e); got != c.want {
			t.Errorf("%s: MatchEvent = %v, want %v", c.name, got, c.want)
		}
	}
	tw, _ := Parse("time-wait", linuxEphemeral)
	if !tw.MatchEvent(&entering) || !tw.MatchEvent(&closedTW) || tw.MatchEvent(&opened) {
		t.Error("time-wait filter on events")
	}
}

func BenchmarkMatch(b *testing.B) {
	f, err := Parse("ephemeral tcp established curl", linuxEphemeral)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		f.Match(&allSockets[i%len(allSockets)])
	}
}
