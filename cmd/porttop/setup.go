package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ebpf"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/sources"
)

// machine is what every sampling command learns about this machine first.
type machine struct {
	src             sampler.Source
	notes           []string // for the header: fallbacks taken
	ephemeral       ports.Range
	ephemeralSource string
	// rereadEphemeral reads the range again while porttop runs (see
	// poll.Config.Ephemeral); nil where it stays fixed.
	rereadEphemeral func() (ports.Range, error)
	host            string
}

// openMachine opens the source and reads the ephemeral range. A range that
// cannot be read falls back to the OS default, with a note saying so.
// events is false for a command that takes one sample ("auto" then does not
// load the ebpf source). An ebpf source asked for by name that cannot load
// exits 2, with the reason.
func openMachine(source string, events bool) (*machine, error) {
	open := sources.Open
	if !events {
		open = sources.OpenSnapshot
	}
	src, notes, err := open(source)
	var ue *ebpf.UnavailableError
	if errors.As(err, &ue) {
		return nil, failf(exitUsage, "%v", err)
	}
	if err != nil {
		return nil, failf(exitFail, "%v", err)
	}
	m := &machine{src: src, notes: notes}
	var rerr error
	m.ephemeral, m.ephemeralSource, rerr = ports.EphemeralRange()
	if rerr != nil {
		m.notes = append(m.notes, fmt.Sprintf("%v: assuming %s", rerr, m.ephemeral))
	}
	m.rereadEphemeral = ports.EphemeralRereader()
	m.host, _ = os.Hostname()
	return m, nil
}

// parseFilter reads the filter for command cmd; bad text is bad input.
func parseFilter(cmd, text string, ephemeral ports.Range) (filter.Filter, error) {
	f, err := filter.Parse(text, ephemeral)
	if err != nil {
		return filter.Filter{}, usagef(cmd, "%v", err)
	}
	return f, nil
}
