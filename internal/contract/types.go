// Canonical type strings: writing go/types types, and type-checking type
// strings into go/types types so that one writer gives both the same
// canonical form; comparing types (interfaces by method set) without the
// packages loaded.

package contract

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The canonical type string is types.TypeString with full import paths,
// normalised so that equal types always print the same and as a runtime
// (reflect, DWARF) would see them:
//
//   - aliases are resolved, everywhere in the type;
//   - parameter and result names are dropped: func(net/http.ResponseWriter, *net/http.Request);
//   - byte and rune are uint8 and int32; any is interface{};
//   - an interface lists its embedded types, then its methods sorted by
//     name: interface{fmt.Stringer; Close() error; Read([]uint8) (int, error)}.

// TypeString returns the canonical string of t.
func TypeString(t types.Type) string {
	var w typeWriter
	w.typ(t)
	return w.String()
}

// InstanceString is TypeString of t with the type parameters of subst
// replaced by their arguments; ok is false when t mentions a type
// parameter that subst does not bind.
func InstanceString(t types.Type, subst map[*types.TypeParam]types.Type) (s string, ok bool) {
	w := typeWriter{subst: subst}
	w.typ(t)
	return w.String(), !w.unresolvedTP
}

// MatchesType reports whether the entry accepts a symbol of type t (as
// Lookup returns it: a signature, or a pointer for a variable). Unlike
// Matches, an interface alternative accepts any t that implements it.
func (e Entry) MatchesType(t types.Type) bool {
	if len(e.Types) == 0 || e.Matches(TypeString(t)) {
		return true
	}
	// Interface alternatives: only their string is known here, so the
	// check is by method names and canonical signatures.
	for _, alt := range e.Types {
		if methods, ok := e.InterfaceMethods(alt); ok {
			if missing, _, _ := MissingMethod(t, methods); missing == "" {
				return true
			}
		}
	}
	return false
}

// InterfaceMethods returns the methods (name to canonical signature,
// "func(int) error") of the alternative alt when it is an interface: an
// interface literal, or a named interface whose method set Interfaces
// records. ok is false otherwise, and for an interface whose methods
// cannot be told from its string (embedded interfaces).
func (e Entry) InterfaceMethods(alt string) (map[string]string, bool) {
	if lit, ok := e.Interfaces[alt]; ok {
		alt = lit
	}
	return interfaceMethods(alt)
}

// MaybeInterface reports whether the alternative alt is a defined type
// ("example.com/fw.Registerer") whose method set the contract does not
// record (a declaration without inference). What Lookup returns is a
// pointer or a function, never a value of a defined non-pointer type,
// so the host's assertion to alt can only succeed when alt is an
// interface the symbol implements: a check that cannot resolve alt
// cannot tell, and must leave the verdict to one that can.
func (e Entry) MaybeInterface(alt string) bool {
	if _, ok := e.Interfaces[alt]; ok {
		return false
	}
	return strings.Contains(alt, ".") && IsDefinedTypeName(alt)
}

// IsDefinedTypeName reports whether s names a defined type, qualified or
// not, without type arguments: "int", "example.com/p.T"; not "[]T",
// "map[K]V", "func()", "T[int]". It is a function rather than a regular
// expression so that starting pluginctl does not compile Unicode tables.
func IsDefinedTypeName(s string) bool {
	dot := strings.LastIndexByte(s, '.')
	if pkg := s[:max(dot, 0)]; dot >= 0 && (pkg == "" || strings.Trim(pkg, pathChars) != "") {
		return false
	}
	return token.IsIdentifier(s[dot+1:])
}

// pathChars may appear in the import path of a type's name.
const pathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~/"

// IsInterface reports whether the alternative alt is an interface type
// (a literal, or a named interface recorded in Interfaces).
func (e Entry) IsInterface(alt string) bool {
	_, named := e.Interfaces[alt]
	return named || strings.HasPrefix(alt, "interface{")
}

// InterfaceLiteral returns the canonical interface literal of the
// underlying interface of t, "" when t is not an interface.
// Embedded interfaces are flattened into their methods, so that the
// literal alone gives the method set (see InterfaceMethods).
func InterfaceLiteral(t types.Type) string {
	it, ok := t.Underlying().(*types.Interface)
	if !ok {
		return ""
	}
	var w typeWriter
	w.WriteString("interface{")
	for i := range it.NumMethods() { // sorted by name (Id)
		if i > 0 {
			w.WriteString("; ")
		}
		m := it.Method(i)
		w.WriteString(m.Name())
		w.signature(m.Signature())
	}
	w.WriteString("}")
	return w.String()
}

type typeWriter struct {
	strings.Builder
	subst map[*types.TypeParam]types.Type
	seen  map[types.Type]bool
	short bool // qualify with package names instead of paths
	// unresolvedTP is set when a type parameter without substitute was
	// written.
	unresolvedTP bool
}

func (w *typeWriter) typ(t types.Type) {
	if t == nil {
		w.WriteString("<nil>")
		return
	}
	switch t := t.(type) {
	case *types.Alias:
		w.typ(types.Unalias(t))
	case *types.Basic:
		switch t.Kind() {
		case types.UnsafePointer:
			w.WriteString("unsafe.Pointer")
		default:
			if int(t.Kind()) < len(types.Typ) && types.Typ[t.Kind()] != nil {
				w.WriteString(types.Typ[t.Kind()].Name()) // byte -> uint8, rune -> int32
			} else {
				w.WriteString(t.Name())
			}
		}
	case *types.Pointer:
		w.WriteByte('*')
		w.typ(t.Elem())
	case *types.Slice:
		w.WriteString("[]")
		w.typ(t.Elem())
	case *types.Array:
		fmt.Fprintf(w, "[%d]", t.Len())
		w.typ(t.Elem())
	case *types.Map:
		w.WriteString("map[")
		w.typ(t.Key())
		w.WriteByte(']')
		w.typ(t.Elem())
	case *types.Chan:
		switch t.Dir() {
		case types.SendRecv:
			w.WriteString("chan ")
			if c, ok := types.Unalias(t.Elem()).(*types.Chan); ok && c.Dir() == types.RecvOnly {
				w.WriteByte('(')
				w.typ(t.Elem())
				w.WriteByte(')')
				return
			}
		case types.SendOnly:
			w.WriteString("chan<- ")
		case types.RecvOnly:
			w.WriteString("<-chan ")
		}
		w.typ(t.Elem())
	case *types.Signature:
		w.WriteString("func")
		w.signature(t)
	case *types.Struct:
		w.WriteString("struct{")
		for i := range t.NumFields() {
			if i > 0 {
				w.WriteString("; ")
			}
			f := t.Field(i)
			if !f.Embedded() {
				w.WriteString(f.Name())
				w.WriteByte(' ')
			}
			w.typ(f.Type())
			if tag := t.Tag(i); tag != "" {
				w.WriteByte(' ')
				w.WriteString(strconv.Quote(tag))
			}
		}
		w.WriteByte('}')
	case *types.Interface:
		if w.seen[t] {
			w.WriteString("interface{...}")
			return
		}
		if w.seen == nil {
			w.seen = map[types.Type]bool{}
		}
		w.seen[t] = true
		defer delete(w.seen, t)
		w.WriteString("interface{")
		n := 0
		for i := range t.NumEmbeddeds() {
			if n > 0 {
				w.WriteString("; ")
			}
			n++
			w.typ(t.EmbeddedType(i))
		}
		ms := make([]*types.Func, t.NumExplicitMethods())
		for i := range ms {
			ms[i] = t.ExplicitMethod(i)
		}
		slices.SortFunc(ms, func(a, b *types.Func) int { return strings.Compare(a.Name(), b.Name()) })
		for _, m := range ms {
			if n > 0 {
				w.WriteString("; ")
			}
			n++
			w.WriteString(m.Name())
			w.signature(m.Signature())
		}
		w.WriteByte('}')
	case *types.Union:
		for i := range t.Len() {
			if i > 0 {
				w.WriteString(" | ")
			}
			if t.Term(i).Tilde() {
				w.WriteByte('~')
			}
			w.typ(t.Term(i).Type())
		}
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() != nil {
			if w.short {
				w.WriteString(obj.Pkg().Name())
			} else {
				w.WriteString(obj.Pkg().Path())
			}
			w.WriteByte('.')
		}
		w.WriteString(obj.Name())
		if args := t.TypeArgs(); args.Len() > 0 {
			w.WriteByte('[')
			for i := range args.Len() {
				if i > 0 {
					w.WriteString(", ")
				}
				w.typ(args.At(i))
			}
			w.WriteByte(']')
		}
	case *types.TypeParam:
		if s, ok := w.subst[t]; ok {
			w.typ(s)
			return
		}
		w.unresolvedTP = true
		w.WriteString(t.Obj().Name())
	case *types.Tuple:
		w.tuple(t, false)
	default:
		w.WriteString(types.TypeString(t, nil))
	}
}

func (w *typeWriter) signature(s *types.Signature) {
	w.tuple(s.Params(), s.Variadic())
	switch r := s.Results(); r.Len() {
	case 0:
	case 1:
		w.WriteByte(' ')
		w.typ(r.At(0).Type())
	default:
		w.WriteByte(' ')
		w.tuple(r, false)
	}
}

func (w *typeWriter) tuple(t *types.Tuple, variadic bool) {
	w.WriteByte('(')
	for i := range t.Len() {
		if i > 0 {
			w.WriteString(", ")
		}
		typ := t.At(i).Type()
		if variadic && i == t.Len()-1 {
			if s, ok := types.Unalias(typ).(*types.Slice); ok {
				w.WriteString("...")
				typ = s.Elem()
			}
		}
		w.typ(typ)
	}
	w.WriteByte(')')
}

// CanonicalType parses a type written with full import paths
// ("func(net/http.ResponseWriter, *net/http.Request)",
// "*example.com/app/config.Settings", "func() []byte") and returns its
// canonical string (see TypeString). A qualifier may also be a bare
// package name ("func() pluginapi.Plugin"), as reflect prints types; it
// is kept as written. Unqualified names must be predeclared types.
func CanonicalType(s string) (string, error) {
	return formatType(s, false)
}

// GoSyntax returns a canonical type string as Go source, each import
// path replaced by the package name qualify returns for it (the probe
// generator imports "net/http" as, say, p1 and writes
// func(p1.ResponseWriter, *p1.Request)). See TypeImports.
func GoSyntax(typ string, qualify func(importPath string) string) (string, error) {
	return formatTypeWith(typ, qualify)
}

// TypeImports returns the import paths a type string mentions, sorted.
func TypeImports(typ string) []string {
	var out []string
	for _, m := range qualifiedRE.FindAllStringSubmatch(typ, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// shortType is CanonicalType with every qualifier cut to its last path
// element (major version suffixes /vN dropped): what reflect prints when
// package names follow the convention.
func shortType(s string) (string, error) {
	return formatType(s, true)
}

// qualifiedRE matches a qualified identifier: an import path (segments
// starting with a letter, digit or _) and the identifier after its last
// dot.
var qualifiedRE = regexp.MustCompile(`([A-Za-z0-9_~][A-Za-z0-9_~\-]*(?:[./][A-Za-z0-9_~][A-Za-z0-9_~\-]*)*)\.([A-Za-z_][A-Za-z0-9_]*)`)

// shortQualified reports whether every qualifier in s is a bare package
// name (no "/" and no "."), as in reflect's type strings.
func shortQualified(s string) bool {
	for _, m := range qualifiedRE.FindAllStringSubmatch(s, -1) {
		if strings.ContainsAny(m[1], "/.") {
			return false
		}
	}
	return true
}

const qualPrefix = "ᐸq"

// formatted remembers formatType's answers: a check asks the same few
// type strings of every artifact, and each answer costs a parse. It keeps
// at most maxFormatted, for a program that checks many projects.
var (
	formatted      sync.Map // formatKey -> formatAnswer
	formattedCount atomic.Int64
)

const maxFormatted = 4096

type formatKey struct {
	s     string
	short bool
}

type formatAnswer struct {
	s   string
	err error
}

func formatType(s string, short bool) (string, error) {
	k := formatKey{s, short}
	if a, ok := formatted.Load(k); ok {
		return a.(formatAnswer).s, a.(formatAnswer).err
	}
	qualify := shortPkgName
	if !short {
		qualify = nil
	}
	out, err := formatTypeWith(s, qualify)
	if formattedCount.Load() < maxFormatted {
		if _, loaded := formatted.LoadOrStore(k, formatAnswer{out, err}); !loaded {
			formattedCount.Add(1)
		}
	}
	return out, err
}

func formatTypeWith(s string, qualify func(string) string) (string, error) {
	t, err := parseType(s, qualify)
	if err != nil {
		return "", err
	}
	return TypeString(t), nil
}

// parseType type-checks a type string. Import paths are not Go syntax:
// each qualified name becomes an identifier of a package-level alias of
// a stand-in type of that name in a package of that path (through
// qualify when it is not nil), which TypeString writes back.
func parseType(s string, qualify func(string) string) (types.Type, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty type")
	}
	var quals, names []string
	rewritten := qualifiedRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := qualifiedRE.FindStringSubmatch(m)
		quals, names = append(quals, sub[1]), append(names, sub[2])
		return fmt.Sprintf("%s%d", qualPrefix, len(quals)-1)
	})
	fset := token.NewFileSet()
	expr, err := parser.ParseExprFrom(fset, "", rewritten, 0)
	if err != nil {
		return nil, fmt.Errorf("not a Go type: %q", s)
	}
	// How each stand-in is used: with type arguments, or embedded in an
	// interface (then it is an interface; otherwise a struct).
	targs, embedded := map[string]int{}, map[string]bool{}
	ast.Inspect(expr, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IndexExpr:
			targs[types.ExprString(n.X)] = 1
		case *ast.IndexListExpr:
			targs[types.ExprString(n.X)] = len(n.Indices)
		case *ast.InterfaceType:
			for _, f := range n.Methods.List {
				if len(f.Names) == 0 {
					embedded[types.ExprString(f.Type)] = true
				}
			}
		}
		return true
	})
	pkg := types.NewPackage("", "")
	anyType := types.NewInterfaceType(nil, nil).Complete()
	for i, q := range quals {
		if qualify != nil {
			q = qualify(q)
		}
		id := fmt.Sprintf("%s%d", qualPrefix, i)
		stand := types.NewPackage(q, shortPkgName(q))
		var under types.Type = types.NewStruct(nil, nil)
		if embedded[id] {
			under = anyType
		}
		named := types.NewNamed(types.NewTypeName(token.NoPos, stand, names[i], nil), under, nil)
		var tparams []*types.TypeParam
		for range targs[id] {
			tparams = append(tparams, types.NewTypeParam(types.NewTypeName(token.NoPos, stand, "T", nil), anyType))
		}
		named.SetTypeParams(tparams)
		pkg.Scope().Insert(types.NewTypeName(token.NoPos, pkg, id, named)) // an alias
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	if err := types.CheckExpr(fset, pkg, token.NoPos, expr, info); err != nil {
		msg := err.Error()
		if te, ok := err.(types.Error); ok {
			msg = te.Msg
		}
		if name, ok := strings.CutPrefix(msg, "undefined: "); ok {
			msg = fmt.Sprintf("unqualified type name %s: write its import path (example.com/pkg.%s)", name, name)
		}
		return nil, fmt.Errorf("not a Go type: %q: %s", s, msg)
	}
	if tv := info.Types[expr]; tv.IsType() {
		return tv.Type, nil
	}
	return nil, fmt.Errorf("not a Go type: %q: not a type", s)
}

// shortPkgName guesses a package's name from its import path: the last
// element, without a major version suffix.
func shortPkgName(path string) string {
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = elems[len(elems)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 { // gopkg.in/yaml.v3
		last = last[:i]
	}
	return strings.ReplaceAll(last, "-", "_")
}

// interfaceMethods returns the methods (name -> canonical signature
// without "func") of an interface type string with explicit methods only.
func interfaceMethods(s string) (map[string]string, bool) {
	if !strings.HasPrefix(s, "interface{") {
		return nil, false
	}
	t, err := parseType(s, nil)
	if err != nil {
		return nil, false
	}
	it, ok := t.(*types.Interface)
	if !ok || it.NumEmbeddeds() > 0 {
		return nil, false // embedded: not decidable from the string
	}
	out := map[string]string{}
	for i := range it.NumExplicitMethods() {
		var w typeWriter
		w.signature(it.ExplicitMethod(i).Signature())
		out[it.ExplicitMethod(i).Name()] = w.String()
	}
	return out, true
}

// MissingMethod returns the first method (by name) of methods (as
// InterfaceMethods gives them) that t's method set lacks (have "") or
// has with another signature; name is "" when t has them all.
func MissingMethod(t types.Type, methods map[string]string) (name, have, want string) {
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	slices.Sort(names)
	ms := types.NewMethodSet(t)
	for _, n := range names {
		var sel *types.Selection
		for i := range ms.Len() {
			if ms.At(i).Obj().Name() == n {
				sel = ms.At(i)
			}
		}
		if sel == nil {
			return n, "", methods[n]
		}
		var w typeWriter
		w.signature(sel.Type().(*types.Signature))
		if w.String() != methods[n] {
			return n, w.String(), methods[n]
		}
	}
	return "", "", ""
}
