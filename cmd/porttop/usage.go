package main

import (
	"fmt"
	"io"
)

const usageText = `porttop shows this machine's ports being handed out and released, live.

Usage:
  porttop [flags]                 the live view (needs a terminal)
  porttop watch [flags]           stream events as JSON lines (one per line)
  porttop record FILE [flags]     record events to FILE (JSON lines), quietly
  porttop replay FILE [--speed X] play a recording in the live view
  porttop explain PORT[/PROTO]    say what a port means and what uses it now
  porttop who PORT[/PROTO]        list the sockets on a local port (exit 1: free)
  porttop demo [flags]            make port churn on loopback to watch
  porttop serve [flags]           a Prometheus exporter (--print-rules: alerts)
  porttop snapshot [--json|--csv] print the connection table once
  porttop view [FILE|-]           the live view of a 'porttop watch' stream
  porttop help [COMMAND]          this help, or a command's
  porttop version                 the version

Flags of the live view:
  --port N        show only port N (local or remote side); same as --filter N;
                  again for more ports (--port 80 --port 443: --filter 80,443)
  --filter TEXT   initial filter, as typed after / (e.g. "ephemeral tcp",
                  "time-wait", "49152-65535", "proc:nginx"); give it once,
                  with every term in TEXT (given twice is an error)
  --interval D    sampling interval, e.g. 250ms or 2s (10ms to 1h); by
                  default porttop adapts it, 100ms to 2s, to what a sample costs
  --source S      where sockets come from: auto, netlink, ebpf, netns, gopsutil
                  (default auto: on Linux ebpf when root or with CAP_BPF and
                  CAP_PERFMON, else netlink; gopsutil elsewhere; netns:
                  netlink in every network namespace, as root)
  --theme T       colours: default, projector, colorblind
  --no-color      no colour (also when NO_COLOR is set)
  --warn P        warn when one destination holds more than P of the OS
                  ephemeral range, or another network namespace uses more
                  than P of its own, each judged by its own namespace's
                  range (default 50%; 0.5 means the same)

Names from the system or a recording (processes, hosts, paths) are shown
with control characters escaped (\x1b, \n, \u202e): never run by the terminal.

ctrl+c, SIGTERM and SIGHUP (a dropped SSH session) end every command
cleanly: the live view restores the terminal, record flushes its file. The
live view also ends when its terminal goes away while SIGHUP is ignored.

Exit status: 0 done, 1 failed (who: the port is free), 2 bad input.
Run 'porttop help COMMAND' for a command's flags.
`

var commandHelp = map[string]string{
	"watch": `Usage: porttop watch [--port N] [--filter TEXT] [--interval D] [--source S]
                     [--record FILE] [--stats D] [--quiet]

Streams what happens to sockets as JSON lines on stdout, flushed line by line:
a header line, then the sockets present at the start as "open" events with
"existing":true, then one line per open, close and state change. Ends
cleanly on ctrl+c, SIGTERM or SIGHUP (not when started under nohup).

  --port N        only events on port N (local or remote side); again for more
  --filter TEXT   only events matching TEXT (the live view's / syntax); once:
                  put every term in one TEXT
  --interval D    sampling interval (default: adaptive)
  --source S      auto, netlink, ebpf, netns or gopsutil
  --record FILE   also write the stream to FILE (flushed at least every second;
                  created 0600, refused if it exists or is a symbolic link)
  --force         with --record: replace FILE if it exists
  --stats D       add a stats line every D (e.g. 5s): sockets, opens reported,
                  events dropped, and the kernel's own open counts (Linux)
  --quiet         nothing on stdout (with --record: record only)
`,
	"record": `Usage: porttop record FILE [--force] [--port N] [--filter TEXT] [--interval D]
                      [--source S] [--stats D]

Records events to FILE (JSON lines, as 'porttop watch' prints them) until
ctrl+c, SIGTERM or SIGHUP; nothing is printed on stdout. FILE is flushed at
least every second, and flushed and synced to disk at the end. Play it with
'porttop replay FILE'.

FILE is created readable by you only (0600): it names processes and pids
other users may not see. porttop refuses (exit 2) a FILE that is a symbolic
link, even a dangling one, and a FILE that exists unless --force is given
(it is then replaced and made 0600). To stream to stdout use 'porttop watch'.

  --force         replace FILE if it exists (never through a symbolic link)
`,
	"replay": `Usage: porttop replay FILE [--speed X] [--theme T] [--no-color] [--filter TEXT] [--warn P]

Plays a recording in the live view, in recorded time times X (0.25 to 16,
default 1). Keys: space or p pauses, n steps one event, + and - change
speed, 0 restarts, ? shows every key, q quits.

FILE is read whole into memory (at most 500,000 events, about 240 bytes
each) after the terminal check. A pipe (a FIFO, or <(zcat rec.jsonl.gz)) is
read as a stream to its end first: replay says so and waits for its writer.
Names in a recording (processes, host) are shown with control characters
escaped: a shared file cannot drive your terminal.
`,
	"explain": `Usage: porttop explain PORT[/PROTO]

Says what PORT means (IANA's registry and ranges, this OS's ephemeral range)
and, from one sample, what uses it now. PROTO is tcp or udp (default both).
`,
	"who": `Usage: porttop who PORT[/PROTO] [--json] [--source S]

Prints a header row, then one line per socket whose local port is PORT:
protocol, local and remote address, state, pid, process and user ("-" when
unknown), and a TIME_WAIT socket's time left before the kernel frees it
("timewait:45s", the timer ss -o shows; "-" otherwise). A socket in another
network namespace adds a NETNS column. Control characters in a name are
shown escaped (\x1b, \n), so a socket is always one line. Exit status 0
when the port is in use, 1 when it is free, 2 on bad input.

  --json          one JSON object per line per socket, with the field names
                  of 'porttop watch' (time, proto, local, remote, state, pid,
                  process, uid, range, os_ephemeral, owner_gone); names exact
`,
	"demo": `Usage: porttop demo [--rate N] [--udp] [--duration D]

Makes port churn on purpose, on loopback only (127.0.0.1 and ::1): a listener
and clients that connect, hold a moment and close, N times a second (default
20, 1 to 1000). --udp makes every other client a UDP socket. Prints a line a
second; stops on ctrl+c, SIGTERM, SIGHUP or after --duration. Watch it with porttop
in another terminal.
`,
	"version": "Usage: porttop version\n",
	"help":    "Usage: porttop help [COMMAND]\n",
}

func runHelp(args []string, stdout io.Writer) error {
	switch len(args) {
	case 0:
		fmt.Fprint(stdout, usageText)
		return nil
	case 1:
		if h, ok := commandHelp[args[0]]; ok {
			fmt.Fprint(stdout, h)
			return nil
		}
		return usagef("", "no help for %q: it is not a command", args[0])
	}
	return usagef("", "help takes one command, got %d arguments", len(args))
}
