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
	m, err := openMachine(s.source, false)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sampleTimeout)
	defer cancel()
	snap, err := m.src.Sample(ctx)
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
		return failf(exitFail, "port %s is free", pos[0])
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sk.Proto, sk.Local, remoteText(sk.Remote), dash(sk.State.String()), pid, proc, user)
	}
	if err := tw.Flush(); err != nil {
		return failf(exitFail, "%v", err)
	}
	if hidden {
		if o, ok := m.src.(sampler.Owners); ok {
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
