package header

import (
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

func TestHeaderSaysConnectsFailedWithTheLatestProcessEscaped(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st := style.New(r, theme.Default)
	var f sampler.FailureTotals
	f.Add([]sampler.FailureCount{{Last: t0, Op: sampler.FailedConnect, Errno: 99, Count: 189,
		Addr: netip.MustParseAddrPort("127.0.0.1:9400"), Process: "python3", PID: 5}})
	out := View(st, Info{Host: "web1", Failures: f}, 200)
	if want := "! 189 connects failed: no free port (python3 -> 127.0.0.1:9400)"; !strings.Contains(out, want) {
		t.Errorf("header lacks %q:\n%s", want, out)
	}
	f.Add([]sampler.FailureCount{{Last: t0.Add(time.Second), Op: sampler.FailedBind, Errno: 98, Count: 1,
		Addr: netip.MustParseAddrPort("0.0.0.0:0"), Process: "n\x1b[2Jc"}})
	if got, want := FailureLine(f, 0), `189 connects and 1 port-0 bind failed: no free port (n\x1b[2Jc: bind 0.0.0.0:0)`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if out := View(st, Info{Host: "web1"}, 200); strings.Contains(out, "failed") {
		t.Errorf("a header with no failures says:\n%s", out)
	}
}
