//go:build linux

package sockdiag

import (
	"context"
	"net"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// TestQuietTurnsFalseWhenASocketOpens: whatever else runs on the machine, a
// connection opened after a sample moves the counters. (Quiet being true is
// not asserted: other programs may open sockets at any time.)
func TestQuietTurnsFalseWhenASocketOpens(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Skipf("netlink unavailable: %v", err)
	}
	defer s.Close()
	if s.Quiet() {
		t.Error("quiet before any sample")
	}
	if _, err := s.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	openPair(t, "tcp4", "127.0.0.1:0")
	if s.Quiet() {
		t.Error("quiet after a connection opened")
	}
	if _, err := s.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}})
	if s.Quiet() {
		t.Error("quiet after the query changed")
	}
}

// TestUDPQuietTurnsFalseWhenAUDPSocketIsBound: a UDP socket bound after a
// sample that held UDP moves the UDP counters; a sample that left UDP out
// is none to stand on. (UDPQuiet being true is not asserted: other
// programs may bind UDP sockets at any time.)
func TestUDPQuietTurnsFalseWhenAUDPSocketIsBound(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Skipf("netlink unavailable: %v", err)
	}
	defer s.Close()
	if s.UDPQuiet() {
		t.Error("UDP quiet before any sample")
	}
	if _, err := s.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s.UDPQuiet() {
		t.Error("UDP quiet after a UDP socket was bound")
	}
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}})
	if _, err := s.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.UDPQuiet() {
		t.Error("UDP quiet after a sample that held no UDP socket")
	}
}
