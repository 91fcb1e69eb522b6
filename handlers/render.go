package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"naptracker/pagegzip"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// FragmentRenderer is a renderer that can also execute one named template
// of a page's set on its own (app.Views is one): a handler renders the
// parts of a page that are the same for many readers once, keeps them, and
// puts them into each reader's page as they are.
type FragmentRenderer interface {
	Fragment(w io.Writer, page, name string, data any) error
}

// renderFragment renders the template name of page's set with data, for
// this request only (see keepFragment for a part kept for many).
func renderFragment(c echo.Context, page, name string, data any) (*pagegzip.Part, error) {
	r, ok := c.Echo().Renderer.(FragmentRenderer)
	if !ok {
		return nil, fmt.Errorf("the renderer cannot render the part %s of %s on its own", name, page)
	}
	var buf bytes.Buffer
	if err := r.Fragment(&buf, page, name, data); err != nil {
		return nil, err
	}
	return &pagegzip.Part{HTML: template.HTML(buf.String())}, nil
}

// keepFragment renders a part as renderFragment does, and compresses it
// once: it is kept and sent to many readers.
func keepFragment(c echo.Context, page, name string, data any) (*pagegzip.Part, error) {
	p, err := renderFragment(c, page, name, data)
	if err != nil {
		return nil, err
	}
	return pagegzip.NewPart(p.HTML), nil
}

// renderWithParts renders a page whose data holds parts (kept ones are
// spliced into the response compressed as they were kept), in the order
// they appear in the page.
func renderWithParts(c echo.Context, name string, data any, parts ...*pagegzip.Part) error {
	r, ok := c.Echo().Renderer.(FragmentRenderer)
	if !ok {
		return fmt.Errorf("the renderer cannot render the page %s into a buffer of its caller", name)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			pageBuffers.Put(buf)
		}
	}()
	// The whole page ("base" of its set) straight into this buffer: the
	// renderer's own Render would render into a buffer of its own first.
	if err := r.Fragment(buf, name, "base", data); err != nil {
		return err
	}
	return pagegzip.WriteHTML(c, http.StatusOK, buf.Bytes(), parts...)
}

// pageBuffers keeps the buffers of renderWithParts; one that grew past
// maxPooledPage (a very large plan page) is let go.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledPage = 4 << 20
