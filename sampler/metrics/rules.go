package metrics

import _ "embed"

// Rules is the recommended alerting rules file, as `porttop serve
// --print-rules` prints it (alerts.yml).
//
//go:embed alerts.yml
var Rules string
