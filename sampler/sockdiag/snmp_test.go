package sockdiag

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestParseSNMPCaptured(t *testing.T) {
	raw := readTestdata(t, "snmp.txt")
	kc, err := ParseSNMP(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	// Find the values independently: the column of each name in the Tcp lines.
	names, values := tcpColumns(raw)
	for i, n := range names {
		switch n {
		case "ActiveOpens":
			if got := kc.ActiveOpens; values[i] != strconv.FormatUint(got, 10) {
				t.Errorf("ActiveOpens %d, file says %s", got, values[i])
			}
		case "PassiveOpens":
			if got := kc.PassiveOpens; values[i] != strconv.FormatUint(got, 10) {
				t.Errorf("PassiveOpens %d, file says %s", got, values[i])
			}
		}
	}
}

func TestParseSNMPCases(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		act, pass uint64
		errSubstr string
	}{
		{"minimal", "Tcp: ActiveOpens PassiveOpens\nTcp: 5 7\n", 5, 7, ""},
		{"other sections and columns", "Ip: Forwarding\nIp: 1\nTcp: RtoAlgorithm PassiveOpens MaxConn ActiveOpens\nTcp: 1 9 -1 18446744073709551615\nUdp: InDatagrams\nUdp: 3\n", 18446744073709551615, 9, ""},
		{"no tcp", "Ip: Forwarding\nIp: 1\n", 0, 0, "no Tcp section"},
		{"header only", "Tcp: ActiveOpens PassiveOpens\n", 0, 0, "no Tcp section"},
		{"column count differs", "Tcp: ActiveOpens PassiveOpens\nTcp: 5\n", 0, 0, "2 names but 1 values"},
		{"not a number", "Tcp: ActiveOpens PassiveOpens\nTcp: x 7\n", 0, 0, "ActiveOpens"},
		{"negative", "Tcp: ActiveOpens PassiveOpens\nTcp: -1 7\n", 0, 0, "ActiveOpens"},
		{"missing counter", "Tcp: ActiveOpens CurrEstab\nTcp: 1 2\n", 0, 0, "lacks"},
		{"empty", "", 0, 0, "no Tcp section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kc, err := ParseSNMP(strings.NewReader(tc.in))
			if tc.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
					t.Fatalf("err %v, want %q", err, tc.errSubstr)
				}
				return
			}
			if err != nil || kc.ActiveOpens != tc.act || kc.PassiveOpens != tc.pass {
				t.Errorf("got %+v %v, want %d %d", kc, err, tc.act, tc.pass)
			}
		})
	}
}
