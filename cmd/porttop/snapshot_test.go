package main

import (
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/ui/safe"
)

// watchFields are the field names a watch stream's open event carries for
// a socket like sk: the names snapshot must use.
func watchFields(t *testing.T, sk sampler.Socket) map[string]bool {
	t.Helper()
	b, err := record.MarshalEvent(sampler.Event{Kind: sampler.Opened, Socket: sk}, ports.Range{Lo: 32768, Hi: 60999})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{"owner_gone": true} // set only for a gone owner
	for k := range m {
		names[k] = true
	}
	return names
}

func TestSnapshotJSONShowsHeldConnection(t *testing.T) {
	ln := listenLoopback(t)
	p := connect(t, ln)
	r := runPorttop(t, "snapshot", "--json", "--port", strconv.Itoa(int(portOf(ln))))
	if r.code != 0 {
		t.Fatalf("snapshot --json: status %d, stderr %q", r.code, r.stderr)
	}
	sk := sampler.Socket{
		ID:    sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("127.0.0.1:40000"), Remote: netip.MustParseAddrPort("127.0.0.1:80")},
		State: sampler.StateEstablished,
		Owner: sampler.Owner{PID: 1, Process: "x", UID: 0},
		// as root every namespace is read: sockets carry their place
		Place: sampler.Place{Netns: 1}.WithNames(sampler.PlaceNames{NetnsName: "n", Cgroup: "/c", Container: "0123456789ab"}),
	}
	known := watchFields(t, sk)
	client := p.client.LocalAddr().String()
	found := false
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		for k := range row {
			if !known[k] {
				t.Errorf("field %q is not one of watch's (%v)", k, known)
			}
		}
		if row["local"] == client {
			found = true
			if row["remote"] != ln.Addr().String() || row["state"] != "ESTABLISHED" || row["proto"] != "tcp" {
				t.Errorf("the client's row: %v", row)
			}
		}
	}
	if !found {
		t.Errorf("no row for the client %s in:\n%s", client, r.stdout)
	}
}

func TestSnapshotCSVAndTable(t *testing.T) {
	ln := listenLoopback(t)
	p := connect(t, ln)
	port := strconv.Itoa(int(portOf(ln)))
	client := p.client.LocalAddr().String()

	r := runPorttop(t, "snapshot", "--csv", "--filter", port)
	if r.code != 0 {
		t.Fatalf("snapshot --csv: status %d, stderr %q", r.code, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) < 4 { // header, listener, client, server side
		t.Fatalf("CSV %v:\n%s", err, r.stdout)
	}
	if !slices.Equal(rows[0], snapshotColumns) {
		t.Errorf("header %v, want %v", rows[0], snapshotColumns)
	}
	found := false
	for _, row := range rows[1:] {
		if len(row) != len(snapshotColumns) {
			t.Errorf("row %v has %d fields, want %d", row, len(row), len(snapshotColumns))
		}
		if row[2] == client && row[3] == ln.Addr().String() && row[4] == "ESTABLISHED" {
			found = true
		}
	}
	if !found {
		t.Errorf("no row for the client %s:\n%s", client, r.stdout)
	}

	r = runPorttop(t, "snapshot", "--port", port)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "PROTO") || !strings.Contains(r.stdout, client) {
		t.Errorf("snapshot table: status %d, stderr %q:\n%s", r.code, r.stderr, r.stdout)
	}
}

func TestSnapshotBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"snapshot", "--json", "--csv"}, "--json and --csv: choose one"},
		{[]string{"snapshot", "--filter", "10.0.0.0/99"}, "prefix length 99 > 32"},
		{[]string{"snapshot", "--port", "70000"}, "out of range"},
		{[]string{"snapshot", "now"}, `unexpected argument "now"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			checkOneLine(t, runPorttop(t, tc.args...), tc.want)
		})
	}
}

func TestSnapshotNamesEscapeControls(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":           "nginx",
		"evil\x1b[2Jname": `evil\x1b[2Jname`,
		"tab\there":       `tab\there`,
		"naïve worker":    "naïve worker",
		"bell\a":          `bell\a`,
	} {
		if got := safe.Text(in); got != want {
			t.Errorf("safe.Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnapshotHelp(t *testing.T) { checkHelp(t, "snapshot") }
