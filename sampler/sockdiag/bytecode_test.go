package sockdiag

import (
	"slices"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// runBytecode mirrors the kernel's inet_diag_bc_run for the ops portFilter
// emits; the integration test checks the same programs against the kernel.
func runBytecode(t *testing.T, bc []byte, sport, dport uint16) bool {
	t.Helper()
	pc, left := 0, len(bc)
	for left > 0 {
		code, yes, no := bc[pc], int(bc[pc+1]), int(order.Uint16(bc[pc+2:pc+4]))
		ok := true
		switch code {
		case bcJmp:
			ok = false
		case bcSGE, bcSLE, bcDGE, bcDLE:
			port, arg := sport, order.Uint16(bc[pc+6:pc+8])
			if code == bcDGE || code == bcDLE {
				port = dport
			}
			if code == bcSGE || code == bcDGE {
				ok = port >= arg
			} else {
				ok = port <= arg
			}
		default:
			t.Fatalf("unexpected op %d at %d", code, pc)
		}
		step := no
		if ok {
			step = yes
		}
		pc, left = pc+step, left-step
	}
	return left == 0
}

// auditBytecode checks the rules of the kernel's inet_diag_bc_audit: every
// jump lands on an op boundary, the end, or 4 past the end (reject).
func auditBytecode(t *testing.T, bc []byte) {
	t.Helper()
	boundaries := map[int]bool{}
	for pc := 0; pc < len(bc); pc += int(bc[pc+1]) {
		boundaries[pc] = true
		if bc[pc+1] < 4 || bc[pc+1]%4 != 0 {
			t.Fatalf("op at %d: bad yes %d", pc, bc[pc+1])
		}
	}
	for pc := range boundaries {
		yes, no := int(bc[pc+1]), int(order.Uint16(bc[pc+2:pc+4]))
		left := len(bc) - pc
		min := 4
		if bc[pc] != bcJmp {
			min = 8
		}
		if yes < min || yes > left+4 || no < min && bc[pc] != bcJmp || no > left+4 || no%4 != 0 {
			t.Errorf("op at %d: yes %d no %d with %d left", pc, yes, no, left)
		}
		if no < left && !boundaries[pc+no] {
			t.Errorf("op at %d jumps into the middle of an op (%d)", pc, pc+no)
		}
	}
}

func TestPortFilter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ranges []sampler.PortRange
		match  [][2]uint16 // local, remote
		reject [][2]uint16
	}{
		{"one port", []sampler.PortRange{{Lo: 80, Hi: 80}},
			[][2]uint16{{80, 40000}, {40000, 80}, {80, 80}},
			[][2]uint16{{79, 81}, {81, 79}, {0, 0}}},
		{"range", []sampler.PortRange{{Lo: 32768, Hi: 60999}},
			[][2]uint16{{32768, 1}, {1, 60999}, {45000, 45000}},
			[][2]uint16{{32767, 61000}, {22, 443}}},
		{"two ranges", []sampler.PortRange{{Lo: 22, Hi: 22}, {Lo: 8000, Hi: 8999}},
			[][2]uint16{{22, 50000}, {50000, 8080}, {8999, 1}},
			[][2]uint16{{23, 7999}, {9000, 21}}},
		{"empty range matches nothing", []sampler.PortRange{{Lo: 10, Hi: 9}},
			nil,
			[][2]uint16{{9, 10}, {10, 10}, {9, 9}}},
		{"extremes", []sampler.PortRange{{Lo: 0, Hi: 0}, {Lo: 65535, Hi: 65535}},
			[][2]uint16{{0, 5}, {5, 65535}},
			[][2]uint16{{1, 65534}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bc := portFilter(tc.ranges)
			auditBytecode(t, bc)
			for _, p := range tc.match {
				if !runBytecode(t, bc, p[0], p[1]) {
					t.Errorf("%d->%d rejected", p[0], p[1])
				}
			}
			for _, p := range tc.reject {
				if runBytecode(t, bc, p[0], p[1]) {
					t.Errorf("%d->%d matched", p[0], p[1])
				}
			}
		})
	}
	if portFilter(nil) != nil {
		t.Error("no ranges should mean no filter")
	}
	if portFilter(make([]sampler.PortRange, maxFilterRanges+1)) != nil {
		t.Error("too many ranges should be left to user space")
	}
	auditBytecode(t, portFilter(make([]sampler.PortRange, maxFilterRanges)))
}

func TestPlanFor(t *testing.T) {
	all := uint32(sampler.AllStates)
	for _, tc := range []struct {
		name      string
		q         sampler.Query
		tcpStates uint32 // 0: no TCP dumps
		udp       bool
	}{
		{"everything", sampler.Query{}, all, true},
		{"tcp only", sampler.Query{Protos: []sampler.Proto{sampler.TCP}}, all, false},
		{"udp only", sampler.Query{Protos: []sampler.Proto{sampler.UDP}}, 0, true},
		{"listen", sampler.Query{States: sampler.MaskOf(sampler.StateListen)}, 1 << 10, false},
		{"no state keeps udp", sampler.Query{States: sampler.MaskOf(sampler.StateNone, sampler.StateTimeWait)}, 1 << 6, true},
		{"udp with tcp state", sampler.Query{Protos: []sampler.Proto{sampler.UDP}, States: sampler.MaskOf(sampler.StateListen)}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []refusals{{}, {compat: true}} {
				var tcp, udp []uint8
				for _, d := range planFor(tc.q, r) {
					switch d.protocol {
					case ipprotoTCP:
						tcp = append(tcp, d.family)
						if d.states != tc.tcpStates {
							t.Errorf("tcp states %#x, want %#x", d.states, tc.tcpStates)
						}
					case ipprotoUDP:
						udp = append(udp, d.family)
					}
				}
				// One walk for TCP of both families, or one per family
				// when the kernel refused that request.
				wantTCP := []uint8{afUnspec}
				if r.compat {
					wantTCP = []uint8{afInet, afInet6}
				}
				if tc.tcpStates == 0 {
					wantTCP = nil
				}
				var wantUDP []uint8
				if tc.udp {
					wantUDP = []uint8{afInet, afInet6}
				}
				if !slices.Equal(tcp, wantTCP) || !slices.Equal(udp, wantUDP) {
					t.Errorf("refusals %+v: tcp families %v udp %v, want %v %v", r, tcp, udp, wantTCP, wantUDP)
				}
			}
		})
	}
	q := sampler.Query{Ports: []sampler.PortRange{{Lo: 1, Hi: 2}}}
	if planFor(q, refusals{})[0].bytecode == nil || planFor(q, refusals{bytecode: true})[0].bytecode != nil {
		t.Error("bytecode not attached, or attached after the kernel refused it")
	}
}
