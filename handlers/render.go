package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/labstack/echo/v4"
)

// FragmentRenderer is a renderer that can also execute one named template
// of a page's set on its own (app.Views is one): a handler renders the
// parts of a page that are the same for many readers once, keeps them, and
// puts them into each reader's page as they are.
type FragmentRenderer interface {
	Fragment(w io.Writer, page, name string, data any) error
}

// renderFragment renders the template name of page's set with data.
func renderFragment(c echo.Context, page, name string, data any) (template.HTML, error) {
	r, ok := c.Echo().Renderer.(FragmentRenderer)
	if !ok {
		return "", fmt.Errorf("the renderer cannot render the part %s of %s on its own", name, page)
	}
	var buf bytes.Buffer
	if err := r.Fragment(&buf, page, name, data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}
