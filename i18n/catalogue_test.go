package i18n_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/i18n"
)

// TestEveryEnglishKeyIsTranslated fails for any key of the English
// catalogue that the French or Lao catalogue lacks (a page would fall back
// to English there), and for a translation that takes other arguments than
// the English message, which would print "%!s(MISSING)" or drop a figure.
func TestEveryEnglishKeyIsTranslated(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := catalogue(t, "en")
	if len(en) < 100 {
		t.Fatalf("only %d English keys: the catalogue did not load", len(en))
	}
	for _, lang := range i18n.Supported[1:] {
		tr := catalogue(t, lang)
		var missing []string
		for _, k := range slices.Sorted(maps.Keys(en)) {
			if !b.Has(lang, k) {
				missing = append(missing, k)
				continue
			}
			for form, text := range en[k] {
				other, ok := tr[k][form]
				if !ok {
					other, ok = tr[k]["other"]
				}
				if !ok {
					other = tr[k][""] // one text for every count: Lao has no plural forms
				}
				if want, got := arity(text), arity(other); want != got {
					t.Errorf("%s %q (%s) takes %d arguments, English takes %d: %q", lang, k, form, got, want, other)
				}
			}
		}
		if len(missing) > 0 {
			t.Errorf("%d keys of en/ are missing from %s/: %v", len(missing), lang, missing)
		}
	}
}

// TestErrorCatalogueMatchesTheModels keeps en/errors.json and the code that
// writes its messages in step: every "err.…" or "lock.…" key written in the
// Go code has its English text, and every text of en/errors.json is used.
// The English catalogue is the one source of those texts (the models render
// them with i18n.English for logs and error values).
func TestErrorCatalogueMatchesTheModels(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("locales", "en", "errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]string
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	code := codeMessageKeys(t, "..")
	if len(code) == 0 {
		t.Fatal("found no message keys in the code")
	}
	en := b.For("en")
	for k, where := range code {
		if got := en.T(k); got == "["+k+"]" {
			t.Errorf("%s (%s) has no English text", k, where)
		}
	}
	for k := range file {
		if _, ok := code[k]; !ok {
			t.Errorf("%s is in en/errors.json but no code uses it", k)
		}
	}
}

// codeMessageKeys returns the string literals of the module's non-test Go
// files (outside i18n) that are error or lock message keys, with a place
// each is written.
func codeMessageKeys(t *testing.T, root string) map[string]string {
	t.Helper()
	key := regexp.MustCompile(`^(err|lock)\.[A-Za-z0-9_.]*[A-Za-z0-9_]$`)
	out := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "i18n" || n == "testdata" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && key.MatchString(s) {
					out[s] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestModelMessagesAreTranslated shows a model's validation message in
// each language, with its arguments (a nested status word included).
func TestModelMessagesAreTranslated(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := domain.FieldError("start_date", "err.date_in_plan", 2024, 2028)
	if got := v.Fields["start_date"]; got != "The plan runs from 2024 to 2028: choose a date within those years." {
		t.Errorf("English text = %q", got)
	}
	want := map[string]string{
		"en": "The plan runs from 2024 to 2028: choose a date within those years.",
		"fr": "Le plan court de 2024 à 2028 : choisissez une date comprise dans ces années.",
		"lo": "ແຜນດຳເນີນແຕ່ປີ 2024 ຫາ 2028: ເລືອກວັນທີພາຍໃນປີເຫຼົ່ານັ້ນ.",
	}
	for lang, w := range want {
		if got := v.Localized(b.For(lang).T)["start_date"]; got != w {
			t.Errorf("%s: %q, want %q", lang, got, w)
		}
	}
	m := domain.Message{Key: "lock.value_status", Args: []any{domain.Enum{Prefix: "status.", Value: domain.StatusApproved}}}
	if got := m.Translate(b.For("en").T); got != "the value is Approved; it can be changed once it is returned or reopened" &&
		got != "the value is approved; it can be changed once it is returned or reopened" {
		t.Errorf("en lock reason = %q", got)
	}
	if got := m.Translate(b.For("fr").T); !regexp.MustCompile(`^la valeur est à l’état « .+ » ;`).MatchString(got) || got == domain.EnglishMessage(m.Key, m.Args...) {
		t.Errorf("fr lock reason = %q", got)
	}
}

// catalogue reads every file of a language: key → plural form ("" for a
// plain message) → text.
func catalogue(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	dir := filepath.Join("locales", lang)
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
			return err
		}
		raw, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		var part map[string]json.RawMessage
		if err := json.Unmarshal(raw, &part); err != nil {
			return err
		}
		for k, v := range part {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[k] = map[string]string{"": s}
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				return err
			}
			out[k] = forms
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// verb matches a format verb. The space flag is left out: catalogues write
// "% of target" and "100% complete" as text, in messages shown without arguments.
var verb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+#0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// arity is how many arguments a format consumes: the highest explicit
// index, or the count of plain verbs ("%%" takes none).
func arity(format string) int {
	n, highest := 0, 0
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			i, _ := strconv.Atoi(m[1])
			highest = max(highest, i)
			n = i
			continue
		}
		n++
		highest = max(highest, n)
	}
	return highest
}
