// Package templates holds Rounds' pages (html/template: one layout,
// partials, one file per page) and e-mail texts, embedded into the binary.
package templates

import "embed"

// FS holds every template.
//
//go:embed layout.html partials pages mail
var FS embed.FS
