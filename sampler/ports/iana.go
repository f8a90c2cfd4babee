package ports

import (
	"sort"
	"strings"
)

//go:generate go run ./internal/gen -in ../../../shared/data/iana-port-numbers.json -out table_gen.go

// Status is what IANA's registry says of a port for a protocol.
type Status uint8

const (
	// Unassigned: IANA has assigned nothing there (always so in the dynamic
	// range, by design).
	Unassigned Status = iota
	// Reserved: IANA keeps it back; nothing may claim it.
	Reserved
	// Assigned: registered to a named service.
	Assigned
)

func (s Status) String() string {
	switch s {
	case Reserved:
		return "reserved"
	case Assigned:
		return "assigned"
	}
	return "unassigned"
}

// Assignment is the registry's entry for a port.
type Assignment struct {
	Status      Status
	Service     string // "ssh"; "" when none
	Description string // "The Secure Shell (SSH) Protocol"
	// Protos are the protocols ("tcp", "udp", "sctp", "dccp") this entry
	// covers; nil when Unassigned.
	Protos []string
}

var protoOrder = []struct {
	name string
	bit  uint8
}{{"tcp", 1}, {"udp", 2}, {"sctp", 4}, {"dccp", 8}}

// Lookup gives IANA's entry for port over proto ("tcp", "udp", "sctp",
// "dccp", any case). proto "" means any protocol: the port's first entry in
// the order tcp, udp, sctp, dccp wins, an assignment before a reservation,
// and Protos lists every protocol sharing it. An unknown proto is unassigned.
func Lookup(port uint16, proto string) Assignment {
	var want uint8
	if proto == "" {
		want = 0xff
	} else {
		for _, p := range protoOrder {
			if strings.EqualFold(p.name, proto) {
				want = p.bit
			}
		}
		if want == 0 {
			return Assignment{}
		}
	}
	i := sort.Search(len(ianaPort), func(i int) bool { return ianaPort[i] >= port })
	best := -1
	var bestStatus Status
	for ; i < len(ianaPort) && ianaPort[i] == port; i++ {
		if ianaProtos[i]&want == 0 {
			continue
		}
		_, desc := record(i)
		st := statusOf(desc)
		if best < 0 || st > bestStatus {
			best, bestStatus = i, st
		}
	}
	if best < 0 {
		return Assignment{}
	}
	service, desc := record(best)
	a := Assignment{Status: bestStatus, Service: service, Description: desc}
	for _, p := range protoOrder {
		if ianaProtos[best]&want&p.bit != 0 {
			a.Protos = append(a.Protos, p.name)
		}
	}
	return a
}

// ServiceName is the assigned service's name ("ssh"), or "" when none.
func ServiceName(port uint16, proto string) string {
	a := Lookup(port, proto)
	if a.Status != Assigned {
		return ""
	}
	return a.Service
}

func record(i int) (service, desc string) {
	start := uint32(0)
	if i > 0 {
		start = ianaEnd[i-1]
	}
	service, desc, _ = strings.Cut(ianaText[start:ianaEnd[i]], "\x1f")
	return service, desc
}

// statusOf follows the registry's wording: "Reserved..." is reserved.
// Unassigned rows are dropped by the generator.
func statusOf(desc string) Status {
	if strings.HasPrefix(desc, "Reserved") {
		return Reserved
	}
	return Assigned
}
