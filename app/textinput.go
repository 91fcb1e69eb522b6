package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// rejectBadText refuses, before any handler sees them, text that no
// database can store alike: NUL characters (PostgreSQL refuses them, SQLite
// keeps them) and bytes that are not UTF-8. It looks at the path, the
// query, form bodies, multipart bodies (their fields and file names) and
// JSON bodies, and names the field at fault: 400 for the address (path,
// query parameter), 422 for what is submitted.
func rejectBadText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !goodText(req.URL.Path) {
			return &domain.BadRequestError{ValidationError: domain.FieldError("path", "err.text_bytes")}
		}
		if field, ok := badQuery(req.URL.RawQuery); ok {
			return &domain.BadRequestError{ValidationError: domain.FieldError(field, "err.text_bytes")}
		}
		if req.Body == nil || req.Method == http.MethodGet || req.Method == http.MethodHead {
			return next(c)
		}
		ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
		switch {
		case ct == echo.MIMEApplicationForm:
			if err := req.ParseForm(); err != nil {
				return next(c) // the handler reports a malformed body its own way
			}
			for name, values := range req.PostForm {
				if !goodText(name) {
					return domain.FieldError("form", "err.text_bytes")
				}
				for _, v := range values {
					if !goodText(v) {
						return domain.FieldError(name, "err.text_bytes")
					}
				}
			}
		case ct == echo.MIMEMultipartForm:
			if err := req.ParseMultipartForm(multipartMemory); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return echo.ErrStatusRequestEntityTooLarge
				}
				return &domain.BadRequestError{ValidationError: domain.FieldError("files", "err.multipart")}
			}
			// Files past multipartMemory wait in temporary files: remove
			// them whatever the handler does.
			defer req.MultipartForm.RemoveAll()
			if field, bad := badMultipart(req.MultipartForm); bad {
				return domain.FieldError(field, "err.text_bytes")
			}
		case ct == echo.MIMEApplicationJSON || strings.HasSuffix(ct, "+json"):
			body, err := io.ReadAll(req.Body)
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
			if err != nil {
				return err // over the body limit: echo's 413
			}
			if field, bad := badJSON(body); bad {
				return domain.FieldError(field, "err.text_bytes")
			}
		}
		return next(c)
	}
}

// multipartMemory is how much of a multipart body is held in memory; the
// rest of its files go to temporary files.
const multipartMemory = 8 << 20

// badMultipart returns the first field of a multipart form whose name or
// value, or whose file's name, is not good text.
func badMultipart(f *multipart.Form) (string, bool) {
	for name, values := range f.Value {
		if !goodText(name) {
			return "form", true
		}
		for _, v := range values {
			if !goodText(v) {
				return name, true
			}
		}
	}
	for name, files := range f.File {
		if !goodText(name) {
			return "form", true
		}
		for _, fh := range files {
			if !goodText(fh.Filename) {
				return name, true
			}
		}
	}
	return "", false
}

// goodText reports whether s is UTF-8 without NUL characters.
func goodText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// badQuery returns the first query parameter whose name or value is not
// good text once decoded. A query Go cannot decode at all is left to the
// handlers, which then see no such parameter.
func badQuery(raw string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		if !goodText(name) {
			return "query", true
		}
		if !goodText(value) {
			return name, true
		}
	}
	return "", false
}

// badJSON walks a JSON document and returns the path ("narrative",
// "disaggregation.sex=female", "items.2") of the first string, or object
// key, holding bytes that are not UTF-8 or an escaped NUL (\u0000). Go's
// decoder would silently turn bad bytes into U+FFFD, so each string token
// is checked in the raw body. A document that is not JSON is left to the
// handler, which answers it.
func badJSON(body []byte) (string, bool) {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object  bool
		key     string
		index   int
		wantKey bool
	}
	var stack []frame
	// path names the value being read: the keys and indexes leading to it.
	path := func() string {
		var parts []string
		for _, f := range stack {
			if f.object {
				parts = append(parts, f.key)
			} else {
				parts = append(parts, strconv.Itoa(f.index))
			}
		}
		if len(parts) == 0 {
			return "body"
		}
		return strings.Join(parts, ".")
	}
	// valueDone moves the enclosing container on after one of its values.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	prev := dec.InputOffset()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		raw := body[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			bad := !utf8.Valid(raw) || strings.ContainsRune(t, 0)
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				if bad { // a bad key: name the object that holds it
					stack = stack[:n-1]
					return path(), true
				}
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			if bad {
				return path(), true
			}
			valueDone()
		default:
			valueDone()
		}
		if len(stack) == 0 && !dec.More() {
			return "", false
		}
	}
}
