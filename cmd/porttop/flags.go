package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/sources"
	"github.com/porttop/porttop/ui/churn"
	"github.com/porttop/porttop/ui/theme"
)

// Interval bounds: below 10ms sampling is all porttop would do; above an
// hour nothing is live any more.
const (
	minInterval = 10 * time.Millisecond
	maxInterval = time.Hour
)

// flagSet wraps flag.FlagSet so that a bad value comes out as one line of
// ours rather than the package's usage dump.
type flagSet struct {
	*flag.FlagSet
	cmd string // "" for porttop itself
	bad error  // the first value error, in our words
	// takesPort: the command's argument is a PORT, so -1 is a port out of
	// range rather than an unknown flag.
	takesPort bool
}

// negativePort is what the flag package took for a flag in `who -1/udp`.
var negativePort = regexp.MustCompile(`^[0-9]+(/[A-Za-z]*)?$`)

func newFlagSet(cmd string) *flagSet {
	name := "porttop"
	if cmd != "" {
		name += " " + cmd
	}
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), cmd: cmd}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// checked is a flag.Value whose Set reports problems to its set in our words.
type checked struct {
	fs   *flagSet
	name string
	set  func(string) error
	show func() string
}

func (c *checked) String() string {
	if c == nil || c.show == nil {
		return ""
	}
	return c.show()
}

func (c *checked) Set(s string) error {
	if err := c.set(s); err != nil {
		if c.fs.bad == nil {
			c.fs.bad = fmt.Errorf("--%s %s: %w", c.name, quoteIfNeeded(s), err)
		}
		return err
	}
	return nil
}

func (fs *flagSet) value(name string, set func(string) error, usage string) {
	fs.Var(&checked{fs: fs, name: name, set: set, show: func() string { return "" }}, name, usage)
}

// parse parses args, allowing flags after positional arguments
// (`porttop replay FILE --speed 2`), and returns the positionals.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fs.explain(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// errHelp asks the caller to print its help and succeed.
var errHelp = errors.New("help")

// explain turns a flag package error into one line of ours.
func (fs *flagSet) explain(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	if fs.bad != nil {
		return usagef(fs.cmd, "%v", fs.bad)
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		name := strings.TrimLeft(strings.TrimPrefix(msg, "flag provided but not defined: "), "-")
		if fs.takesPort && negativePort.MatchString(name) {
			// `porttop who -1`: a port below 0, not a flag.
			if _, _, err := parsePortArg("-" + name); err != nil {
				return usagef(fs.cmd, "%v", err)
			}
		}
		return usagef(fs.cmd, "unknown flag --%s", name)
	case strings.HasPrefix(msg, "flag needs an argument: "):
		name := strings.TrimLeft(strings.TrimPrefix(msg, "flag needs an argument: "), "-")
		return usagef(fs.cmd, "--%s needs a value", name)
	case strings.HasPrefix(msg, "invalid boolean value"), strings.HasPrefix(msg, "invalid value"):
		return usagef(fs.cmd, "%s", strings.Replace(msg, " -", " --", 1))
	}
	return usagef(fs.cmd, "%s", msg)
}

// helpOr prints cmd's help for errHelp, else passes err on.
func helpOr(err error, cmd string, stdout io.Writer) error {
	if errors.Is(err, errHelp) {
		if cmd == "" {
			fmt.Fprint(stdout, usageText)
		} else {
			fmt.Fprint(stdout, commandHelp[cmd])
		}
		return nil
	}
	return err
}

// sampling holds the flags every sampling command shares.
type sampling struct {
	port     string // as typed, "" for none
	filter   string
	interval time.Duration // 0: adaptive
	source   string
}

func (fs *flagSet) samplingFlags(s *sampling) {
	fs.portFlag(&s.port)
	fs.filterFlag(&s.filter)
	fs.value("interval", func(v string) error {
		d, err := parseInterval(v)
		s.interval = d
		return err
	}, "sampling interval")
	fs.sourceFlag(&s.source)
}

func (fs *flagSet) sourceFlag(source *string) {
	fs.value("source", func(v string) error {
		for _, n := range sources.Names() {
			if strings.EqualFold(n, v) {
				*source = n
				return nil
			}
		}
		return fmt.Errorf("unknown source: choose one of %s", strings.Join(sources.Names(), ", "))
	}, "source")
}

// portProblem says what is wrong with a port without repeating it.
func portProblem(v string) error {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "+") {
		return fmt.Errorf("has a sign: write the port alone, like %s", strings.TrimLeft(t, "+"))
	}
	if _, err := strconv.ParseInt(t, 10, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
		return errors.New("not a number: ports are 0-65535")
	}
	return errors.New("out of range: ports are 0-65535")
}

// addPort adds p to a --port list ("8765,22", a filter's port list): each
// --port given widens what is shown, as the list would.
func addPort(list string, p uint16) string {
	n := strconv.Itoa(int(p))
	if list == "" {
		return n
	}
	if slices.Contains(strings.Split(list, ","), n) {
		return list
	}
	return list + "," + n
}

// filterText combines --port and --filter into one filter line.
func (s *sampling) filterText() string {
	return strings.TrimSpace(s.port + " " + s.filter)
}

// parseInterval reads a positive duration; "auto" or "adaptive" mean 0.
func parseInterval(v string) (time.Duration, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "auto", "adaptive":
		return 0, nil
	}
	d, err := parseDuration(v)
	if errors.Is(err, errDurationTooLong) {
		return 0, fmt.Errorf("too long: the most is %v", maxInterval)
	}
	if err != nil {
		if _, nerr := strconv.ParseFloat(strings.TrimSpace(v), 64); nerr == nil {
			return 0, fmt.Errorf("needs a unit, like 500ms or 2s (leave it out for adaptive sampling)")
		}
		return 0, fmt.Errorf("not a duration: write it like 500ms or 2s (leave it out for adaptive sampling)")
	}
	switch {
	case d <= 0:
		return 0, fmt.Errorf("must be positive (leave it out for adaptive sampling)")
	case d < minInterval:
		return 0, fmt.Errorf("too short: the least is %v", minInterval)
	case d > maxInterval:
		return 0, fmt.Errorf("too long: the most is %v", maxInterval)
	}
	return d, nil
}

// errDurationTooLong: a duration written right but past time.Duration's
// 290 years, which time.ParseDuration calls invalid.
var errDurationTooLong = errors.New("too long")

// durationText is what time.ParseDuration accepts, overflow aside.
var durationText = regexp.MustCompile(`^[+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`)

// parseDuration is time.ParseDuration that tells a duration too long to
// hold (errDurationTooLong) from one that is not a duration at all.
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	d, err := time.ParseDuration(v)
	if err != nil && durationText.MatchString(v) && strings.ContainsAny(v, "0123456789") {
		return 0, errDurationTooLong
	}
	return d, err
}

// filterFlag takes --filter once: two filters could mean either or both,
// so porttop asks for one line holding what is meant.
// portFlag is --port N, again for more ports (the filter "80,443").
func (fs *flagSet) portFlag(port *string) {
	fs.value("port", func(v string) error {
		p, err := ports.ParsePort(v)
		if err != nil {
			return portProblem(v)
		}
		*port = addPort(*port, p)
		return nil
	}, "only port N; again for more ports")
}

// filterFlag is --filter TEXT, given once: a second is an error, since
// two filters could mean either or both.
func (fs *flagSet) filterFlag(text *string) {
	set := false
	fs.value("filter", func(v string) error {
		if set {
			return fmt.Errorf("given twice (first %s): write one filter holding both, like --filter \"tcp time-wait\" (repeat --port for more ports)", quoteIfNeeded(*text))
		}
		set = true
		*text = v
		return nil
	}, "filter text")
}

// parsePortArg reads PORT or PORT/PROTO; proto 0 means both.
func parsePortArg(s string) (uint16, sampler.Proto, error) {
	p, protoText, hasProto := strings.Cut(s, "/")
	port, err := ports.ParsePort(p)
	if err != nil {
		return 0, 0, err
	}
	if !hasProto {
		return port, 0, nil
	}
	proto, ok := sampler.ParseProto(strings.ToLower(protoText))
	if !ok {
		return 0, 0, fmt.Errorf("protocol %q is not tcp or udp", protoText)
	}
	return port, proto, nil
}

// display holds the live view's look flags.
type display struct {
	theme   theme.Palette
	noColor bool
	// warn is the churn panel's WARN threshold, a share of the OS
	// ephemeral range one destination may hold (--warn; 0: the default).
	warn float64
}

// colourOff: --no-color, or NO_COLOR set to anything.
func (d display) colourOff() bool { return d.noColor || os.Getenv("NO_COLOR") != "" }

// palette is the theme's palette, or none of its colours when colour is off.
func (d display) palette() theme.Palette { return paletteFor(d.colourOff(), d.theme) }

func (fs *flagSet) displayFlags(d *display) {
	d.theme = theme.Default
	fs.value("theme", func(v string) error {
		p, err := theme.ByName(v)
		if err != nil {
			return fmt.Errorf("unknown theme: choose one of %s", theme.Names())
		}
		d.theme = p
		return nil
	}, "colour theme")
	fs.BoolVar(&d.noColor, "no-color", false, "no colour")
	fs.value("warn", func(v string) error {
		t, err := churn.ParseThreshold(v)
		if err != nil {
			return errors.New("want a share of the OS ephemeral range above 0 and at most 100%, like 50% or 0.5")
		}
		d.warn = t
		return nil
	}, "WARN threshold")
}

// quoteIfNeeded quotes a value only when it would be unclear bare.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'") || !strconv.CanBackquote(s) {
		return strconv.Quote(s)
	}
	return s
}
