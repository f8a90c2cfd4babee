package sockdiag

import (
	"bytes"
	"strconv"

	"github.com/porttop/porttop/sampler"
)

// A partial sample asks the kernel for every socket but the ESTABLISHED TCP
// ones, which are most of a busy table and most of a dump's cost, and takes
// those from the previous sample instead. It is used only when the kernel's
// counters prove that this gives exactly the table a full dump would:
//
//   - No TCP socket was opened since the last full dump began: Tcp
//     ActiveOpens (counted at connect) and PassiveOpens (counted when an
//     accepted socket is made) are as they were then. So every socket
//     ESTABLISHED now was in the previous sample, as SYN_SENT, SYN_RECV or
//     ESTABLISHED (no other TCP state leads back). A SYN_SENT or SYN_RECV
//     one missing from the partial dump, which holds every other state,
//     may have finished its handshake or died: that sample is full. So the
//     previous ESTABLISHED sockets missing from it, the candidates, are a
//     superset of the ESTABLISHED sockets now.
//   - Tcp CurrEstab counts the sockets in ESTABLISHED, and since Linux 6.10
//     (and kernels that took the fix) those in CLOSE_WAIT too. Less the
//     CLOSE_WAIT sockets of the partial dump where they count, it is how
//     many are ESTABLISHED now. When the candidates number exactly that, the
//     superset is the set. Which way the kernel counts is learnt from full
//     dumps that hold CLOSE_WAIT sockets (see closeWaitCounting).
//   - A candidate is carried as it was dumped, so one whose inode was 0 (an
//     accepted connection no process had taken with accept() yet, whose
//     inode and uid change when one does, moving no counter) makes the
//     sample full.
//
// Anything else (a candidate that closed, a counter that moved during the
// dump, a kernel whose CurrEstab disagrees with its own full dump) makes the
// sample fall back to a full dump, and a full dump is made at least once a
// second whatever the counters say. What the counters cannot tell: a
// socket restored with TCP_REPAIR (CRIU) goes ESTABLISHED without an open
// being counted; if one appears in the very interval an ESTABLISHED socket
// dies, the partial sample shows the dead one instead, until the next full
// dump.

// tcpCounters are the Tcp counters of /proc/net/snmp a partial sample rests on.
type tcpCounters struct {
	activeOpens, passiveOpens, currEstab uint64
}

// sameOpens reports whether no TCP socket was opened between c and d.
func (c tcpCounters) sameOpens(d tcpCounters) bool {
	return c.activeOpens == d.activeOpens && c.passiveOpens == d.passiveOpens
}

// partialQuery asks for every state but ESTABLISHED; UDP, reported with
// StateNone, is dumped whole.
var partialQuery = sampler.Query{States: sampler.AllStates &^ sampler.MaskOf(sampler.StateEstablished)}

// parseTCPCounters reads ActiveOpens, PassiveOpens and CurrEstab from the
// text of /proc/net/snmp (a "Tcp:" line of names, then one of values)
// without allocating: it runs on every sample.
func parseTCPCounters(snmp []byte) (tcpCounters, bool) {
	var names []byte
	for line := range bytes.Lines(snmp) {
		if !bytes.HasPrefix(line, []byte("Tcp:")) {
			continue
		}
		if names == nil {
			names = line
			continue
		}
		var c tcpCounters
		found := 0
		nameRest, valueRest := names[len("Tcp:"):], line[len("Tcp:"):]
		for {
			var name, value []byte
			name, nameRest = nextField(nameRest)
			value, valueRest = nextField(valueRest)
			if name == nil && value == nil {
				break
			}
			if name == nil || value == nil {
				return tcpCounters{}, false // names and values do not pair up
			}
			var dst *uint64
			switch string(name) { // no allocation: the compiler compares in place
			case "ActiveOpens":
				dst = &c.activeOpens
			case "PassiveOpens":
				dst = &c.passiveOpens
			case "CurrEstab":
				dst = &c.currEstab
			default:
				continue
			}
			v, err := strconv.ParseUint(string(value), 10, 64)
			if err != nil {
				return tcpCounters{}, false
			}
			*dst = v
			found++
		}
		if found != 3 {
			return tcpCounters{}, false
		}
		return c, true
	}
	return tcpCounters{}, false
}

// nextField splits the first space-separated field off b (nil when none).
func nextField(b []byte) (field, rest []byte) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return nil, nil
	}
	end := bytes.IndexAny(b, " \t\r\n")
	if end < 0 {
		return b, nil
	}
	return b[:end], b[end:]
}

// closeWaitCounting says whether the kernel's CurrEstab counts CLOSE_WAIT
// sockets: kernels since mid-2024 (Linux 6.10, and stable kernels that took
// the fix) do; older ones count ESTABLISHED sockets only.
type closeWaitCounting int8

const (
	closeWaitUnknown    closeWaitCounting = iota // no full dump with CLOSE_WAIT sockets agreed yet
	closeWaitCounted                             // CurrEstab = ESTABLISHED + CLOSE_WAIT
	closeWaitNotCounted                          // CurrEstab = ESTABLISHED
)

// calibrate checks a full TCP table against the CurrEstab read as its dump
// began (the counters having held still during it): ok is false when no
// way of counting explains it. It returns how the kernel counts, or known
// when the table cannot tell (no CLOSE_WAIT socket in it). Before it
// changes its mind it checks that no row is repeated: a dump can repeat a
// row (and skip another) when the table changes under it, and one repeat
// beside one CLOSE_WAIT socket reads like the other way of counting. seen
// is scratch space.
func calibrate(socks []sampler.Socket, currEstab uint64, known closeWaitCounting, seen map[uint64]struct{}) (closeWaitCounting, bool) {
	var established, closeWait uint64
	for i := range socks {
		switch s := &socks[i]; {
		case s.Proto != sampler.TCP:
		case s.State == sampler.StateEstablished:
			established++
		case s.State == sampler.StateCloseWait:
			closeWait++
		}
	}
	learnt := closeWaitUnknown
	switch {
	case closeWait == 0:
		return known, currEstab == established
	case currEstab == established+closeWait:
		learnt = closeWaitCounted
	case currEstab == established:
		learnt = closeWaitNotCounted
	default:
		return known, false
	}
	if learnt != known && repeatsARow(socks, seen) {
		return known, false
	}
	return learnt, true
}

// repeatsARow reports whether a TCP cookie comes twice among the
// ESTABLISHED and CLOSE_WAIT rows.
func repeatsARow(socks []sampler.Socket, seen map[uint64]struct{}) bool {
	clear(seen)
	for i := range socks {
		s := &socks[i]
		if s.Proto != sampler.TCP || (s.State != sampler.StateEstablished && s.State != sampler.StateCloseWait) {
			continue
		}
		if _, dup := seen[s.Cookie]; dup {
			return true
		}
		seen[s.Cookie] = struct{}{}
	}
	return false
}

// carriable reports whether a socket of one sample can matter to the next
// partial sample's carryEstablished: a TCP socket on its way to or in
// ESTABLISHED, or one without a cookie (which makes it refuse). Every other
// socket of prev it passes over, so keptSample records only these.
func carriable(s *sampler.Socket) bool {
	if s.Proto != sampler.TCP {
		return false
	}
	switch s.State {
	case sampler.StateEstablished, sampler.StateSynSent, sampler.StateSynRecv:
		return true
	}
	return s.Cookie == 0
}

// keptSample is what a Source keeps of a sample for the next partial one
// (see keepTCP): the sample's rows as handed out, not copied (a copy of the
// carriable ones was 21 MB at 84k ESTABLISHED sockets), and for each
// carriable row where it is and what the dump said of it (32 bytes). Its
// caller may stamp, place or attribute the rows; a row it moved or wrote
// over (another socket at that place: rows dropped, or added in their
// stead) makes the next sample full.
type keptSample struct {
	valid bool // keep was called, and nothing lost since
	rows  []sampler.Socket
	at    []keptRow
}

// keptRow is a carriable row: where, and its cookie, inode, uid and state
// as dumped.
type keptRow struct {
	cookie   uint64
	inode    uint32
	idx, uid int32
	state    sampler.State
}

// keep makes k the carriable rows of rows, as they are now. Its record
// of them is made at their count, not grown by appends: under the ebpf
// source it is let go between checks (keepTCP: the rounds read UDP
// alone), so each check's whole table made it anew, through every size
// on the way (2.7 MB at 84k ESTABLISHED sockets, ~11 MB allocated a check
// while the check's two tables were alive).
func (k *keptSample) keep(rows []sampler.Socket) {
	n := 0
	for i := range rows {
		if carriable(&rows[i]) {
			n++
		}
	}
	k.valid, k.rows, k.at = true, rows, k.at[:0]
	if cap(k.at) < n {
		k.at = make([]keptRow, 0, n)
	}
	for i := range rows {
		if s := &rows[i]; carriable(s) {
			k.at = append(k.at, keptRow{cookie: s.Cookie, inode: s.Inode, idx: int32(i), uid: s.UID, state: s.State})
		}
	}
}

// forget keeps nothing: the next partial sample refuses.
func (k *keptSample) forget() { k.valid, k.rows, k.at = false, nil, k.at[:0] }

// row is the j-th kept row as dumped; false when its place holds another
// socket now.
func (k *keptSample) row(j int) (sampler.Socket, bool) {
	r := &k.at[j]
	if int(r.idx) >= len(k.rows) {
		return sampler.Socket{}, false
	}
	p := &k.rows[r.idx]
	if p.Cookie != r.cookie || p.Proto != sampler.TCP {
		return sampler.Socket{}, false
	}
	return sampler.Socket{ID: p.ID, Place: p.Place, State: r.state, Owner: sampler.Owner{UID: r.uid}, Inode: r.inode}, true
}

// copyRows makes k's rows its own copy of the kept rows (for a sample
// whose memory is handed back to be written over), or forgets them if
// one has already moved.
func (k *keptSample) copyRows(own []sampler.Socket) []sampler.Socket {
	own = own[:0]
	for j := range k.at {
		r := &k.at[j]
		if int(r.idx) >= len(k.rows) || k.rows[r.idx].Cookie != r.cookie || k.rows[r.idx].Proto != sampler.TCP {
			k.forget()
			return own
		}
		own = append(own, k.rows[r.idx])
		r.idx = int32(len(own) - 1)
	}
	k.rows = own
	return own
}

// carryEstablished completes a partial dump: it appends to socks (the
// partial dump: every socket but the ESTABLISHED TCP ones) the sockets of
// prev that are ESTABLISHED now, as the kernel would report them, and
// reports whether the counters prove that set exact (see the top of this
// file). On false the result must be thrown away and a full dump made.
// currEstab is Tcp CurrEstab read after the partial dump, counting as
// counting says; the caller has checked that no socket was opened since
// prev's last full dump began and that the counters held still during the
// partial dump. seen is scratch space, emptied here.
func carryEstablished(socks []sampler.Socket, prev *keptSample, currEstab uint64, counting closeWaitCounting, seen map[uint64]struct{}) ([]sampler.Socket, bool) {
	if !prev.valid {
		return socks, false
	}
	clear(seen)
	var closeWait uint64
	for i := range socks {
		s := &socks[i]
		if s.Proto != sampler.TCP {
			continue
		}
		if s.Cookie == 0 || s.State == sampler.StateEstablished {
			return socks, false // not a dump this proof knows
		}
		seen[s.Cookie] = struct{}{}
		if s.State == sampler.StateCloseWait {
			closeWait++
		}
	}
	switch {
	case counting == closeWaitNotCounted:
		closeWait = 0
	case closeWait > 0 && counting == closeWaitUnknown:
		return socks, false // cannot tell what CurrEstab holds
	}
	if closeWait > currEstab {
		return socks, false
	}
	want := currEstab - closeWait
	var carried uint64
	for j := range prev.at {
		p, ok := prev.row(j)
		if !ok {
			return socks, false // moved or written over since
		}
		if p.Cookie == 0 {
			return socks, false
		}
		if _, ok := seen[p.Cookie]; ok {
			continue // in the partial dump, or a repeated row already carried
		}
		switch p.State {
		case sampler.StateEstablished:
		case sampler.StateSynSent, sampler.StateSynRecv:
			return socks, false // handshake done, or died: cannot tell which
		default:
			continue // closed: no way back to ESTABLISHED
		}
		if p.Inode == 0 {
			return socks, false // not accept()ed when dumped: its inode may have come since
		}
		if carried++; carried > want {
			return socks, false // a candidate closed
		}
		seen[p.Cookie] = struct{}{}
		socks = append(socks, p) // as dumped: ID, place, state, uid, inode
	}
	return socks, carried == want
}
