package sockdiag

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Lookup is one TCP socket to find by its addresses (LookupTCP).
type Lookup struct {
	// IPv6 is the socket's family: an IPv6 socket may talk IPv4, with
	// IPv4-mapped addresses, which Local and Remote hold unmapped.
	IPv6          bool
	Local, Remote netip.AddrPort
	// Found and Socket are the answer: the kernel's record of the socket,
	// as a dump at the lookup's time would list it (its owner aside).
	Found  bool
	Socket sampler.Socket
}

// lookupBatch bounds the requests sent before their replies are read, so
// the replies fit the socket's receive buffer; lookupWait bounds the wait
// for them.
const (
	lookupBatch = 256
	lookupWait  = 250 * time.Millisecond
)

// lookupBufs are receive buffers for LookupTCP (a round may look up in
// every namespace).
var lookupBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// LookupTCP asks the kernel for each socket of ls by its family and
// addresses: exact sock_diag requests, which walk no hash (a lookup like
// the one an arriving segment makes), in batches. The kernel makes a
// cookie for a socket that had none, so the cookie found is the one every
// later dump lists. A socket gone meanwhile stays not Found, as do those
// whose replies do not come within lookupWait. c must be a socket of the
// network namespace the sockets live in.
func LookupTCP(c Conn, ls []Lookup, at time.Time) error {
	var req []byte
	bp := lookupBufs.Get().(*[]byte)
	defer lookupBufs.Put(bp)
	buf := *bp
	for len(ls) > 0 {
		batch := ls[:min(len(ls), lookupBatch)]
		ls = ls[len(batch):]
		req = req[:0]
		for i := range batch {
			l := &batch[i]
			l.Found = false
			local, remote, family := l.Local, l.Remote, uint8(afInet)
			if l.IPv6 {
				family = afInet6
				local = netip.AddrPortFrom(netip.AddrFrom16(local.Addr().As16()), local.Port())
				remote = netip.AddrPortFrom(netip.AddrFrom16(remote.Addr().As16()), remote.Port())
			}
			var id [sockIDLen]byte
			putSockID(id[:], local, remote, 0, 0)
			putNoCookie(id[:])
			req = appendRequest(req, uint32(i+1), false, family, ipprotoTCP, uint32(sampler.AllStates), id[:], nil)
		}
		if err := c.Send(req); err != nil {
			return fmt.Errorf("send socket lookups: %w", err)
		}
		if d, ok := c.(interface{ SetReadDeadline(time.Time) error }); ok {
			if err := d.SetReadDeadline(time.Now().Add(lookupWait)); err != nil {
				return err
			}
		}
		for answered := 0; answered < len(batch); {
			n, err := c.Recv(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil // the rest count as gone
			}
			if err != nil {
				return fmt.Errorf("receive socket lookups: %w", err)
			}
			b := buf[:n]
			for len(b) > 0 {
				m, rest, err := nextMsg(b)
				if err != nil {
					break
				}
				b = rest
				if m.Seq < 1 || int(m.Seq) > len(batch) {
					continue // not a reply to this batch
				}
				answered++
				if m.Type != sockDiagByFamily {
					continue // NLMSG_ERROR: ENOENT, the socket is gone
				}
				d, err := parseDiagMsg(m.Payload)
				if err != nil {
					continue
				}
				l := &batch[m.Seq-1]
				l.Found, l.Socket = true, toSocketAt(d, sampler.TCP, at)
			}
		}
	}
	return nil
}
