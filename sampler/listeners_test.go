package sampler

import (
	"net/netip"
	"testing"
)

func listenerTestSocket(p Proto, st State, local, remote string) Socket {
	s := Socket{State: st}
	s.Proto = p
	s.Local = netip.MustParseAddrPort(local)
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

func TestListenersHandsOutPort(t *testing.T) {
	listen4 := listenerTestSocket(TCP, StateListen, "127.0.0.1:8080", "")
	listen6 := listenerTestSocket(TCP, StateListen, "[::1]:8080", "")
	any4 := listenerTestSocket(TCP, StateListen, "0.0.0.0:8080", "")
	any6 := listenerTestSocket(TCP, StateListen, "[::]:8080", "")
	any6only := any6
	any6only.V6Only = true
	accepted4 := listenerTestSocket(TCP, StateEstablished, "127.0.0.1:8080", "127.0.0.1:40000")
	accepted6 := listenerTestSocket(TCP, StateEstablished, "[::1]:8080", "[::1]:40001")
	client := listenerTestSocket(TCP, StateEstablished, "127.0.0.1:40000", "127.0.0.1:8080")
	udp := listenerTestSocket(UDP, StateNone, "127.0.0.1:8080", "")
	cases := []struct {
		name     string
		snapshot []Socket
		event    Socket
		kind     EventKind
		want     bool
	}{
		{"no listeners: every socket hands out", nil, accepted4, Opened, true},
		{"accepted open shares the listener's port", []Socket{listen4, accepted4, client}, accepted4, Opened, false},
		{"accepted close releases nothing", []Socket{listen4}, accepted4, Closed, false},
		{"accepted in TIME_WAIT still shares the port", []Socket{listen4}, listenerTestSocket(TCP, StateTimeWait, "127.0.0.1:8080", "127.0.0.1:40000"), Closed, false},
		{"client end hands out its port", []Socket{listen4, accepted4, client}, client, Opened, true},
		{"listener's own open counts", []Socket{listen4}, listen4, Opened, true},
		{"listener's own close counts", nil, listen4, Closed, true},
		{"IPv6 socket beside an IPv4 wildcard listener hands out", []Socket{any4}, accepted6, Opened, true},
		{"IPv4 accepted under an IPv4 wildcard listener", []Socket{any4}, accepted4, Opened, false},
		{"IPv4 accepted under a dual-stack listener", []Socket{any6}, accepted4, Opened, false},
		{"IPv6 accepted under a dual-stack listener", []Socket{any6}, accepted6, Opened, false},
		{"IPv4 socket beside an IPv6-only wildcard listener hands out", []Socket{any6only}, accepted4, Opened, true},
		{"IPv6 accepted under an IPv6-only wildcard listener", []Socket{any6only}, accepted6, Opened, false},
		{"IPv4-mapped accepted under an IPv4 listener", []Socket{listen4}, listenerTestSocket(TCP, StateEstablished, "[::ffff:127.0.0.1]:8080", "[::ffff:127.0.0.1]:40000"), Opened, false},
		{"IPv6 socket beside an IPv4-only listener hands out", []Socket{listen4}, accepted6, Opened, true},
		{"client bound to the port on another address hands out", []Socket{listen4}, listenerTestSocket(TCP, StateEstablished, "127.0.0.2:8080", "127.0.0.1:9000"), Opened, true},
		{"client on another address, listeners elsewhere too", []Socket{listen4, listenerTestSocket(TCP, StateListen, "127.0.0.3:8080", "")}, listenerTestSocket(TCP, StateEstablished, "127.0.0.2:8080", "127.0.0.1:9000"), Closed, true},
		{"second listener's address accepts", []Socket{listen4, listenerTestSocket(TCP, StateListen, "127.0.0.3:8080", "")}, listenerTestSocket(TCP, StateEstablished, "127.0.0.3:8080", "127.0.0.1:9000"), Closed, false},
		{"both families listening on the same port", []Socket{listen4, listen6}, accepted6, Opened, false},
		{"both families: the IPv6 listener counts", []Socket{listen4, listen6}, listen6, Opened, true},
		{"UDP on a TCP-listened port is untouched", []Socket{listen4}, udp, Opened, true},
		{"UDP socket does not make a listener", []Socket{listenerTestSocket(UDP, StateListen, "127.0.0.1:8080", "")}, accepted4, Opened, true},
		{"other port's listener does not matter", []Socket{listenerTestSocket(TCP, StateListen, "127.0.0.1:8081", "")}, accepted4, Opened, true},
		{"highest port 65535", []Socket{listenerTestSocket(TCP, StateListen, "127.0.0.1:65535", "")}, listenerTestSocket(TCP, StateEstablished, "127.0.0.1:65535", "127.0.0.1:1"), Opened, false},
	}
	var l Listeners // reused across cases: Reset must forget the previous snapshot
	for _, c := range cases {
		l.Reset(c.snapshot)
		e := Event{Kind: c.kind, Socket: c.event}
		if got := l.HandsOutPort(&e); got != c.want {
			t.Errorf("%s: HandsOutPort = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestListenersNilAndReset(t *testing.T) {
	var nilSet *Listeners
	e := Event{Kind: Opened, Socket: listenerTestSocket(TCP, StateEstablished, "127.0.0.1:8080", "127.0.0.1:40000")}
	if !nilSet.HandsOutPort(&e) {
		t.Error("nil Listeners: accepted-looking socket should count as a hand-out")
	}
	var l Listeners
	l.Reset([]Socket{listenerTestSocket(TCP, StateListen, "0.0.0.0:8080", "")})
	if !l.Listening(8080) || l.Listening(8081) || l.Listening(8079) {
		t.Errorf("Listening after Reset: 8080=%v 8079=%v 8081=%v", l.Listening(8080), l.Listening(8079), l.Listening(8081))
	}
	l.Reset(nil)
	if l.Listening(8080) {
		t.Error("Reset(nil) kept the previous snapshot's listener")
	}
}

func BenchmarkListenersReset(b *testing.B) {
	socks := make([]Socket, 0, 4096)
	for i := range 4096 {
		st := StateEstablished
		if i%64 == 0 {
			st = StateListen
		}
		socks = append(socks, listenerTestSocket(TCP, st, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(1024+i)).String(), ""))
	}
	var l Listeners
	b.ReportAllocs()
	for b.Loop() {
		l.Reset(socks)
	}
}

func TestListenersAddRemove(t *testing.T) {
	ap := netip.MustParseAddrPort
	ln := func(local string) *Socket {
		s := listenerTestSocket(TCP, StateListen, local, "")
		return &s
	}
	var l Listeners
	l.Add(ln("0.0.0.0:8080"))
	l.Add(ln("127.0.0.1:63"))
	l.Add(ln("127.0.0.1:63")) // SO_REUSEPORT: two listeners, one address
	l.Add(ln("127.0.0.1:64"))
	l.Remove(ln("127.0.0.1:63"))
	l.Remove(ln("127.0.0.9:64")) // none there: nothing changes
	for p, want := range map[uint16]bool{8080: true, 63: true, 64: true, 65: false} {
		if got := l.Listening(p); got != want {
			t.Errorf("Listening(%d) = %v, want %v", p, got, want)
		}
	}
	l.Remove(ln("127.0.0.1:63"))
	if l.Listening(63) || l.Accepts(ap("127.0.0.1:63")) {
		t.Error("port 63 still listening after both its listeners were removed")
	}
	if !l.Accepts(ap("10.1.2.3:8080")) || !l.Accepts(ap("127.0.0.1:64")) || l.Accepts(ap("127.0.0.2:64")) {
		t.Errorf("Accepts: wildcard 8080 %v, 127.0.0.1:64 %v, 127.0.0.2:64 %v; want true, true, false",
			l.Accepts(ap("10.1.2.3:8080")), l.Accepts(ap("127.0.0.1:64")), l.Accepts(ap("127.0.0.2:64")))
	}
}
