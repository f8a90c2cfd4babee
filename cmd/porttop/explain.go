package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/explain"
	"github.com/porttop/porttop/ui/safe"
)

func runExplain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("explain")
	fs.takesPort = true
	var source string
	fs.sourceFlag(&source)
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "explain", stdout)
	}
	if len(pos) != 1 {
		return usagef("explain", "explain takes one PORT, like 'porttop explain 443' or 'porttop explain 53/udp'")
	}
	port, proto, err := parsePortArg(pos[0])
	if err != nil {
		return usagef("explain", "%v", err)
	}
	m, err := openMachine(source, false)
	if err != nil {
		return err
	}
	in := explain.Input{
		Port: port, Proto: proto, OS: goos(),
		Ephemeral: m.ephemeral, EphemeralSource: m.ephemeralSource,
		Now: time.Now(), Started: time.Now(),
	}
	ctx, cancel := context.WithTimeout(context.Background(), sampleTimeout)
	defer cancel()
	if snap, err := m.src.Sample(ctx); err != nil {
		// The meaning of a port needs no sample: say what failed and go on.
		fmt.Fprintf(stderr, "porttop: cannot read the connection table (%v): not saying what uses the port now\n", safe.Text(oneLine(err.Error())))
	} else {
		in.Live = true
		if o, ok := m.src.(sampler.Owners); ok {
			hidden, _ := o.OwnersHidden()
			in.OwnersVisible = !hidden
		}
		in.Namespaces, in.OwnNetns = namespacesRead(m.src)
		if n, ok := m.src.(interface{ Note() string }); ok && n.Note() != "" {
			fmt.Fprintf(stderr, "porttop: %s\n", safe.Text(n.Note()))
		}
		for _, s := range snap.Sockets {
			if (proto == 0 || s.Proto == proto) && s.UsesPort(port) {
				in.Sockets = append(in.Sockets, s)
			}
		}
		sortSockets(in.Sockets)
	}
	text := explain.Text(in, termWidth())
	// Names were escaped where the text was made; this is the backstop.
	fmt.Fprint(stdout, safe.Lines(strings.TrimRight(text, "\n"))+"\n")
	return nil
}

// termWidth is stdout's width, else $COLUMNS, else 80.
func termWidth() int {
	if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 0 {
		return w
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return 80
}
