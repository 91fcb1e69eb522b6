package app

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"

	"naptracker/static"

	"github.com/labstack/echo/v4"
)

// Views holds one parsed template set per page (layout + partials + page),
// parsed once at start from the embedded files. It implements echo.Renderer.
type Views struct {
	pages map[string]*template.Template
}

// NewViews parses every page in pages/ with the layouts and partials; it
// fails at start if any template is missing or broken.
func NewViews(files fs.FS, assets *static.Assets) (*Views, error) {
	funcs := template.FuncMap{
		"asset": assets.URL,
		"dict":  dict,
		"list":  func(items ...string) []string { return items },
	}
	shared, err := fs.Glob(files, "layouts/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(files, "partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	pages, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("no page templates found")
	}
	v := &Views{pages: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(files, append(append([]string{}, shared...), p)...)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		if t.Lookup("base") == nil || t.Lookup("content") == nil {
			return nil, fmt.Errorf("page %s must define \"content\" and use the base layout", name)
		}
		v.pages[name] = t
	}
	return v, nil
}

// Has reports whether a page exists.
func (v *Views) Has(name string) bool { _, ok := v.pages[name]; return ok }

// Render executes a page into a buffer first, so that a template error never
// sends half a page, then writes it.
func (v *Views) Render(w io.Writer, name string, data any, _ echo.Context) error {
	t, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "base", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// renderBuffers keeps the buffers pages are rendered into, so that a busy
// page is not rendered into a buffer that grows from nothing each time; a
// buffer that grew past maxPooledBuffer (a very large plan page) is let go.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 4 << 20

// Fragment executes one named template of a page's set (a part that a
// handler keeps rendered, say) into w. It is what handlers reach through
// their FragmentRenderer.
func (v *Views) Fragment(w io.Writer, page, name string, data any) error {
	t, ok := v.pages[page]
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	if err := t.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return nil
}

// dict builds a map from key/value pairs, to pass several values to a partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
