package handlers_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rounds/models/testkit"
)

var handlerName = regexp.MustCompile(`\.\(\*Handler\)\.([A-Za-z0-9_]+)-fm$`)

// Every form of the pages answers a good submission with a redirect (303),
// so that Back never lands on a form's answer: no handler of a page's POST
// renders a page with 200 or 201. A form sent back with its mistakes is a
// 4xx, which the page asks the browser to keep as a GET.
func TestEveryPageFormRedirectsWhenItSucceeds(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	wanted := map[string]string{} // handler → route
	for _, r := range a.e.Routes() {
		if r.Method != "POST" || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		m := handlerName.FindStringSubmatch(r.Name)
		if m == nil {
			t.Errorf("POST %s: handler %s is not a method of Handler", r.Path, r.Name)
			continue
		}
		wanted[m[1]] = r.Path
	}
	if len(wanted) < 20 {
		t.Fatalf("only %d page forms found: %v", len(wanted), wanted)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	bodies := map[string]*ast.FuncDecl{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				bodies[fd.Name.Name] = fd
			}
		}
	}
	for name, path := range wanted {
		fd := bodies[name]
		if fd == nil {
			t.Errorf("POST %s: no source for %s", path, name)
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "render" && sel.Sel.Name != "HTML" && sel.Sel.Name != "HTMLBlob") {
				return true
			}
			status := call.Args[0]
			if sel.Sel.Name == "render" {
				status = call.Args[1]
			}
			if s, ok := status.(*ast.SelectorExpr); ok && (s.Sel.Name == "StatusOK" || s.Sel.Name == "StatusCreated") {
				t.Errorf("POST %s: %s answers with a page (%s) at %s; redirect instead", path, name, s.Sel.Name, fset.Position(call.Pos()))
			}
			return true
		})
	}
}
