// Package templates holds the html/template pages, layouts and partials,
// embedded into the binary so that it runs from a single file.
package templates

import "embed"

// FS contains layouts/*.html, partials/*.html and pages/*.html.
//
//go:embed layouts/*.html partials/*.html pages/*.html
var FS embed.FS
