package ports

// ParseLinuxRange reads the text of an ip_local_port_range file ("32768\t60999\n"),
// for callers that read one of another network namespace (sampler/netns).
func ParseLinuxRange(text string) (Range, error) { return parseLinuxPortRange(text) }
