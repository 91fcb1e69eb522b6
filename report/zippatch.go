package report

// Corrections made to excelize's output as the workbook is zipped: the
// worksheet heads and the chart caches (see spliceZip).

import (
	"bufio"
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// headPatch corrects a worksheet's head (everything before its sheet data)
// as it passes: the dimension element gets the used range, and the
// filterMode flag goes. The rest passes through untouched.
type headPatch struct {
	to   io.Writer
	dim  string
	buf  []byte
	done bool
}

func (h *headPatch) Write(p []byte) (int, error) {
	if h.done {
		return h.to.Write(p)
	}
	h.buf = append(h.buf, p...)
	if bytes.Contains(h.buf, []byte("<sheetData")) {
		return len(p), h.flush()
	}
	return len(p), nil
}

var (
	dimensionA1 = []byte(`<dimension ref="A1"></dimension>`)
	dimensionA2 = []byte(`<dimension ref="A1"/>`)
	filterMode  = []byte(` filterMode="true"`)
)

// flush writes the buffered head, corrected.
func (h *headPatch) flush() error {
	if h.done {
		return nil
	}
	h.done = true
	at := bytes.Index(h.buf, []byte("<sheetData"))
	if at < 0 {
		at = len(h.buf)
	}
	head := bytes.Replace(h.buf[:at], filterMode, nil, 1)
	if h.dim != "" {
		dim := []byte(`<dimension ref="` + h.dim + `"/>`)
		head = bytes.Replace(head, dimensionA1, dim, 1)
		head = bytes.Replace(head, dimensionA2, dim, 1)
	}
	if _, err := h.to.Write(head); err != nil {
		return err
	}
	_, err := h.to.Write(h.buf[at:])
	h.buf = nil
	return err
}

// chartCache fills a chart's caches as it is zipped: excelize writes each
// series' references (name, categories, values) with empty caches, so a
// viewer that does not recalculate (a previewer, a phone) shows a blank
// chart. The values come from the cells the references name.
type chartCache struct {
	to    io.Writer
	cells map[string]any
	buf   bytes.Buffer
}

func (c *chartCache) Write(p []byte) (int, error) { return c.buf.Write(p) }

var chartRef = regexp.MustCompile(`<(strRef|numRef)><f>([^<]*)</f>(?:<numCache>.*?</numCache>|<strCache>.*?</strCache>)?</(?:strRef|numRef)>`)

func (c *chartCache) flush() error {
	out := chartRef.ReplaceAllFunc(c.buf.Bytes(), func(m []byte) []byte {
		sub := chartRef.FindSubmatch(m)
		kind, ref := string(sub[1]), string(sub[2])
		cells := refCells(strings.ReplaceAll(ref, "&#39;", "'"))
		var b strings.Builder
		b.WriteString("<" + kind + "><f>" + ref + "</f>")
		if kind == "numRef" {
			b.WriteString("<numCache><formatCode>General</formatCode>")
		} else {
			b.WriteString("<strCache>")
		}
		b.WriteString(`<ptCount val="` + strconv.Itoa(len(cells)) + `"/>`)
		for i, name := range cells {
			v, ok := c.cells[name]
			if !ok {
				continue
			}
			var text string
			switch x := v.(type) {
			case float64:
				text = strconv.FormatFloat(x, 'f', -1, 64)
			case string:
				text = x
			default:
				continue
			}
			var esc bytes.Buffer
			bw := bufio.NewWriter(&esc)
			escapeText(bw, text)
			bw.Flush()
			b.WriteString(`<pt idx="` + strconv.Itoa(i) + `"><v>` + esc.String() + `</v></pt>`)
		}
		if kind == "numRef" {
			b.WriteString("</numCache></numRef>")
		} else {
			b.WriteString("</strCache></strRef>")
		}
		return []byte(b.String())
	})
	_, err := c.to.Write(out)
	return err
}

// refCells lists the cells of a reference such as 'Summary'!$D$4:$D$8, in
// order (one column or one row).
func refCells(ref string) []string {
	if i := strings.LastIndexByte(ref, '!'); i >= 0 {
		ref = ref[i+1:]
	}
	ref = strings.ReplaceAll(ref, "$", "")
	from, to, ok := strings.Cut(ref, ":")
	if !ok {
		return []string{from}
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for c := c1; c <= c2; c++ {
		for r := r1; r <= r2; r++ {
			out = append(out, cellName(c, r))
		}
	}
	return out
}
