// Package static holds the stylesheets, scripts, fonts and images, embedded
// into the binary and served under a content hash so browsers can cache them
// for a year (no CDN, ever).
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed css img fonts js
var FS embed.FS

// Assets knows the content hash of every embedded file.
type Assets struct {
	hashes map[string]string // "css/app.css" → first 12 hex digits of its SHA-256
	files  map[string][]byte // what is served: stylesheets with their URLs hashed
}

// Load hashes every embedded file once, at start. Stylesheets are hashed
// last, after their relative URLs (fonts) are rewritten to hashed ones.
func Load() (*Assets, error) {
	a := &Assets{hashes: map[string]string{}, files: map[string][]byte{}}
	var sheets []string
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		a.files[p] = b
		if path.Ext(p) == ".css" {
			sheets = append(sheets, p)
			return nil
		}
		a.hashes[p] = hashOf(b)
		return nil
	})
	for _, p := range sheets {
		a.files[p] = rewriteCSS(p, a.files[p], a.hashes)
		a.hashes[p] = hashOf(a.files[p])
	}
	return a, err
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

// URL returns the cache-busting address of an asset, /static/<hash>/<name>.
// An unknown name panics at template execution, which tests catch at once.
func (a *Assets) URL(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return "/static/" + h + "/" + name
}

// Handler serves /static/<hash>/<name>. When the hash is current the file is
// cached for a year as immutable; an old hash still gets the file, briefly cached.
func (a *Assets) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hash, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/static/"), "/")
		name = path.Clean("/" + name)[1:]
		current, known := a.hashes[name]
		if !known {
			http.NotFound(w, r)
			return
		}
		b := a.files[name]
		if ct, ok := contentTypes[path.Ext(name)]; ok {
			w.Header().Set("Content-Type", ct)
		}
		if hash == current {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	})
}
