//go:build linux

package sockdiag

import (
	"context"
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
