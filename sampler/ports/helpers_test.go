package ports

import (
	"encoding/json"
	"strconv"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
func itoa(p uint16) string                { return strconv.Itoa(int(p)) }
