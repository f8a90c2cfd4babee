// Package explain says in plain sentences what a port number means and what
// is happening on it: IANA's registry and ranges, this OS's ephemeral range,
// the sockets using it now and, within a porttop run, its history. It
// returns plain text (no styling), so `porttop explain` prints it and the
// TUI's pane shows it.
package explain

import (
	"fmt"
	"strings"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/history"
	"github.com/porttop/porttop/sampler/ports"
)

// Input is everything Text needs; it reads nothing itself.
type Input struct {
	Port  uint16
	Proto sampler.Proto // 0 = both tcp and udp
	// OS is a GOOS value ("linux"); Ephemeral is its ephemeral range and
	// EphemeralSource where that came from ("" with a zero Range: unknown).
	OS              string
	Ephemeral       ports.Range
	EphemeralSource string
	Now             time.Time
	// Sockets are those using the port now, on the local or the remote side.
	Sockets []sampler.Socket
	// Live is false when nothing was sampled: then Text claims neither free
	// nor in use.
	Live bool
	// History is this run's history of the port; nil when there is none.
	History *history.PortHistory
	// Started is when porttop began watching.
	Started time.Time
	// FirstSample is when porttop first read the connection table (zero if
	// unknown), and OpenAtStart (nil: none) tells a socket that was open
	// then: open before porttop started, its since is a lower bound.
	FirstSample time.Time
	OpenAtStart func(*sampler.Socket) bool
	// OwnersVisible is true when porttop may see every process's sockets
	// (root, or the capabilities for it): a socket with no process is then
	// held by none porttop can see, not hidden from this user.
	OwnersVisible bool
	// Recorded is true for a replayed recording: an owner it lacks is one
	// the recording does not name, whatever the reason was.
	Recorded bool
	// Namespaces is how many network namespaces the sockets were searched
	// in (0 or 1: porttop's own alone); OwnNetns is porttop's own one's
	// inode (0: unknown, every socket taken for porttop's namespace's). A
	// port held in another namespace is not taken in porttop's: each
	// namespace has its own ports.
	Namespaces int
	OwnNetns   uint64
	// Failures are the hand-outs that failed for want of a port while
	// porttop watched (only the ebpf source sees them); connects to this
	// port are explained.
	Failures sampler.FailureTotals
}

// Text explains the port in paragraphs wrapped to width columns.
func Text(in Input, width int) string {
	var paras []para
	paras = append(paras, text(title(in)))
	paras = append(paras, ianaParas(in)...)
	paras = append(paras, rangeParas(in)...)
	paras = append(paras, socketParas(in)...)
	paras = append(paras, historyParas(in)...)
	paras = append(paras, failureParas(in)...)
	return render(paras, width)
}

func title(in Input) string {
	if in.Proto == 0 {
		return fmt.Sprintf("Port %d (tcp and udp)", in.Port)
	}
	return fmt.Sprintf("Port %d/%s", in.Port, in.Proto)
}

// osName is how a sentence names the OS.
func osName(goos string) string {
	switch goos {
	case "linux":
		return "Linux"
	case "darwin":
		return "macOS"
	case "freebsd":
		return "FreeBSD"
	case "windows":
		return "Windows"
	case "":
		return "This OS"
	}
	return goos
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
