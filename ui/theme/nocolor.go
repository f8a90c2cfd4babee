package theme

// NoColor is the palette for NO_COLOR and --no-color: every colour empty,
// so styles built from it print no colour escape at all, while reverse
// video, bold, dim and underline still show (the cursor row, new and
// closed rows). It is not a theme one picks, so All leaves it out.
var NoColor = Palette{Name: "no-color"}
