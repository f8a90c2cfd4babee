package sockdiag

import "github.com/porttop/porttop/sampler"

// dump is one SOCK_DIAG_BY_FAMILY dump request.
type dump struct {
	family, protocol uint8
	proto            sampler.Proto
	states           uint32
	bytecode         []byte
}

// planFor turns a query into dump requests. UDP sockets are reported with
// StateNone, so a state filter without StateNone skips UDP entirely.
func planFor(q sampler.Query, noBytecode bool) []dump {
	wantTCP, wantUDP := len(q.Protos) == 0, len(q.Protos) == 0
	for _, p := range q.Protos {
		wantTCP = wantTCP || p == sampler.TCP
		wantUDP = wantUDP || p == sampler.UDP
	}
	tcpStates := uint32(sampler.AllStates)
	if q.States != 0 {
		tcpStates = uint32(q.States & sampler.AllStates &^ sampler.MaskOf(sampler.StateNone))
		wantUDP = wantUDP && q.States.Has(sampler.StateNone)
	}
	var bc []byte
	if !noBytecode {
		bc = portFilter(q.Ports)
	}
	var plan []dump
	if wantTCP && tcpStates != 0 {
		plan = append(plan,
			dump{afInet, ipprotoTCP, sampler.TCP, tcpStates, bc},
			dump{afInet6, ipprotoTCP, sampler.TCP, tcpStates, bc})
	}
	if wantUDP {
		plan = append(plan,
			dump{afInet, ipprotoUDP, sampler.UDP, ^uint32(0), bc},
			dump{afInet6, ipprotoUDP, sampler.UDP, ^uint32(0), bc})
	}
	return plan
}
