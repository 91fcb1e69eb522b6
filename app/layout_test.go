package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rooms lists the module's packages from the bottom up: each may import
// only packages listed before it (README, "Where things live").
var rooms = []string{
	"static", "templates", "i18n", "figures", "handlers/chart", "pagegzip", "store", "domain", "planning",
	"account", "reporting", "planedit", "review", "notify", "report", "offline", "planxlsx", "seed", "store/storetest",
	"handlers", "app", "app/apptest", "cmd/naploadtest", "cmd/naptracker",
}

// TestPackagesImportOnlyDownward keeps the layout: a package that imports
// one listed above it (or a package missing from the list) fails.
func TestPackagesImportOnlyDownward(t *testing.T) {
	root := ".."
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		seen[pkg] = true
		at := slices.Index(rooms, pkg)
		if at < 0 {
			t.Errorf("package %s is not in the list of rooms", pkg)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, is := range f.Imports {
			ip, _ := strconv.Unquote(is.Path.Value)
			dep, ok := strings.CutPrefix(ip, "naptracker/")
			if !ok {
				continue
			}
			if i := slices.Index(rooms, dep); i < 0 || i >= at {
				t.Errorf("%s imports %s, which is not below it", p, ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rooms {
		if !seen[r] {
			t.Errorf("room %s has no Go files", r)
		}
	}
}
