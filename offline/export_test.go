package offline

import (
	"io"

	"naptracker/reporting"
)

// WriteTemplate writes the template of one period's grid, as the tests
// make it (the program always goes through WriteRangeTemplate).
func WriteTemplate(w io.Writer, g *reporting.ValueGrid, o TemplateOptions) error {
	return WriteRangeTemplate(w, []*reporting.ValueGrid{g}, o)
}
