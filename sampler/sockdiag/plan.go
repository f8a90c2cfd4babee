package sockdiag

import "github.com/porttop/porttop/sampler"

// afUnspec in a dump's family asks for TCP of both families in one walk
// (TCPDIAG_GETSOCK); the kernel dumps that request with AF_UNSPEC.
const afUnspec = 0

// dump is one dump request.
type dump struct {
	family, protocol uint8
	proto            sampler.Proto
	states           uint32
	bytecode         []byte
}

// refusals are requests the running kernel turned down; later plans avoid
// them (ports are then filtered by the consumer alone).
type refusals struct {
	bytecode bool // INET_DIAG_REQ_BYTECODE
	compat   bool // TCPDIAG_GETSOCK
}

// planFor turns a query into dump requests. UDP sockets are reported with
// StateNone, so a state filter without StateNone skips UDP entirely.
func planFor(q sampler.Query, r refusals) []dump {
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
	if !r.bytecode {
		bc = portFilter(q.Ports)
	}
	var plan []dump
	switch {
	case !wantTCP || tcpStates == 0:
	case r.compat:
		plan = append(plan,
			dump{afInet, ipprotoTCP, sampler.TCP, tcpStates, bc},
			dump{afInet6, ipprotoTCP, sampler.TCP, tcpStates, bc})
	default:
		plan = append(plan, dump{afUnspec, ipprotoTCP, sampler.TCP, tcpStates, bc})
	}
	if wantUDP {
		plan = append(plan,
			dump{afInet, ipprotoUDP, sampler.UDP, ^uint32(0), bc},
			dump{afInet6, ipprotoUDP, sampler.UDP, ^uint32(0), bc})
	}
	return plan
}
