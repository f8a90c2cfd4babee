package record

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

func BenchmarkWrite(b *testing.B) {
	ev := []sampler.Event{{Kind: sampler.Opened, Time: t0, Socket: sock(sampler.TCP, "127.0.0.1:60716", "127.0.0.1:8080", sampler.StateEstablished, 123, "curl", 1000)}}
	w, _ := NewWriter(io.Discard, Header{OS: "linux", Ephemeral: linuxRange})
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	body := hdrLine + strings.Repeat(openLine, 1000)
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader([]byte(body)))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/line")
}
