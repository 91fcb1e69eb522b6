package handlers

import (
	_ "embed" // the OpenAPI document
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// openAPIDocument describes every /api/v1 route of the route table; a test
// fails when a route and the document disagree, so edit both together.
//
//go:embed openapi.json
var openAPIDocument string

// OpenAPI serves the API's OpenAPI 3 document, with this server's public
// address as its server, so that generated clients and "try it" buttons
// call the right host.
func (h *Handler) OpenAPI(c echo.Context) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(openAPIDocument), &doc); err != nil {
		return err
	}
	if base := strings.TrimRight(h.BaseURL, "/"); base != "" {
		doc["servers"] = []map[string]string{{"url": base, "description": "This NAP Tracker."}}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, doc)
}
