package record

import (
	"encoding/json"
	"time"
)

// Stats is the periodic accounting line of `porttop watch --stats D`: enough
// to check that porttop reported every socket the kernel opened.
type Stats struct {
	Time time.Time
	// Sockets is how many sockets the last sample held (after any filter).
	Sockets int
	// ReportedOpens is how many open events the sampler reported since the
	// stream began (before any filter), existing sockets excluded.
	ReportedOpens uint64
	// ReportedTCP is the part of ReportedOpens that are TCP connections
	// (listeners left out): what the kernel's counters count.
	ReportedTCP uint64
	// Dropped is how many events were discarded since the stream began
	// because the writer fell behind; never silently non-zero.
	Dropped uint64
	// Kernel holds the kernel's own counts of TCP connections opened since
	// the stream began, when the source can read them (Linux).
	Kernel *KernelOpens
	// FullDestinations are the destinations ("tcp 127.0.0.1:9000") holding
	// every port of the OS ephemeral range in the last sample: a new
	// connect() to one can fail with EADDRNOTAVAIL (see sampler/dests).
	// Another namespace's, judged by its own range, end "in netns NAME".
	FullDestinations []string
}

// KernelOpens are deltas of the kernel's TCP open counters.
type KernelOpens struct {
	Active  uint64 // connect() calls that started a handshake
	Passive uint64 // connections accepted from a listener
}

type statsLine struct {
	Time  string    `json:"time"`
	Stats statsBody `json:"stats"`
}

type statsBody struct {
	Sockets       int     `json:"sockets"`
	ReportedOpens uint64  `json:"reported_opens"`
	ReportedTCP   uint64  `json:"reported_tcp_opens"`
	Dropped       uint64  `json:"dropped"`
	KernelActive  *uint64 `json:"kernel_active_opens,omitempty"`
	KernelPassive *uint64 `json:"kernel_passive_opens,omitempty"`
	// FullDestinations: see Stats.
	FullDestinations []string `json:"full_destinations,omitempty"`
}

// MarshalStats gives one stats line, without its newline.
func MarshalStats(s Stats) ([]byte, error) {
	l := statsLine{
		Time: s.Time.UTC().Format(time.RFC3339Nano),
		Stats: statsBody{
			Sockets:       s.Sockets,
			ReportedOpens: s.ReportedOpens,
			ReportedTCP:   s.ReportedTCP,
			Dropped:       s.Dropped,

			FullDestinations: s.FullDestinations,
		},
	}
	if s.Kernel != nil {
		a, p := s.Kernel.Active, s.Kernel.Passive
		l.Stats.KernelActive, l.Stats.KernelPassive = &a, &p
	}
	return json.Marshal(l)
}

// statsFrom turns a stats line back into Stats; a bad time is left zero,
// since stats are advisory.
func statsFrom(at string, b *statsBody) *Stats {
	s := &Stats{Sockets: b.Sockets, ReportedOpens: b.ReportedOpens, ReportedTCP: b.ReportedTCP, Dropped: b.Dropped,
		FullDestinations: b.FullDestinations}
	s.Time, _ = time.Parse(time.RFC3339Nano, at)
	if b.KernelActive != nil || b.KernelPassive != nil {
		s.Kernel = &KernelOpens{}
		if b.KernelActive != nil {
			s.Kernel.Active = *b.KernelActive
		}
		if b.KernelPassive != nil {
			s.Kernel.Passive = *b.KernelPassive
		}
	}
	return s
}
