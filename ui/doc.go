// Package ui is porttop's terminal interface, a bubbletea model: a header
// with machine-wide figures (the OS ephemeral range and how full it is,
// counts per IANA range, hand-out and release rates, how sampling goes), the
// live socket table, the event feed, the `/` filter line, an explain pane,
// the port map and churn panel, and help with a legend.
//
// Build it with New(Config) and run it with tea.NewProgram. Batches come from
// Config.Feed through a command, so the model never blocks on sampling.
//
// The table, the feed, the churn panel and the map are components with
// their own KeyMap, Update, SetSize and View; keys reach them through an
// explicit mode (mode.go). COMPONENTS.md describes both.
package ui
