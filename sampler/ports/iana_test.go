package ports

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/porttop/porttop/sampler/ports/internal/table"
)

const registryJSON = "../../../shared/data/iana-port-numbers.json"

func TestLookup(t *testing.T) {
	cases := []struct {
		port  uint16
		proto string
		want  Assignment
	}{
		{22, "", Assignment{Assigned, "ssh", "The Secure Shell (SSH) Protocol", []string{"tcp", "udp"}}}, // 22/sctp is described "SSH": a separate entry
		{22, "tcp", Assignment{Assigned, "ssh", "The Secure Shell (SSH) Protocol", []string{"tcp"}}},
		{443, "tcp", Assignment{Assigned, "https", "http protocol over TLS/SSL", []string{"tcp"}}},
		{443, "TCP", Assignment{Assigned, "https", "http protocol over TLS/SSL", []string{"tcp"}}},
		{60716, "", Assignment{}},
		{60716, "tcp", Assignment{}},
		{0, "", Assignment{Reserved, "", "Reserved", []string{"tcp", "udp"}}},
		{0, "udp", Assignment{Reserved, "", "Reserved", []string{"udp"}}},
		{49151, "", Assignment{}},
		{65535, "", Assignment{}},
		{4, "tcp", Assignment{}}, // "Unassigned" in the registry
		{22, "icmp", Assignment{}},
	}
	for _, c := range cases {
		got := Lookup(c.port, c.proto)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Lookup(%d, %q) = %+v, want %+v", c.port, c.proto, got, c.want)
		}
	}
	if ServiceName(22, "") != "ssh" || ServiceName(443, "tcp") != "https" || ServiceName(0, "") != "" || ServiceName(60716, "udp") != "" {
		t.Error("ServiceName disagrees with Lookup")
	}
}

// Every assigned tcp/udp entry in the registry must come back from Lookup.
func TestLookupAgreesWithRegistry(t *testing.T) {
	data, err := os.ReadFile(registryJSON)
	if err != nil {
		t.Skipf("registry JSON not present (%v); the committed table is used as is", err)
	}
	reg := map[string][2]string{}
	if err := jsonUnmarshal(data, &reg); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, port := range []uint16{1, 7, 53, 80, 123, 5349, 8080, 49150} {
		for _, proto := range []string{"tcp", "udp"} {
			want, ok := reg[itoa(port)+"/"+proto]
			got := Lookup(port, proto)
			if !ok {
				if got.Status != Unassigned {
					t.Errorf("%d/%s absent from registry but Lookup says %v", port, proto, got.Status)
				}
				continue
			}
			if got.Service != want[0] || got.Description != want[1] {
				t.Errorf("%d/%s: Lookup = %q %q, registry %q %q", port, proto, got.Service, got.Description, want[0], want[1])
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("checked nothing")
	}
	if Lookup(5349, "udp").Status != Reserved {
		t.Error(`5349/udp is described "Reserved for ..." so it is reserved`)
	}
}

func TestTableUpToDate(t *testing.T) {
	data, err := os.ReadFile(registryJSON)
	if err != nil {
		t.Skipf("registry JSON not present (%v); cannot check the generated table", err)
	}
	want, err := table.Generate(data, "ports", "iana-port-numbers.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("table_gen.go is stale: run `go generate ./sampler/ports`")
	}
}

func TestTableShape(t *testing.T) {
	if len(ianaPort) == 0 {
		t.Fatal("empty table")
	}
	if int(ianaEnd[len(ianaEnd)-1]) != len(ianaText) {
		t.Error("last record does not end at the end of the text")
	}
	for i := 1; i < len(ianaPort); i++ {
		if ianaPort[i] < ianaPort[i-1] || ianaEnd[i] < ianaEnd[i-1] {
			t.Fatalf("table not sorted at %d", i)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Lookup(uint16(i), "")
	}
}
