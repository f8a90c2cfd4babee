package psutil

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/porttop/porttop/sampler"
	gnet "github.com/shirou/gopsutil/v3/net"
)

var (
	_ sampler.Owners = (*Source)(nil)
	_ sampler.Noter  = (*Source)(nil)
)

// fakeSource serves rows from a list instead of the OS; names come from pid.
func fakeSource(privileged bool, rows ...gnet.ConnectionStat) (*Source, *[]int32) {
	var looked []int32
	return &Source{
		names: newNameCache(func(_ context.Context, pid int32) string {
			looked = append(looked, pid)
			return "proc" + string(rune('A'+pid%26))
		}),
		connections: func(_ context.Context, kind string) ([]gnet.ConnectionStat, error) {
			if kind != "inet" {
				return nil, errors.New("unexpected kind " + kind)
			}
			return rows, nil
		},
		privileged: privileged,
	}, &looked
}

func row(typ uint32, l string, lport uint32, r string, rport uint32, status string, pid int32) gnet.ConnectionStat {
	return gnet.ConnectionStat{Family: syscall.AF_INET, Type: typ, Laddr: gnet.Addr{IP: l, Port: lport}, Raddr: gnet.Addr{IP: r, Port: rport}, Status: status, Pid: pid}
}

func TestSampleRows(t *testing.T) {
	src, looked := fakeSource(false,
		row(syscall.SOCK_STREAM, "127.0.0.1", 5000, "127.0.0.1", 80, "ESTABLISHED", 0),
		row(syscall.SOCK_STREAM, "127.0.0.1", 5000, "127.0.0.1", 80, "ESTABLISHED", 7), // same socket, another process
		row(syscall.SOCK_DGRAM, "0.0.0.0", 53, "", 0, "NONE", 0),
		row(syscall.SOCK_RAW, "0.0.0.0", 0, "", 0, "", 9),               // neither TCP nor UDP
		row(syscall.SOCK_STREAM, "127.0.0.1", 1, "bad", 2, "LISTEN", 8), // unreadable
	)
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range snap.Sockets {
		got = append(got, s.Proto.String()+" "+s.Local.String()+" "+s.Remote.String()+" "+s.State.String()+" "+s.Process)
	}
	want := []string{"tcp 127.0.0.1:5000 127.0.0.1:80 ESTABLISHED procH", "udp 0.0.0.0:53 0.0.0.0:0  "}
	if !slices.Equal(got, want) {
		t.Errorf("sockets\n got %q\nwant %q", got, want)
	}
	if snap.Time.IsZero() {
		t.Error("snapshot has no time")
	}
	if !slices.Equal(*looked, []int32{7}) {
		t.Errorf("looked up names of %v, want only pid 7", *looked)
	}
	if hidden, hint := src.OwnersHidden(); !hidden || !strings.Contains(hint, "porttop") {
		t.Errorf("unprivileged with a pid-less socket: OwnersHidden = %v %q", hidden, hint)
	}
	notes := src.Notes()
	if len(notes) != 1 || !strings.Contains(notes[0], "1 unreadable rows skipped") || !strings.Contains(notes[0], "bad IP") {
		t.Errorf("notes %q, want one about the unreadable row", notes)
	}

	// Privileged, the same pid-less socket is not a hidden owner.
	src.privileged = true
	if _, err := src.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hidden, _ := src.OwnersHidden(); hidden {
		t.Error("privileged source reports owners hidden")
	}
	if len(*looked) != 1 {
		t.Errorf("pid 7 looked up again: %v", *looked)
	}
}

func TestSampleError(t *testing.T) {
	src, _ := fakeSource(true)
	src.connections = func(context.Context, string) ([]gnet.ConnectionStat, error) {
		return nil, errors.New("no proc")
	}
	if _, err := src.Sample(context.Background()); err == nil || !strings.Contains(err.Error(), "gopsutil connections: no proc") {
		t.Fatalf("error %v", err)
	}
}

func TestNameCacheForgetsGonePids(t *testing.T) {
	var looked []int32
	c := newNameCache(func(_ context.Context, pid int32) string { looked = append(looked, pid); return "x" })
	ctx := context.Background()
	sample := func(pids ...int32) {
		c.begin()
		for _, p := range pids {
			c.name(ctx, p)
		}
		c.end()
	}
	sample(1, 2, 1)
	sample(1, 2)
	sample(1)    // 2 is gone: forgotten
	sample(1, 2) // 2 again (perhaps another process): looked up afresh
	if want := []int32{1, 2, 2}; !slices.Equal(looked, want) {
		t.Errorf("lookups %v, want %v", looked, want)
	}
	if len(c.names) != 2 {
		t.Errorf("cache holds %d names, want 2", len(c.names))
	}
}

// TestSampleLoopback opens a real listener and client on each loopback
// address and finds both ends, and the listener, in a real sample.
func TestSampleLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1", "::1"} {
		t.Run(addr, func(t *testing.T) {
			ln, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
			if err != nil {
				if addr == "::1" {
					t.Skipf("no IPv6 loopback here: %v", err)
				}
				t.Fatal(err)
			}
			defer ln.Close()
			accepted := make(chan net.Conn, 1)
			go func() {
				c, err := ln.Accept()
				if err == nil {
					accepted <- c
				}
				close(accepted)
			}()
			client, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			if server := <-accepted; server != nil {
				defer server.Close()
			}
			lnAddr := sampler.Unmap(ln.Addr().(*net.TCPAddr).AddrPort())
			clAddr := sampler.Unmap(client.LocalAddr().(*net.TCPAddr).AddrPort())

			snap, err := New().Sample(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := map[sampler.ID]sampler.State{
				{Proto: sampler.TCP, Local: lnAddr, Remote: zeroPort(lnAddr)}: sampler.StateListen,
				{Proto: sampler.TCP, Local: clAddr, Remote: lnAddr}:           sampler.StateEstablished,
				{Proto: sampler.TCP, Local: lnAddr, Remote: clAddr}:           sampler.StateEstablished,
			}
			root := os.Geteuid() == 0
			for _, s := range snap.Sockets {
				state, ok := want[s.ID]
				if !ok {
					continue
				}
				delete(want, s.ID)
				if s.State != state {
					t.Errorf("%v %v -> %v: state %v, want %v", s.Proto, s.Local, s.Remote, s.State, state)
				}
				// Our own sockets are ours to see even unprivileged; as root
				// the pid must be there.
				if s.PID != int32(os.Getpid()) && (root || s.PID != 0) {
					t.Errorf("%v -> %v: pid %d, want ours (%d)", s.Local, s.Remote, s.PID, os.Getpid())
				}
				if s.PID != 0 && s.Process == "" {
					t.Errorf("%v -> %v: pid %d without a process name", s.Local, s.Remote, s.PID)
				}
			}
			for id, state := range want {
				t.Errorf("not found: %v %v -> %v %v", id.Proto, id.Local, id.Remote, state)
			}
		})
	}
}

// zeroPort is a listener's remote end: its family's unspecified address.
func zeroPort(local netip.AddrPort) netip.AddrPort {
	if local.Addr().Is4() {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	}
	return netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
}
