package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/sampler/users"
	"github.com/porttop/porttop/ui/safe"
)

// sampleTimeout bounds the one sample `who` and `explain` take.
const sampleTimeout = 15 * time.Second

func runWho(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("who")
	fs.takesPort = true
	var s sampling
	var asJSON bool
	fs.sourceFlag(&s.source)
	fs.BoolVar(&asJSON, "json", false, "one JSON object per socket")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "who", stdout)
	}
	if len(pos) != 1 {
		return usagef("who", "who takes one PORT, like 'porttop who 8080'")
	}
	port, proto, err := parsePortArg(pos[0])
	if err != nil {
		return usagef("who", "%v", err)
	}
	if port == 0 { // no socket holds it, and "free" would mislead
		return failf(exitFail, "no socket holds port 0: binding port 0 asks the OS for any free port")
	}
	w, err := openWhoSource(s.source)
	if err != nil {
		return err
	}
	defer w.close()
	ctx, cancel := context.WithTimeout(context.Background(), sampleTimeout)
	defer cancel()
	snap, err := w.src.Sample(ctx)
	if err != nil {
		return failf(exitFail, "cannot read the connection table: %v", err)
	}
	var holders []sampler.Socket
	for _, sk := range snap.Sockets {
		if sk.Local.Port() == port && (proto == 0 || sk.Proto == proto) {
			holders = append(holders, sk)
		}
	}
	if len(holders) == 0 {
		if note := w.notRead(); note != "" {
			return failf(exitFail, "port %s is free in the namespaces porttop may read (%s)", pos[0], note)
		}
		return failf(exitFail, "port %s is free", pos[0])
	}
	self := w.selfNetns()
	elsewhere := false // a holder in another namespace or a container: one more column
	for _, sk := range holders {
		elsewhere = elsewhere || placeColumn(sk, self) != "-"
	}
	sortSockets(holders)
	var hidden bool
	if asJSON {
		eph, _, _ := ports.EphemeralRange() // the host's: see FORMAT.md's os_ephemeral
		hidden, err = whoJSON(stdout, holders, snap.Time, eph)
	} else {
		column := func(sk sampler.Socket) string { return "" }
		if elsewhere {
			column = func(sk sampler.Socket) string { return placeColumn(sk, self) }
		}
		hidden, err = whoTable(stdout, holders, snap.Time, column)
	}
	if err != nil {
		if readerGone(err) {
			return nil
		}
		return failf(exitFail, "writing stdout: %v", err)
	}
	if hidden {
		if o, ok := w.src.(sampler.Owners); ok {
			if h, hint := o.OwnersHidden(); h {
				fmt.Fprintf(stderr, "porttop: some owners are hidden from this user: %s\n", hint)
			}
		}
	}
	return nil
}

// whoTable prints a header row and one line per socket. Names are escaped
// (see safe.Text), so a socket is always one line. place gives a last
// NETNS column (see placeColumn) when it returns text for any socket.
func whoTable(stdout io.Writer, holders []sampler.Socket, at time.Time, place func(sampler.Socket) string) (hidden bool, err error) {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	withPlace := false
	for _, sk := range holders {
		withPlace = withPlace || place(sk) != ""
	}
	if withPlace {
		fmt.Fprintln(tw, "PROTO\tLOCAL\tREMOTE\tSTATE\tPID\tPROCESS\tUSER\tTIMER\tNETNS")
	} else {
		fmt.Fprintln(tw, "PROTO\tLOCAL\tREMOTE\tSTATE\tPID\tPROCESS\tUSER\tTIMER")
	}
	for _, sk := range holders {
		pid, proc, user := "-", dash(safe.Text(sk.Process)), dash(safe.Text(users.Name(sk.UID)))
		if sk.PID > 0 {
			pid = strconv.Itoa(int(sk.PID))
		} else {
			hidden = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", sk.Proto, sk.Local, remoteText(sk.Remote), dash(sk.State.String()), pid, proc, user, whoTimer(&sk, at))
		if withPlace {
			fmt.Fprintf(tw, "\t%s", place(sk))
		}
		fmt.Fprintln(tw)
	}
	return hidden, tw.Flush()
}

// whoJSON prints one JSON object per socket, under watch's field names
// (record.MarshalSocket); JSON escapes control characters itself.
func whoJSON(stdout io.Writer, holders []sampler.Socket, at time.Time, eph ports.Range) (hidden bool, err error) {
	if at.IsZero() {
		at = time.Now()
	}
	bw := bufio.NewWriter(stdout)
	for i := range holders {
		b, err := record.MarshalSocket(&holders[i], at, eph)
		if err != nil {
			return hidden, err
		}
		bw.Write(b)
		bw.WriteByte('\n')
		hidden = hidden || holders[i].PID <= 0
	}
	return hidden, bw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// remoteText is "*" for no remote end (a listener, an unconnected socket).
func remoteText(ap netip.AddrPort) string {
	if !ap.IsValid() || ap.Port() == 0 {
		return "*"
	}
	return ap.String()
}
