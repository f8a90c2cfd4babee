package sockdiag

import (
	"bytes"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func addCaptures(f *testing.F) {
	for _, name := range []string{"dump_tcp4.bin", "dump_tcp6.bin", "destroy_tcp4.bin", "lookup_timewait.bin", "lookup_gone.bin"} {
		f.Add(readTestdata(f, name))
	}
}

// FuzzParseDump: any bytes give sockets or an error, never a panic, and every
// parsed address is unmapped.
func FuzzParseDump(f *testing.F) {
	addCaptures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, seq := range []uint32{7, 9, 0} {
			_, _, _ = parseDump(b, seq, func(m diagMsg) {
				if m.Local.Addr().Is4In6() || m.Remote.Addr().Is4In6() {
					t.Fatalf("mapped address left: %v %v", m.Local, m.Remote)
				}
			})
		}
	})
}

// FuzzParseRelease: destroy reports and lookup replies never panic.
func FuzzParseRelease(f *testing.F) {
	addCaptures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			m, rest, err := nextMsg(b)
			if err != nil {
				return
			}
			if len(rest) >= len(b) {
				t.Fatal("nextMsg made no progress")
			}
			b = rest
			if r, ok := parseRelease(m, time.Time{}); ok && r.rel.Socket.Proto != sampler.TCP && r.rel.Socket.Proto != sampler.UDP {
				t.Fatalf("release of proto %v", r.rel.Socket.Proto)
			}
			_, _ = errnoOf(m.Payload)
		}
	})
}

func FuzzParseSNMP(f *testing.F) {
	f.Add(readTestdata(f, "snmp.txt"))
	f.Add([]byte("Tcp: ActiveOpens PassiveOpens\nTcp: 1 2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseSNMP(bytes.NewReader(b))
	})
}
