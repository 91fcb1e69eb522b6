package pagegzip_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"naptracker/app/apptest"
	"naptracker/pagegzip"

	"github.com/labstack/echo/v4"
)

// server answers with pages made of a reader's own HTML around kept parts,
// behind the middleware, as the application does.
func server(t *testing.T, parts []*pagegzip.Part) *httptest.Server {
	t.Helper()
	e := echo.New()
	e.Use(pagegzip.Middleware(5, 1024))
	e.GET("/page", func(c echo.Context) error {
		return pagegzip.WriteHTML(c, http.StatusOK, page(c.QueryParam("who"), parts), parts...)
	})
	// The parts are listed in another order than the page has them: the
	// first one is found, the others are compressed with the rest.
	e.GET("/shuffled", func(c echo.Context) error {
		rev := []*pagegzip.Part{parts[len(parts)-1]}
		rev = append(rev, parts[:len(parts)-1]...)
		return pagegzip.WriteHTML(c, http.StatusOK, page("x", parts), rev...)
	})
	e.GET("/short", func(c echo.Context) error { return c.HTML(http.StatusOK, "<p>short</p>") })
	e.GET("/created", func(c echo.Context) error {
		return c.HTML(http.StatusCreated, strings.Repeat("<p>created</p>", 200))
	})
	e.GET("/workbook", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentLength, "5000")
		return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes.Repeat([]byte("PK"), 2500))
	})
	e.GET("/notmodified", func(c echo.Context) error { return c.NoContent(http.StatusNotModified) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// page is a reader's page: their own lines between the parts.
func page(who string, parts []*pagegzip.Part) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!doctype html><title>%s</title>%s", who, strings.Repeat("<nav>menu of "+who+"</nav>", 40))
	for i, p := range parts {
		b.WriteString(string(p.HTML))
		fmt.Fprintf(&b, "<p>between %d for %s</p>", i, who)
	}
	return b.Bytes()
}

func keptParts() []*pagegzip.Part {
	var parts []*pagegzip.Part
	for i := range 3 {
		var b strings.Builder
		for row := range 400 * (i + 1) {
			fmt.Fprintf(&b, "<tr><td>indicator %d.%d</td><td>%d</td><td class=\"rag-%d\">on track</td></tr>", i, row, row*37%1000, row%4)
		}
		parts = append(parts, pagegzip.NewPart(template.HTML(b.String())))
	}
	// A part that is empty and one only rendered for this request.
	parts = append(parts, pagegzip.NewPart(""), &pagegzip.Part{HTML: "<p>not kept</p>"})
	return parts
}

func get(t *testing.T, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	// A transport of its own: Go's default one would ask for gzip itself
	// and hide the encoding.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestSplicedPageDecodesToThePage(t *testing.T) {
	parts := keptParts()
	srv := server(t, parts)
	want := page("ana", parts)
	resp, body := get(t, srv.URL+"/page?who=ana", "gzip, deflate")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if got := apptest.Gunzip(t, body); !bytes.Equal(got, want) {
		t.Fatalf("decoded page differs from the page (%d vs %d bytes)", len(got), len(want))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q", resp.Header.Get("Vary"))
	}
	// The kept parts are smaller compressed than the page is plain.
	if len(body)*4 > len(want) {
		t.Errorf("compressed %d bytes of %d", len(body), len(want))
	}
	// Parts given in another order than the page has them.
	_, body = get(t, srv.URL+"/shuffled", "gzip")
	if got := apptest.Gunzip(t, body); !bytes.Equal(got, page("x", parts)) {
		t.Fatal("a page whose parts were listed out of order decodes wrong")
	}
	// A weight above 0 accepts gzip.
	if resp, _ := get(t, srv.URL+"/page?who=ana", "br;q=1.0, gzip;q=0.5"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip;q=0.5: encoding %q", resp.Header.Get("Content-Encoding"))
	}
	// Without gzip (or with gzip refused) the page goes as it is.
	for _, ae := range []string{"", "identity", "gzip;q=0", "gzip; q=0.000", "br"} {
		resp, body := get(t, srv.URL+"/page?who=ana", ae)
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: encoding %q, %d bytes", ae, resp.Header.Get("Content-Encoding"), len(body))
		}
	}
}

func TestKeptPartsServeManyReadersAtOnce(t *testing.T) {
	parts := keptParts()
	srv := server(t, parts)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := fmt.Sprintf("reader-%d", i)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/page?who="+who, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				errs <- err
				return
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(got, page(who, parts)) {
				errs <- fmt.Errorf("%s got another page", who)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestResponsesThatStayAsTheyAre(t *testing.T) {
	srv := server(t, keptParts())
	resp, body := get(t, srv.URL+"/short", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || string(body) != "<p>short</p>" {
		t.Errorf("short body: encoding %q, body %q", resp.Header.Get("Content-Encoding"), body)
	}
	// An .xlsx is a zip already: sent as it is, with its length.
	resp, body = get(t, srv.URL+"/workbook", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || len(body) != 5000 || resp.ContentLength != 5000 {
		t.Errorf("workbook: encoding %q, %d bytes, Content-Length %d", resp.Header.Get("Content-Encoding"), len(body), resp.ContentLength)
	}
	resp, body = get(t, srv.URL+"/notmodified", "gzip")
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("304: status %d, %d bytes, encoding %q", resp.StatusCode, len(body), resp.Header.Get("Content-Encoding"))
	}
	// A status other than 200 is kept, with the body compressed.
	resp, body = get(t, srv.URL+"/created", "gzip")
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Encoding") != "gzip" ||
		string(apptest.Gunzip(t, body)) != strings.Repeat("<p>created</p>", 200) {
		t.Errorf("201: status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
