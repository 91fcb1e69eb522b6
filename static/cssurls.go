package static

import (
	"path"
	"regexp"
	"strings"
)

// cssURL matches a relative url("../dir/file") in a stylesheet, such as the
// font files of an @font-face rule.
var cssURL = regexp.MustCompile(`url\("\.\./([A-Za-z0-9_./-]+)"\)`)

// rewriteCSS points the relative URLs of the stylesheet at name to the
// hashed addresses of the files they name, so that a font is cached as
// immutably as the stylesheet itself. A URL naming no embedded file is left
// as it is.
func rewriteCSS(name string, css []byte, hashes map[string]string) []byte {
	dir := path.Dir(path.Dir(name))
	return cssURL.ReplaceAllFunc(css, func(m []byte) []byte {
		rel := string(cssURL.FindSubmatch(m)[1])
		target := strings.TrimPrefix(path.Join(dir, rel), "./")
		h, ok := hashes[target]
		if !ok {
			return m
		}
		return []byte(`url("/static/` + h + `/` + target + `")`)
	})
}

// contentTypes are the types the standard library does not know on every
// system; ServeContent guesses the others from the file name.
var contentTypes = map[string]string{".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8"}
