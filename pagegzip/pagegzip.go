// Package pagegzip compresses responses with gzip for the clients that
// accept it, and lets a page splice in parts that are compressed once.
//
// A page that many readers load at once (the dashboard in a workshop, the
// plan page of a large plan) is mostly parts rendered once and kept: the
// same bytes for everyone. Compressing them again for every request was
// half of the dashboard's processor time. A Part keeps its HTML compressed
// once, as raw deflate blocks ending on a byte boundary (a sync flush); a
// gzip stream may be made of such runs one after another, so the response
// is the reader's own HTML compressed as it is written, the parts' bytes
// copied in between, and one final block. The checksum in the gzip trailer
// covers every byte of the HTML, the parts' included.
package pagegzip

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"html/template"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/labstack/echo/v4"
)

// Part is a part of a page rendered once and kept for many requests (made
// by NewPart), or one rendered for this request only (a Part with just its
// HTML, compressed with the rest of the page).
type Part struct {
	// HTML is the part as the page's template prints it.
	HTML template.HTML
	// raw is HTML as bytes (the same memory, never written to).
	raw []byte
	// deflated is HTML compressed on its own: raw deflate blocks ending
	// with a sync flush, none of them final, referring to nothing before.
	deflated []byte
}

// NewPart compresses html once, as hard as flate can: it is kept.
func NewPart(html template.HTML) *Part {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	raw := unsafe.Slice(unsafe.StringData(string(html)), len(html))
	_, _ = fw.Write(raw)
	_ = fw.Flush()
	return &Part{HTML: html, raw: raw, deflated: bytes.Clone(buf.Bytes())}
}

// Middleware compresses the responses of clients that accept gzip at
// level, unless the body is shorter than minLength (sent as it is) or the
// response is already compressed (an .xlsx, a PDF, an image) or encoded.
func Middleware(level, minLength int) echo.MiddlewareFunc {
	pool := writerPool(level)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if !acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
				return next(c)
			}
			w := &writer{ResponseWriter: res.Writer, min: minLength, pool: pool}
			res.Writer = w
			defer func() {
				res.Writer = w.ResponseWriter
				w.finish()
			}()
			return next(c)
		}
	}
}

// writerPool keeps compressors of a level.
func writerPool(level int) *sync.Pool {
	return &sync.Pool{New: func() any {
		fw, _ := flate.NewWriter(nil, level)
		return fw
	}}
}

// fastPool keeps the compressors of the reader's own parts of a page with
// kept parts: flate's fastest level, whose reset (after every kept part,
// and for every response) is nearly free, where the other levels clear
// 640 KB of tables. Those parts are small; the bulk is compressed already.
var fastPool = writerPool(flate.BestSpeed)

// smallBody is the size under which a response whose first write is the
// whole of it so far is compressed at the fastest level.
const smallBody = 16 << 10

// acceptsGzip reports whether an Accept-Encoding header lists gzip
// without refusing it (q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			q, err := strconv.ParseFloat(v, 64)
			return err != nil || q > 0 // a weight it cannot read does not refuse
		}
		return true
	}
	return false
}

// writer compresses a response once its body reaches min bytes.
type writer struct {
	http.ResponseWriter
	min     int
	pool    *sync.Pool // compressors of the middleware's level
	usePool *sync.Pool // the pool fw came from
	code    int        // the status the handler set, sent with the first bytes
	held    []byte     // the body so far, while shorter than min
	started bool       // the header is out: the body is compressed or sent as is
	plain   bool       // sent as is
	fw      *flate.Writer
	crc     uint32
	size    uint32
}

func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *writer) WriteHeader(code int) { w.code = code }

func (w *writer) Write(b []byte) (int, error) {
	if !w.started {
		if w.Header().Get(echo.HeaderContentType) == "" {
			w.Header().Set(echo.HeaderContentType, http.DetectContentType(b))
		}
		if len(w.held)+len(b) < w.min {
			w.held = append(w.held, b...)
			return len(b), nil
		}
		// A small body (a page is rendered whole and written at once) is
		// compressed at the fastest level: at the middleware's level,
		// clearing the compressor's tables cost more than compressing a
		// 2 KB page, for a few bytes less.
		if w.usePool == nil && len(w.held)+len(b) < smallBody {
			w.usePool = fastPool
		}
		if err := w.start(); err != nil {
			return 0, err
		}
	}
	if w.plain {
		return w.ResponseWriter.Write(b)
	}
	w.crc = crc32.Update(w.crc, crc32.IEEETable, b)
	w.size += uint32(len(b))
	return w.fw.Write(b)
}

// start sends the header and what was held, compressed unless the
// response is already.
func (w *writer) start() error {
	w.started = true
	h := w.Header()
	// Already compressed, or a range of a file (compressing a part of it
	// would change what the range means).
	w.plain = h.Get(echo.HeaderContentEncoding) != "" || h.Get("Content-Range") != "" ||
		w.status() == http.StatusPartialContent || compressed(h.Get(echo.HeaderContentType))
	if !w.plain {
		h.Set(echo.HeaderContentEncoding, "gzip")
		h.Del(echo.HeaderContentLength)
	}
	w.ResponseWriter.WriteHeader(w.status())
	held := w.held
	w.held = nil
	if w.plain {
		_, err := w.ResponseWriter.Write(held)
		return err
	}
	// The gzip header: deflate, no name, no time, unknown system.
	if _, err := w.ResponseWriter.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}); err != nil {
		return err
	}
	if w.usePool == nil {
		w.usePool = w.pool
	}
	w.fw = w.usePool.Get().(*flate.Writer)
	w.fw.Reset(w.ResponseWriter)
	w.crc = crc32.Update(0, crc32.IEEETable, held)
	w.size = uint32(len(held))
	_, err := w.fw.Write(held)
	return err
}

func (w *writer) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// splice writes a kept part: what the compressor holds is flushed to a
// byte boundary, the part's own deflate blocks follow, and the
// compressor starts again with no history (its next blocks must not refer
// back across the part).
func (w *writer) splice(p *Part) error {
	if !w.started {
		if err := w.start(); err != nil {
			return err
		}
	}
	if w.plain {
		_, err := w.ResponseWriter.Write(p.raw)
		return err
	}
	if err := w.fw.Flush(); err != nil {
		return err
	}
	if _, err := w.ResponseWriter.Write(p.deflated); err != nil {
		return err
	}
	w.crc = crc32.Update(w.crc, crc32.IEEETable, p.raw)
	w.size += uint32(len(p.HTML))
	w.fw.Reset(w.ResponseWriter)
	return nil
}

// Flush sends what is written so far (compressed, when it is).
func (w *writer) Flush() {
	if !w.started {
		_ = w.start()
	}
	if w.fw != nil {
		_ = w.fw.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// finish ends the response: a short body goes as it is, a compressed one
// gets its final block and trailer.
func (w *writer) finish() {
	switch {
	case !w.started:
		if w.code != 0 || len(w.held) > 0 {
			w.ResponseWriter.WriteHeader(w.status())
		}
		if len(w.held) > 0 {
			_, _ = w.ResponseWriter.Write(w.held)
		}
	case w.fw != nil:
		if w.fw.Close() == nil {
			var trailer [8]byte
			binary.LittleEndian.PutUint32(trailer[:4], w.crc)
			binary.LittleEndian.PutUint32(trailer[4:], w.size)
			_, _ = w.ResponseWriter.Write(trailer[:])
		}
		w.fw.Reset(nil)
		w.usePool.Put(w.fw)
		w.fw = nil
	}
}

// compressed reports whether a content type is compressed already, so
// that compressing it again costs time for nothing.
func compressed(contentType string) bool {
	t, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(t, "image/") && t != "image/svg+xml",
		strings.HasPrefix(t, "application/vnd.openxmlformats-officedocument."),
		t == "application/zip", t == "application/pdf", t == "application/gzip":
		return true
	}
	return false
}

// WriteHTML sends page, an HTML page with code, in which the parts appear
// in the order given: their HTML is copied in compressed once, the rest
// compressed as it is written (or all of it sent as it is, to a client
// that does not accept gzip). A part that page does not contain where it
// is expected is simply compressed with the rest.
func WriteHTML(c echo.Context, code int, page []byte, parts ...*Part) error {
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	w, ok := res.Writer.(*writer)
	if !ok {
		return c.HTMLBlob(code, page)
	}
	if !w.started && slices.ContainsFunc(parts, func(p *Part) bool { return p != nil && p.deflated != nil }) {
		w.usePool = fastPool
	}
	res.WriteHeader(code)
	rest := page
	for _, p := range parts {
		if p == nil || p.deflated == nil {
			continue // not kept: compressed with the rest
		}
		at := bytes.Index(rest, p.raw)
		if at < 0 {
			continue
		}
		if _, err := res.Write(rest[:at]); err != nil {
			return err
		}
		if err := w.splice(p); err != nil {
			return err
		}
		res.Size += int64(len(p.HTML))
		rest = rest[at+len(p.HTML):]
	}
	_, err := res.Write(rest)
	return err
}
