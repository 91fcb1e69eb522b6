package handlers_test

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"naptracker/app/apptest"
)

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct{ Title, Version string }
	Servers []struct{ URL string }
	Paths   map[string]map[string]struct {
		Security   *[]map[string][]string
		Parameters []struct{ Name, In string }
		Responses  map[string]map[string]any
	}
	Components struct {
		SecuritySchemes map[string]struct{ Type, Scheme string } `json:"securitySchemes"`
		Schemas         map[string]any
		Responses       map[string]struct {
			Content map[string]struct{ Schema map[string]any }
		}
	}
}

var echoParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

// TestOpenAPIDocumentMatchesTheRoutes walks the route table: every /api/v1
// route must be described in the OpenAPI document with its method and path
// parameters, and the document must describe nothing the server does not
// serve. Protected operations list 401 and 403 answers with the Error schema.
func TestOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	resp := env.Client(t).Get("/api/v1/openapi.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json = %d", resp.StatusCode)
	}
	doc := decode[openAPIDoc](t, resp)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Errorf("openapi %q, info %+v", doc.OpenAPI, doc.Info)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != env.Config.BaseURL {
		t.Errorf("servers %+v, want this server's base address %s", doc.Servers, env.Config.BaseURL)
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearerAuth security scheme = %+v", s)
	}
	if doc.Components.Schemas["Error"] == nil {
		t.Error("no Error schema")
	}

	served := map[string]bool{}
	for _, r := range apiRoutes(t, env) {
		path := echoParam.ReplaceAllString(r.path, "{$1}")
		method := strings.ToLower(r.method)
		served[method+" "+path] = true
		op, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("%s %s is served but not in the OpenAPI document", r.method, path)
			continue
		}
		for _, m := range echoParam.FindAllStringSubmatch(r.path, -1) {
			found := false
			for _, p := range op.Parameters {
				found = found || (p.Name == m[1] && p.In == "path")
			}
			if !found {
				t.Errorf("%s %s: path parameter %q is not described", r.method, path, m[1])
			}
		}
		ok200 := op.Responses["200"]
		if ok200 == nil || ok200["content"] == nil {
			t.Errorf("%s %s: no 200 response with a schema", r.method, path)
		}
		if r.public {
			if op.Security == nil || len(*op.Security) != 0 {
				t.Errorf("%s %s is public but the document asks for a token", r.method, path)
			}
			continue
		}
		if op.Security != nil {
			t.Errorf("%s %s needs a token but overrides the document's security", r.method, path)
		}
		codes := []string{"401", "403"}
		if strings.Contains(r.path, ":") {
			codes = append(codes, "404")
		}
		for _, code := range codes {
			ref, _ := op.Responses[code]["$ref"].(string)
			name := strings.TrimPrefix(ref, "#/components/responses/")
			schema := doc.Components.Responses[name].Content["application/json"].Schema
			if ref == "" || schema["$ref"] != "#/components/schemas/Error" {
				t.Errorf("%s %s: response %s does not use the Error schema (%q)", r.method, path, code, ref)
			}
		}
	}
	var extra []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				extra = append(extra, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("the OpenAPI document describes routes the server does not have: %v", extra)
	}
	checkRefs(t, resp.Body, doc)
}

var refPattern = regexp.MustCompile(`"\$ref":\s*"#/components/(schemas|responses)/([^"]+)"`)

// checkRefs fails for any $ref that points at nothing.
func checkRefs(t *testing.T, body string, doc openAPIDoc) {
	t.Helper()
	refs := refPattern.FindAllStringSubmatch(body, -1)
	if len(refs) < 10 {
		t.Fatalf("only %d $refs in the document", len(refs))
	}
	for _, m := range refs {
		var ok bool
		if m[1] == "schemas" {
			_, ok = doc.Components.Schemas[m[2]]
		} else {
			_, ok = doc.Components.Responses[m[2]]
		}
		if !ok {
			t.Errorf("$ref #/components/%s/%s points at nothing", m[1], m[2])
		}
	}
}
