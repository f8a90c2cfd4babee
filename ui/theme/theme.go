// Package theme holds porttop's palettes. A palette names colours by meaning
// (a port range, an event kind), never by hue, so a screen asks for
// "Dynamic" and each theme decides what that looks like. Colour never carries
// meaning alone: every coloured thing also has a glyph or a word.
package theme

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Palette is one theme's colours.
type Palette struct {
	Name string
	// Port ranges (IANA) and the OS ephemeral range marker.
	WellKnown  lipgloss.AdaptiveColor
	Registered lipgloss.AdaptiveColor
	Dynamic    lipgloss.AdaptiveColor
	Ephemeral  lipgloss.AdaptiveColor
	// Events.
	Opened  lipgloss.AdaptiveColor
	Closed  lipgloss.AdaptiveColor
	Changed lipgloss.AdaptiveColor
	// Chrome.
	Text    lipgloss.AdaptiveColor
	Muted   lipgloss.AdaptiveColor
	Accent  lipgloss.AdaptiveColor
	Warning lipgloss.AdaptiveColor
	Error   lipgloss.AdaptiveColor
	// Selection is the cursor row's background.
	Selection lipgloss.AdaptiveColor
}

func ac(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// Default is the everyday theme.
var Default = Palette{
	Name:       "default",
	WellKnown:  ac("#B7410E", "#FF8C42"), // orange
	Registered: ac("#1F5FAD", "#5FA8FF"), // blue
	Dynamic:    ac("#7B2FA0", "#C98BFF"), // violet
	Ephemeral:  ac("#00796B", "#4DD0C4"), // teal outline/marker
	Opened:     ac("#2E7D32", "#7CDB6A"),
	Closed:     ac("#8A8A8A", "#7A7A7A"),
	Changed:    ac("#A07000", "#F2C94C"),
	Text:       ac("#1A1A1A", "#E6E6E6"),
	Muted:      ac("#6B6B6B", "#8C8C8C"),
	Accent:     ac("#005FAF", "#87AFFF"),
	Warning:    ac("#B35900", "#FFB454"),
	Error:      ac("#C62828", "#FF6B6B"),
	Selection:  ac("#D0E4FF", "#2A3B55"),
}

// Projector is high contrast for a washed-out classroom projector: saturated
// hues, pure black or white text.
var Projector = Palette{
	Name:       "projector",
	WellKnown:  ac("#C00000", "#FF5F00"),
	Registered: ac("#0000C0", "#00AFFF"),
	Dynamic:    ac("#800080", "#FF5FFF"),
	Ephemeral:  ac("#006000", "#00FF87"),
	Opened:     ac("#006000", "#00FF00"),
	Closed:     ac("#404040", "#BCBCBC"),
	Changed:    ac("#806000", "#FFFF00"),
	Text:       ac("#000000", "#FFFFFF"),
	Muted:      ac("#303030", "#D0D0D0"),
	Accent:     ac("#0000C0", "#00FFFF"),
	Warning:    ac("#804000", "#FFAF00"),
	Error:      ac("#C00000", "#FF0000"),
	Selection:  ac("#FFFF87", "#005F87"),
}

// ColorBlind uses the Okabe-Ito palette, distinguishable with the common
// forms of colour blindness; nothing depends on telling red from green.
var ColorBlind = Palette{
	Name:       "colorblind",
	WellKnown:  ac("#D55E00", "#E69F00"), // vermillion / orange
	Registered: ac("#0072B2", "#56B4E9"), // blue / sky blue
	Dynamic:    ac("#CC79A7", "#CC79A7"), // reddish purple
	Ephemeral:  ac("#009E73", "#009E73"), // bluish green
	Opened:     ac("#0072B2", "#56B4E9"),
	Closed:     ac("#666666", "#999999"),
	Changed:    ac("#B8860B", "#F0E442"), // yellow
	Text:       ac("#000000", "#EEEEEE"),
	Muted:      ac("#555555", "#AAAAAA"),
	Accent:     ac("#0072B2", "#56B4E9"),
	Warning:    ac("#D55E00", "#E69F00"),
	Error:      ac("#D55E00", "#E69F00"),
	Selection:  ac("#DDEEFF", "#223344"),
}

// All lists the themes in the order help shows them.
var All = []Palette{Default, Projector, ColorBlind}

// Names is the list of theme names, for flags and errors.
func Names() string {
	n := make([]string, len(All))
	for i, p := range All {
		n[i] = p.Name
	}
	return strings.Join(n, ", ")
}

// ByName finds a theme; "" is the default.
func ByName(name string) (Palette, error) {
	if name == "" {
		return Default, nil
	}
	for _, p := range All {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Palette{}, fmt.Errorf("unknown theme %q (choose one of: %s)", name, Names())
}
