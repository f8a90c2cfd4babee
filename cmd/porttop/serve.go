package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/metrics"
	"github.com/porttop/porttop/sampler/poll"
)

// defaultServePort is porttop's exporter port: outside every OS's default
// ephemeral range, above the 9100-9999 block of Prometheus's
// default-port allocations (full since 2023), where allocations continue.
const defaultServePort = 10337

// defaultListen is loopback: the metrics name this machine's peers, so
// another host sees them only when told (--listen).
var defaultListen = net.JoinHostPort("127.0.0.1", strconv.Itoa(defaultServePort))

const serveHelp = `Usage: porttop serve [--listen ADDR] [--port N | --filter TEXT] [--top N]
                     [--web.config.file FILE] [--interval D] [--source S]
       porttop serve --print-rules

A Prometheus exporter: serves this machine's port use at http://ADDR/metrics
(metric names start porttop_; sampler/metrics/README.md lists them) until
ctrl+c or SIGTERM.

  --listen ADDR   host:port to listen on (default ` + "127.0.0.1:10337" + `: loopback only;
                  :10337 for every address)
  --port N        count only sockets on port N; again for more
  --filter TEXT   count only sockets matching TEXT (the live view's / syntax)
  --top N         destinations with a series of their own (default 20, at most
                  1000); the rest are summed under destination="other"
  --web.config.file FILE
                  TLS and basic auth, in the Prometheus exporter-toolkit's
                  web configuration format
  --interval D    sampling interval (default: adaptive)
  --source S      auto, netlink or gopsutil
  --print-rules   print the recommended Prometheus alert rules and exit
`

func init() { commandHelp["serve"] = serveHelp }

type serveOptions struct {
	sampling
	listen     string
	top        int
	webConfig  string
	printRules bool
}

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve")
	o := serveOptions{listen: defaultListen, top: metrics.DefaultTopN}
	fs.samplingFlags(&o.sampling)
	fs.value("listen", func(v string) error {
		addr, err := parseListen(v)
		o.listen = addr
		return err
	}, "listen address")
	fs.value("top", func(v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > metrics.MaxTopN {
			return fmt.Errorf("choose a number from 1 to %d", metrics.MaxTopN)
		}
		o.top = n
		return nil
	}, "destinations with a series each")
	fs.StringVar(&o.webConfig, "web.config.file", "", "TLS and basic auth configuration")
	fs.BoolVar(&o.printRules, "print-rules", false, "print alert rules")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "serve", stdout)
	}
	if len(pos) > 0 {
		return usagef("serve", "unexpected argument %q", pos[0])
	}
	if o.printRules {
		if _, err := io.WriteString(stdout, metrics.Rules); err != nil && !readerGone(err) {
			return failf(exitFail, "writing stdout: %v", err)
		}
		return nil
	}
	if o.webConfig != "" {
		if err := web.Validate(o.webConfig); err != nil {
			return failf(exitUsage, "--web.config.file %s: %v", o.webConfig, err)
		}
	}
	return serve(o, stderr)
}

// parseListen checks a --listen address: host:port, the host an IP
// address, a name or empty (every address), the port a number.
func parseListen(v string) (string, error) {
	host, port, err := net.SplitHostPort(strings.TrimSpace(v))
	if err != nil {
		return "", errors.New("write it as host:port, like 127.0.0.1:10337 or [::1]:10337")
	}
	if _, perr := strconv.ParseUint(port, 10, 16); perr != nil {
		return "", fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if strings.ContainsAny(host, " /?#@") {
		return "", fmt.Errorf("%q is not a host name or address", host)
	}
	return net.JoinHostPort(host, port), nil
}

func serve(o serveOptions, stderr io.Writer) error {
	m, err := openMachine(o.source, true)
	if err != nil {
		return err
	}
	f, err := parseFilter("serve", o.filterText(), m.ephemeral)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return failf(exitUsage, "cannot listen on %s: %v", o.listen, listenProblem(err))
	}
	defer l.Close()
	for _, n := range m.notes {
		fmt.Fprintln(stderr, "porttop: "+n)
	}

	opts := metrics.Options{TopN: o.top, Ephemeral: m.ephemeral}
	// A source that streams the kernel's transitions also reports the
	// calls that failed for want of a port: their counters start at 0.
	_, opts.SeesFailures = m.src.(sampler.TransitionWatcher)
	if !f.IsZero() {
		opts.Match = f.Match
	}
	c := metrics.NewCollector(opts)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	ctx, stop := signalContext()
	defer stop()
	poller, wait := startPoller(ctx, poll.Config{Source: m.src, Interval: o.interval, Ephemeral: m.rereadEphemeral}, query(f))
	defer func() {
		stop()
		wait()
	}()
	go feedCollector(ctx, poller, c)

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4, Timeout: 10 * time.Second}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "porttop exporter: metrics at /metrics")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if o.webConfig == "" {
		fmt.Fprintf(stderr, "porttop: serving metrics on http://%s/metrics\n", l.Addr())
	} else {
		fmt.Fprintf(stderr, "porttop: serving metrics on %s, path /metrics (TLS and basic auth per %s)\n", l.Addr(), o.webConfig)
	}

	served := make(chan error, 1)
	go func() {
		systemd := false
		served <- web.Serve(l, srv, &web.FlagConfig{
			WebListenAddresses: &[]string{o.listen},
			WebSystemdSocket:   &systemd,
			WebConfigFile:      &o.webConfig,
		}, logger)
	}()
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return failf(exitFail, "serving metrics: %v", err)
		}
		return nil
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shut)
	return nil
}

// feedCollector hands every batch to the collector until ctx ends.
func feedCollector(ctx context.Context, feed sampler.Feed, c *metrics.Collector) {
	for {
		b, err := feed.Next(ctx)
		if err != nil {
			return
		}
		done := c.Observe(b) // the collector keeps the newest table until a scrape counts it
		if r, ok := feed.(sampler.Recycler); ok && done.Sockets != nil {
			r.Recycle(done)
		}
	}
}

// listenProblem says why a listen failed in the words a user knows.
func listenProblem(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	msg := err.Error()
	if strings.Contains(msg, "address already in use") {
		return "the port is in use (pick another with --listen)"
	}
	return msg
}
