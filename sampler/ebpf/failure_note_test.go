package ebpf

import (
	"net/netip"
	"testing"

	"github.com/porttop/porttop/sampler"
)

func TestFailureNoteNamesTheLatestProcessEscaped(t *testing.T) {
	last := sampler.PortFailure{Op: sampler.FailedConnect, Addr: netip.MustParseAddrPort("127.0.0.1:9400"),
		Actor: sampler.Actor{Known: true, PID: 5, Comm: "py\x1b[31mthon"}}
	got := FailureNote(Counts{ConnectFailed: 189}, last)
	if want := `189 connects failed: no free port (latest: py\x1b[31mthon connect -> 127.0.0.1:9400)`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = FailureNote(Counts{ConnectFailed: 2, BindFailed: 1}, sampler.PortFailure{})
	if want := "2 connects and 1 port-0 binds failed: no free port"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
