package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/sampler/users"
	"github.com/porttop/porttop/ui/safe"
)

const snapshotHelp = `Usage: porttop snapshot [--json | --csv] [--port N] [--filter TEXT] [--source S]

Prints the connection table once, from one sample, and exits: an aligned
table by default, JSON lines (one object per socket) with --json, or CSV
with a header row with --csv. Fields are named as 'porttop watch' names
them: proto, local, remote, state, pid, process, uid, range, os_ephemeral,
owner_gone; unknown values are left out (JSON) or empty (CSV).

  --json          one JSON object per line
  --csv           comma-separated values, header first
  --port N        only sockets on port N (local or remote side); again for more
  --filter TEXT   only sockets matching TEXT (the live view's / syntax)
  --source S      auto, netlink, ebpf, netns or gopsutil
`

func init() { commandHelp["snapshot"] = snapshotHelp }

// snapshotColumns are the CSV's columns: watch's field names, in the order
// of an event line (FORMAT.md), its place fields last.
var snapshotColumns = []string{"time", "proto", "local", "remote", "state", "pid", "process", "uid",
	"range", "os_ephemeral", "owner_gone", "netns", "netns_name", "cgroup", "container"}

// csvRow is one socket's CSV row, read from the line `who --json` and
// --json write (record.MarshalSocket), so the two cannot drift apart: a
// field the line leaves out is empty, a flag left out is false.
func csvRow(sk *sampler.Socket, at time.Time, eph ports.Range) ([]string, error) {
	b, err := record.MarshalSocket(sk, at, eph)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	row := make([]string, len(snapshotColumns))
	for i, c := range snapshotColumns {
		switch v := m[c].(type) {
		case string:
			row[i] = v
		case json.Number:
			row[i] = v.String()
		case bool:
			row[i] = strconv.FormatBool(v)
		case nil:
			if c == "os_ephemeral" || c == "owner_gone" {
				row[i] = "false"
			}
		}
	}
	return row, nil
}

func runSnapshot(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("snapshot")
	var s sampling
	var asJSON, asCSV bool
	fs.portFlag(&s.port)
	fs.filterFlag(&s.filter)
	fs.sourceFlag(&s.source)
	fs.BoolVar(&asJSON, "json", false, "JSON lines")
	fs.BoolVar(&asCSV, "csv", false, "CSV")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "snapshot", stdout)
	}
	if len(pos) > 0 {
		return usagef("snapshot", "unexpected argument %q", pos[0])
	}
	if asJSON && asCSV {
		return usagef("snapshot", "--json and --csv: choose one")
	}
	m, err := openMachine(s.source, false)
	if err != nil {
		return err
	}
	f, err := parseFilter("snapshot", s.filterText(), m.ephemeral)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sampleTimeout)
	defer cancel()
	snap, err := m.src.Sample(ctx)
	if err != nil {
		return failf(exitFail, "cannot read the connection table: %v", err)
	}
	at := snap.Time
	if at.IsZero() {
		at = time.Now()
	}
	var keep []sampler.Socket
	for i := range snap.Sockets {
		if f.Match(&snap.Sockets[i]) {
			keep = append(keep, snap.Sockets[i])
		}
	}
	sortSockets(keep)
	ignoreBrokenPipe()
	switch {
	case asJSON:
		err = writeSnapshotJSON(stdout, keep, at, m.ephemeral)
	case asCSV:
		err = writeSnapshotCSV(stdout, keep, at, m.ephemeral)
	default:
		err = writeSnapshotTable(stdout, keep, m.ephemeral)
	}
	if err != nil && !readerGone(err) {
		return failf(exitFail, "writing stdout: %v", err)
	}
	for _, n := range m.notes {
		fmt.Fprintln(stderr, "porttop: "+n)
	}
	return nil
}

// writeSnapshotJSON writes one object per socket, as `who --json` does
// (record.MarshalSocket: watch's field names, the place fields included).
func writeSnapshotJSON(w io.Writer, sockets []sampler.Socket, at time.Time, eph ports.Range) error {
	bw := bufio.NewWriter(w)
	for i := range sockets {
		b, err := record.MarshalSocket(&sockets[i], at, eph)
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func writeSnapshotCSV(w io.Writer, sockets []sampler.Socket, at time.Time, eph ports.Range) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(snapshotColumns); err != nil {
		return err
	}
	for i := range sockets {
		row, err := csvRow(&sockets[i], at, eph)
		if err != nil {
			return err
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSnapshotTable is for a person at a terminal: process names are
// shown with control characters escaped.
func writeSnapshotTable(w io.Writer, sockets []sampler.Socket, eph ports.Range) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROTO\tLOCAL\tREMOTE\tSTATE\tPID\tPROCESS\tUSER\tRANGE")
	for i := range sockets {
		sk := &sockets[i]
		pid := "-"
		if sk.PID > 0 {
			pid = strconv.Itoa(int(sk.PID))
		}
		rng := ports.ClassOf(sk.Local.Port()).String()
		if eph.Known() && eph.Contains(sk.Local.Port()) {
			rng += ",ephemeral"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sk.Proto, sk.Local, remoteText(sk.Remote),
			dash(sk.State.String()), pid, dash(safe.Text(sk.Process)), dash(safe.Text(users.Name(sk.UID))), rng)
	}
	return tw.Flush()
}
