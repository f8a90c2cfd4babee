package sockdiag

import (
	"strings"
	"testing"
)

const (
	snmpText = `Ip: Forwarding DefaultTTL InReceives
Ip: 1 64 2000
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 332988 332510 261 306827 0 1926754 2217595 4 0 153811 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 186 0 0 187 0 0 0 0 0
`
	sockstatText = `sockets: used 10
TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0
UDP: inuse 0 mem 0
UDPLITE: inuse 0
RAW: inuse 0
FRAG: inuse 0 memory 0
`
	sockstat6Text = `TCP6: inuse 0
UDP6: inuse 0
UDPLITE6: inuse 0
RAW6: inuse 0
FRAG6: inuse 0 memory 0
`
)

func TestSignatureMovesWithTheSocketTable(t *testing.T) {
	base := string(appendSignature(nil, []byte(snmpText), []byte(sockstatText), []byte(sockstat6Text)))
	baseEst := string(AppendEstablishedSignature(nil, []byte(snmpText), []byte(sockstatText), []byte(sockstat6Text)))
	if base == "" {
		t.Fatal("empty signature")
	}
	tests := []struct {
		name                  string
		snmp, sockstat, stat6 [2]string // replace [0] with [1]
		same                  bool
		listenerOrUDP         bool // a change of listeners or UDP sockets only
	}{
		{name: "a connection opened", snmp: [2]string{"332988", "332989"}},
		{name: "a segment went out", snmp: [2]string{"2217595", "2217596"}},
		{name: "a listener bound", sockstat: [2]string{"TCP: inuse 1", "TCP: inuse 2"}, listenerOrUDP: true},
		{name: "a socket went to TIME_WAIT", sockstat: [2]string{"tw 0", "tw 1"}},
		{name: "a UDP socket bound", sockstat: [2]string{"UDP: inuse 0", "UDP: inuse 1"}, listenerOrUDP: true},
		{name: "an IPv6 listener", stat6: [2]string{"TCP6: inuse 0", "TCP6: inuse 1"}, listenerOrUDP: true},
		{name: "an IPv6 UDP socket", stat6: [2]string{"UDP6: inuse 0", "UDP6: inuse 1"}, listenerOrUDP: true},
		{name: "UDP datagrams only", snmp: [2]string{"Udp: 186", "Udp: 190"}, same: true},
		{name: "IP packets only", snmp: [2]string{"Ip: 1 64 2000", "Ip: 1 64 2050"}, same: true},
		{name: "a unix socket", sockstat: [2]string{"sockets: used 10", "sockets: used 11"}, same: true},
		{name: "a raw socket", sockstat: [2]string{"RAW: inuse 0", "RAW: inuse 1"}, same: true},
		// Machine-wide sums: another namespace's sockets move them.
		{name: "orphans elsewhere", sockstat: [2]string{"orphan 0", "orphan 7"}, same: true},
		{name: "sockets allocated elsewhere", sockstat: [2]string{"alloc 1", "alloc 9"}, same: true},
		{name: "TCP memory elsewhere", sockstat: [2]string{"mem 0\nUDP", "mem 40\nUDP"}, same: true},
		{name: "UDP memory elsewhere", sockstat: [2]string{"UDP: inuse 0 mem 0", "UDP: inuse 0 mem 3"}, same: true},
	}
	repl := func(s string, r [2]string) string {
		if r[0] == "" {
			return s
		}
		if !strings.Contains(s, r[0]) {
			t.Fatalf("%q not in the sample text", r[0])
		}
		return strings.Replace(s, r[0], r[1], 1)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snmp, stat, stat6 := []byte(repl(snmpText, tt.snmp)), []byte(repl(sockstatText, tt.sockstat)), []byte(repl(sockstat6Text, tt.stat6))
			got := string(appendSignature(nil, snmp, stat, stat6))
			if (got == base) != tt.same {
				t.Errorf("signature unchanged = %v, want %v", got == base, tt.same)
			}
			// The established part moves with every TCP change but a
			// listener's (and never with UDP's).
			est := string(AppendEstablishedSignature(nil, snmp, stat, stat6))
			wantSame := tt.same || tt.listenerOrUDP
			if (est == baseEst) != wantSame {
				t.Errorf("established signature unchanged = %v, want %v", est == baseEst, wantSame)
			}
		})
	}
}

func TestSignatureWithoutIPv6(t *testing.T) {
	a := appendSignature(nil, []byte(snmpText), []byte(sockstatText), nil)
	if !strings.Contains(string(a), "TCP: inuse 1") || !strings.Contains(string(a), "Tcp: 1 200") {
		t.Errorf("signature %q lacks the TCP lines", a)
	}
}

// The UDP signature moves when a UDP socket is bound or closed (IPv4 or
// IPv6, UDP-Lite too) and with nothing TCP does.
func TestUDPSignatureMovesWithUDPSocketsAlone(t *testing.T) {
	base := string(appendUDPSignature(nil, []byte(sockstatText), []byte(sockstat6Text)))
	if !strings.Contains(base, "UDP: inuse 0") || !strings.Contains(base, "UDP6: inuse 0") {
		t.Fatalf("UDP signature %q lacks the UDP lines", base)
	}
	for _, tt := range []struct {
		name, file, from, to string
		moves                bool
	}{
		{"a UDP socket bound", "4", "UDP: inuse 0", "UDP: inuse 1", true},
		{"an IPv6 UDP socket bound", "6", "UDP6: inuse 0", "UDP6: inuse 1", true},
		{"a UDP-Lite socket", "4", "UDPLITE: inuse 0", "UDPLITE: inuse 2", true},
		{"UDP memory", "4", "UDP: inuse 0 mem 0", "UDP: inuse 0 mem 3", false},
		{"a listener", "4", "TCP: inuse 1", "TCP: inuse 2", false},
		{"TIME_WAIT", "4", "tw 0", "tw 1", false},
	} {
		stat, stat6 := sockstatText, sockstat6Text
		if tt.file == "4" {
			stat = strings.Replace(stat, tt.from, tt.to, 1)
		} else {
			stat6 = strings.Replace(stat6, tt.from, tt.to, 1)
		}
		if stat == sockstatText && stat6 == sockstat6Text {
			t.Fatalf("%s: %q not in the sample text", tt.name, tt.from)
		}
		got := string(appendUDPSignature(nil, []byte(stat), []byte(stat6)))
		if (got != base) != tt.moves {
			t.Errorf("%s: UDP signature moved %v, want %v", tt.name, got != base, tt.moves)
		}
	}
}
