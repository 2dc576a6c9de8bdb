package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"gongkai"
)

// The translation tests find the Chinese texts people see by parsing the
// templates and the Go sources, so that a new text without English, or a
// second dictionary entry that says something else, fails here.

// hasHan reports whether s contains a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// zhElement is an element the templates mark as Chinese on purpose, such as
// the "中文" of the language switch; its text is not translated.
var zhElement = regexp.MustCompile(`lang="zh-CN">[^<]*`)

// templateTexts returns the Chinese texts of the templates, each with the
// template it is in: every string literal (what they pass to T, Tf and to
// methods such as BField, which translate) and every Chinese text written
// outside an action, which no one translates.
func templateTexts(t *testing.T) (literals, bare []string) {
	t.Helper()
	st, err := loadStatic()
	if err != nil {
		t.Fatal(err)
	}
	tpls, err := loadTemplates(st)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*parse.Tree]bool{}
	for page, set := range tpls.pages {
		for _, tpl := range set.Templates() {
			if tpl.Tree == nil || seen[tpl.Tree] {
				continue
			}
			seen[tpl.Tree] = true
			name := tpl.Name()
			if name == "content" {
				name = page
			}
			walkTemplate(tpl.Tree.Root, func(n parse.Node) {
				switch n := n.(type) {
				case *parse.StringNode:
					if hasHan(n.Text) {
						literals = append(literals, name+"\t"+n.Text)
					}
				case *parse.TextNode:
					if s := zhElement.ReplaceAllString(string(n.Text), ""); hasHan(s) {
						bare = append(bare, name+"\t"+strings.TrimSpace(s))
					}
				}
			})
		}
	}
	if len(literals) < 500 {
		t.Fatalf("found only %d Chinese literals in the templates; the walk misses some nodes", len(literals))
	}
	return literals, bare
}

// walkTemplate calls fn with every node of a template's tree.
func walkTemplate(n parse.Node, fn func(parse.Node)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTemplate(c, fn)
		}
	case *parse.ActionNode:
		walkTemplate(n.Pipe, fn)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walkTemplate(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkTemplate(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkTemplate(a, fn)
		}
	case *parse.ChainNode:
		walkTemplate(n.Node, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(parse.Node)) {
	walkTemplate(b.Pipe, fn)
	walkTemplate(b.List, fn)
	walkTemplate(b.ElseList, fn)
}

// goText is a Chinese string literal found in Go source and where.
type goText struct {
	text string
	pos  string
}

// goTexts parses the non-test Go files of dir and returns the literal
// texts that reach a page: the first argument of T and Tf, flash messages
// given to redirect, error messages (Errorf without arguments, Error
// literals, FieldErrors.Add), what Label methods return and, in the web
// package, the values of tables of texts (map literals of strings). The JSON API
// (files and functions named api…) answers in Chinese only; a message with
// arguments is formatted before it is shown and cannot be looked up whole;
// a not-found message never shows, since every 404 page says the same.
func goTexts(t *testing.T, dir string) []goText {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []goText
	add := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !hasHan(s) {
			return
		}
		p := fset.Position(lit.Pos())
		out = append(out, goText{strings.TrimPrefix(s, "!"), filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line)})
	}
	web := filepath.Clean(dir) == "."
	for _, name := range files {
		base := filepath.Base(name)
		if strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "api") || (web && strings.HasPrefix(base, "i18n")) {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && strings.HasPrefix(fd.Name.Name, "api") {
				continue
			}
			if ok && fd.Recv != nil && fd.Name.Name == "Label" && fd.Body != nil {
				if receiverType(fd) == "AdminAction" {
					continue // see adminActionEnglish
				}
				ast.Inspect(fd.Body, func(m ast.Node) bool {
					if r, ok := m.(*ast.ReturnStmt); ok {
						for _, e := range r.Results {
							add(e)
						}
					}
					return true
				})
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					switch callName(n.Fun) {
					case "T", "Tf":
						if len(n.Args) > 0 {
							add(n.Args[0])
						}
					case "redirect":
						if len(n.Args) == 4 {
							add(n.Args[3])
						}
					case "Errorf":
						if len(n.Args) == 2 && callName(n.Args[0]) != "ENOTFOUND" {
							add(n.Args[1])
						}
					case "Add":
						if len(n.Args) == 2 {
							add(n.Args[1])
						}
					}
				case *ast.CompositeLit:
					// A table of texts by key, such as the flash after each
					// step (actionDone), in the web package.
					if m, ok := n.Type.(*ast.MapType); ok && web && callName(m.Value) == "string" {
						for _, e := range n.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok {
								add(kv.Value)
							}
						}
					}
					if callName(n.Type) == "Error" {
						for _, e := range n.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok && callName(kv.Key) == "Message" {
								add(kv.Value)
							}
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// callName is the last name of an expression: T for p.T, Errorf for
// gongkai.Errorf.
func callName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

func receiverType(fd *ast.FuncDecl) string {
	e := fd.Recv.List[0].Type
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	return callName(e)
}

func TestTranslations_templates(t *testing.T) {
	literals, bare := templateTexts(t)
	var missing []string
	for _, l := range literals {
		_, s, _ := strings.Cut(l, "\t")
		if _, ok := english[s]; !ok {
			missing = append(missing, l)
		}
	}
	sort.Strings(missing)
	for _, m := range compact(missing) {
		t.Errorf("no English for %q", m)
	}
	for _, b := range bare {
		t.Errorf("Chinese outside {{.T}}: %q", b)
	}
}

func TestTranslations_goSources(t *testing.T) {
	var missing []string
	n := 0
	// The web package, the domain and the store, whose errors forms show.
	for _, dir := range []string{".", "../..", "../store"} {
		for _, g := range goTexts(t, dir) {
			n++
			if _, ok := english[g.text]; !ok {
				missing = append(missing, filepath.Join(dir, g.pos)+": "+strconv.Quote(g.text))
			}
		}
	}
	if n < 500 {
		t.Fatalf("found only %d texts in the Go sources; the parse misses some", n)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no English for %s", m)
	}
}

// TestTranslations_adminActions: every kind of change of the admin log,
// read from the constants of the domain, has an English name.
func TestTranslations_adminActions(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../adminlog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if callName(vs.Type) != "AdminAction" {
				continue
			}
			for _, v := range vs.Values {
				s, _ := strconv.Unquote(v.(*ast.BasicLit).Value)
				n++
				if adminActionEnglish[gongkai.AdminAction(s)] == "" {
					t.Errorf("admin action %q has no English", s)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("found %d admin actions", n)
	}
}

// TestTranslations_oneMeaning: across the dictionary files no Chinese text
// is given two different English texts (merging them would silently keep
// one), and every dictionary is merged into english.
func TestTranslations_oneMeaning(t *testing.T) {
	files, err := filepath.Glob("i18n*.go")
	if err != nil {
		t.Fatal(err)
	}
	type def struct{ en, where string }
	defs := map[string][]def{}
	dicts := map[string]bool{}
	var merged []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, v := range n.Values {
					cl, ok := v.(*ast.CompositeLit)
					if !ok {
						if c, ok := v.(*ast.CallExpr); ok && callName(c.Fun) == "mergeDicts" {
							for _, a := range c.Args {
								merged = append(merged, callName(a))
							}
						}
						continue
					}
					m, ok := cl.Type.(*ast.MapType)
					if !ok || callName(m.Key) != "string" {
						continue
					}
					dicts[n.Names[i].Name] = true
					for _, e := range cl.Elts {
						kv := e.(*ast.KeyValueExpr)
						k, err1 := strconv.Unquote(kv.Key.(*ast.BasicLit).Value)
						en, err2 := strconv.Unquote(kv.Value.(*ast.BasicLit).Value)
						if err1 != nil || err2 != nil {
							t.Fatalf("%s: an entry that is not two string literals", fset.Position(kv.Pos()))
						}
						defs[k] = append(defs[k], def{en, fset.Position(kv.Pos()).String()})
					}
				}
			}
			return true
		})
	}
	if len(dicts) < 10 || len(defs) < 1000 {
		t.Fatalf("found %d dictionaries with %d texts", len(dicts), len(defs))
	}
	for _, m := range merged {
		delete(dicts, m)
	}
	for d := range dicts {
		t.Errorf("dictionary %s is not merged into english (i18n.go)", d)
	}
	var keys []string
	for k := range defs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ds := defs[k]
		for _, d := range ds[1:] {
			if d.en != ds[0].en {
				t.Errorf("%q means %q at %s but %q at %s", k, ds[0].en, ds[0].where, d.en, d.where)
			}
		}
	}
}

// compact drops repeated neighbours of a sorted list.
func compact(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
