package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/users"
)

// sampleTimeout bounds the one sample `who` and `explain` take.
const sampleTimeout = 15 * time.Second

func runWho(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("who")
	fs.takesPort = true
	var s sampling
	fs.sourceFlag(&s.source)
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
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	hidden := false
	for _, sk := range holders {
		pid, proc, user := "-", dash(sk.Process), dash(users.Name(sk.UID))
		if sk.PID > 0 {
			pid = strconv.Itoa(int(sk.PID))
		} else {
			hidden = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s", sk.Proto, sk.Local, remoteText(sk.Remote), dash(sk.State.String()), pid, proc, user)
		if elsewhere {
			fmt.Fprintf(tw, "\t%s", placeColumn(sk, self))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return failf(exitFail, "%v", err)
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
