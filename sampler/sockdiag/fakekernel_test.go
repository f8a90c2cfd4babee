package sockdiag

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// fakeKernel is a sock_diag kernel behind the Conn interface, as
// mdlayher/netlink's nltest is: every request a Source writes is parsed as
// the kernel parses it and answered from a table of sockets, split into
// datagrams, ended with NLMSG_DONE. Hooks script what a real kernel does
// only sometimes: refuse a request (NLMSG_ERROR with an errno), flag a dump
// interrupted, cut a reply short, change the counters during a dump. It
// runs on any OS: the Source's dump plans, partial samples and refusals are
// tested here, and against the running kernel in the _linux tests.
type fakeKernel struct {
	t     *testing.T
	table []fakeSock
	// perDatagram is how many messages a datagram carries (the kernel fills
	// a 32 KiB skb, ~300 sockets); 0 means all in one.
	perDatagram int
	// refuse answers a request with NLMSG_ERROR and this errno instead of
	// a dump (0: answer it).
	refuse func(r fakeRequest) syscall.Errno
	// mangle rewrites a dump's datagrams before they can be read.
	mangle func(r fakeRequest, dgrams [][]byte) [][]byte
	// onRequest runs as each request arrives (before it is answered).
	onRequest func(r fakeRequest)
	// dialErr fails the next dials.
	dialErr error

	requests []fakeRequest
	dials    int
	open     int // conns dialed and not closed
}

// fakeRequest is one request as the kernel read it.
type fakeRequest struct {
	Type             uint16 // tcpDiagGetSock or sockDiagByFamily
	Dump             bool
	Seq              uint32
	Family, Protocol uint8 // family afUnspec: TCP of both families
	States           uint32
	Bytecode         []byte
}

// fakeSock is a socket in the fake kernel's table. State is the kernel's
// (UDP: 7 unconnected, 1 connected).
type fakeSock struct {
	Family, Protocol uint8
	State            uint8
	Local, Remote    netip.AddrPort
	Cookie           uint64
	UID, Inode       uint32
}

// fakeConn is one socket opened on the fake kernel: its own reply queue.
type fakeConn struct {
	k      *fakeKernel
	queue  [][]byte
	closed bool
}

var errFakeNothingToRead = errors.New("fake kernel: nothing to read (a real socket would block here)")

func newFakeKernel(t *testing.T, table ...fakeSock) *fakeKernel {
	return &fakeKernel{t: t, table: table}
}

// dial is an Options.Dial.
func (k *fakeKernel) dial() (Conn, error) {
	if k.dialErr != nil {
		return nil, k.dialErr
	}
	k.dials++
	k.open++
	return &fakeConn{k: k}, nil
}

// source opens a Source on the fake kernel with a fake /proc (see
// fakeProcfs) and owners attributed by fakeOwners.
func (k *fakeKernel) source(procfs string) (*Source, error) {
	s, err := Open(Options{Dial: k.dial, Procfs: procfs})
	if err != nil {
		return nil, err
	}
	s.owners.Close()
	s.owners = &fakeOwners{}
	k.t.Cleanup(func() { s.Close() })
	return s, nil
}

// mustSource is source that fails the test on error.
func (k *fakeKernel) mustSource(procfs string) *Source {
	k.t.Helper()
	s, err := k.source(procfs)
	if err != nil {
		k.t.Fatalf("Open on the fake kernel: %v", err)
	}
	return s
}

// since are the requests from the n-th on.
func (k *fakeKernel) since(n int) []fakeRequest { return k.requests[n:] }

func (c *fakeConn) Send(b []byte) error {
	if c.closed {
		return errors.New("fake kernel: send on a closed socket")
	}
	for len(b) > 0 {
		m, rest, err := nextMsg(b)
		if err != nil {
			c.k.t.Fatalf("fake kernel: malformed request: %v", err)
		}
		b = rest
		r := c.k.parseRequest(m)
		c.k.requests = append(c.k.requests, r)
		if c.k.onRequest != nil {
			c.k.onRequest(r)
		}
		c.queue = append(c.queue, c.k.answer(r)...)
	}
	return nil
}

func (c *fakeConn) Recv(buf []byte) (int, error) {
	if c.closed {
		return 0, errors.New("fake kernel: receive on a closed socket")
	}
	if len(c.queue) == 0 {
		return 0, errFakeNothingToRead
	}
	d := c.queue[0]
	c.queue = c.queue[1:]
	return copy(buf, d), nil // a datagram longer than buf is cut, as recv(2) does
}

func (c *fakeConn) Close() error {
	if c.closed {
		return errors.New("fake kernel: socket closed twice")
	}
	c.closed = true
	c.k.open--
	return nil
}

// parseRequest reads a request as the kernel's inet_diag does.
func (k *fakeKernel) parseRequest(m nlMsg) fakeRequest {
	r := fakeRequest{Type: m.Type, Seq: m.Seq, Dump: m.Flags&nlmFDump == nlmFDump}
	var fixed int
	switch m.Type {
	case tcpDiagGetSock:
		fixed = reqV1Len
		if len(m.Payload) < fixed {
			k.t.Fatalf("fake kernel: TCPDIAG_GETSOCK of %d bytes", len(m.Payload))
		}
		r.Family, r.Protocol = m.Payload[0], ipprotoTCP
		r.States = order.Uint32(m.Payload[4+sockIDLen:])
	case sockDiagByFamily:
		fixed = reqV2Len
		if len(m.Payload) < fixed {
			k.t.Fatalf("fake kernel: SOCK_DIAG_BY_FAMILY of %d bytes", len(m.Payload))
		}
		r.Family, r.Protocol = m.Payload[0], m.Payload[1]
		r.States = order.Uint32(m.Payload[4:8])
	default:
		k.t.Fatalf("fake kernel: request type %d", m.Type)
	}
	if a := m.Payload[fixed:]; len(a) >= nlaHdrLen {
		n := int(order.Uint16(a[0:2]))
		if order.Uint16(a[2:4]) != inetDiagReqBytecode || n > len(a) {
			k.t.Fatalf("fake kernel: unexpected request attribute % x", a)
		}
		r.Bytecode = a[nlaHdrLen:n]
	}
	return r
}

// answer is the kernel's reply to r: the matching rows, then NLMSG_DONE;
// or NLMSG_ERROR when refused.
func (k *fakeKernel) answer(r fakeRequest) [][]byte {
	if k.refuse != nil {
		if errno := k.refuse(r); errno != 0 {
			return [][]byte{msg(nlmsgError, 0, r.Seq, errPayload(int32(errno)))}
		}
	}
	if !r.Dump {
		k.t.Fatalf("fake kernel: only dumps are scripted, got an exact lookup")
	}
	var dgrams [][]byte
	var cur []byte
	inCur := 0
	for _, s := range k.table {
		if !k.matches(r, s) {
			continue
		}
		cur = append(cur, msg(r.Type, nlmFMulti, r.Seq, s.payload())...)
		if inCur++; k.perDatagram > 0 && inCur == k.perDatagram {
			dgrams, cur, inCur = append(dgrams, cur), nil, 0
		}
	}
	cur = append(cur, msg(nlmsgDone, nlmFMulti, r.Seq, errPayload(0))...)
	dgrams = append(dgrams, cur)
	if k.mangle != nil {
		dgrams = k.mangle(r, dgrams)
	}
	return dgrams
}

func (k *fakeKernel) matches(r fakeRequest, s fakeSock) bool {
	if s.Protocol != r.Protocol || (r.Family != afUnspec && s.Family != r.Family) {
		return false
	}
	if r.States&(1<<s.State) == 0 {
		return false
	}
	return len(r.Bytecode) == 0 || runBytecode(k.t, r.Bytecode, s.Local.Port(), s.Remote.Port())
}

// payload is the socket's struct inet_diag_msg.
func (s fakeSock) payload() []byte {
	p := make([]byte, diagMsgLen)
	p[0], p[1] = s.Family, s.State
	putSockID(p[4:4+sockIDLen], s.Local, s.Remote, 0, s.Cookie)
	tail := p[4+sockIDLen:]
	order.PutUint32(tail[12:16], s.UID)
	order.PutUint32(tail[16:20], s.Inode)
	return p
}

// tcp4, tcp6 and udp4 make table rows; cookie doubles as inode.
func tcp4(t *testing.T, state sampler.State, local, remote string, cookie uint64) fakeSock {
	return fakeSock{afInet, ipprotoTCP, uint8(state), mustAddrPort(t, local), mustAddrPort(t, remote), cookie, 1000, uint32(cookie)}
}

func tcp6(t *testing.T, state sampler.State, local, remote string, cookie uint64) fakeSock {
	return fakeSock{afInet6, ipprotoTCP, uint8(state), mustAddrPort(t, local), mustAddrPort(t, remote), cookie, 1000, uint32(cookie)}
}

func udp4(t *testing.T, local string, cookie uint64) fakeSock {
	return fakeSock{afInet, ipprotoUDP, 7, mustAddrPort(t, local), mustAddrPort(t, "0.0.0.0:0"), cookie, 1000, uint32(cookie)}
}

// fakeOwners attributes every socket with an inode to pid 4000+inode;
// due is what OwnersDue says.
type fakeOwners struct {
	calls int
	due   bool
}

func (o *fakeOwners) OwnersDue(time.Time) bool { return o.due }

func (o *fakeOwners) AttributePart(socks []sampler.Socket, now time.Time) bool {
	return o.Attribute(socks, now)
}

func (o *fakeOwners) Attribute(socks []sampler.Socket, now time.Time) bool {
	o.calls++
	for i := range socks {
		if socks[i].Inode != 0 {
			socks[i].PID, socks[i].Process = int32(4000+socks[i].Inode), "fake"
		}
	}
	return false
}

func (o *fakeOwners) Close() {}

// fakeProcfs is a directory standing for /proc, with the counters a
// Source reads: net/snmp (Tcp ActiveOpens, PassiveOpens, CurrEstab) and
// net/sockstat, net/sockstat6.
type fakeProcfs string

func newFakeProcfs(t *testing.T) fakeProcfs {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "net"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := fakeProcfs(dir)
	p.counters(t, 10, 20, 0)
	return p
}

// counters writes the Tcp counters (and sockstat lines that move with them).
func (p fakeProcfs) counters(t *testing.T, active, passive, currEstab uint64) {
	t.Helper()
	snmp := "Ip: Forwarding DefaultTTL\nIp: 1 64\n" +
		"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts\n" +
		"Tcp: 1 200 120000 -1 " + strconv.FormatUint(active, 10) + " " + strconv.FormatUint(passive, 10) + " 0 0 " + strconv.FormatUint(currEstab, 10) + " 100 100 0 0 0\n"
	sockstat := "sockets: used 10\nTCP: inuse " + strconv.FormatUint(currEstab, 10) + " orphan 0 tw 0 alloc 5 mem 1\nUDP: inuse 1 mem 1\n"
	for name, body := range map[string]string{"snmp": snmp, "sockstat": sockstat, "sockstat6": "TCP6: inuse 1\nUDP6: inuse 0\n"} {
		if err := os.WriteFile(filepath.Join(string(p), "net", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
