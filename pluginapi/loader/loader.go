// Package loader owns the host side of the pluginapi contract: finding the
// plugin files in a directory, opening them, and checking each one the way
// a careful host does before trusting it.
//
// For every *.so file of a directory, in sorted file name order, Load
//
//  1. opens it with plugin.Open;
//  2. looks up APIVersion and requires a *string equal to
//     pluginapi.APIVersion, before it looks at any other symbol;
//  3. looks up New and asserts it, comma-ok, to pluginapi.NewFunc;
//  4. looks up the optional Capabilities and Init functions and the
//     optional build metadata (pluginapi.SymbolMetadata), all comma-ok;
//  5. calls Capabilities and skips the plugin if it lacks one of
//     Options.RequireCapabilities;
//  6. calls New, then Init with a pluginapi.Host.
//
// A plugin that fails any step is logged and skipped, never fatal: the
// reason is kept in Set.Skipped as a *LoadError that wraps one of the
// sentinel errors below (test with errors.Is). Panics from New, Init,
// Capabilities and Name are recovered and become ErrPanic.
//
// Check runs steps 2 to 6 on one already opened plugin. Load uses it for
// every file, and a verifier probe can use it to check a plugin exactly the
// way real hosts do.
//
// What no loader can catch: a plugin's package init runs inside
// plugin.Open, and a panic, os.Exit or hang there takes the whole host
// with it, as does a plugin built by another Go version ("fatal error:
// runtime: no plugin module data"). A plugin whose open failed also leaves
// its symbols in the process, which can make later plugins fail to open.
// Check plugins before deploying them with `pluginctl verify`, which opens
// them in a separate process.
package loader

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"plugin"
	"slices"

	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/meta"
)

// Sentinel errors, one per reason to skip a plugin. A skip error wraps
// exactly one of the first group; ErrMissingSymbol and ErrPanic are wrapped
// in addition where they apply.
var (
	// ErrOpen: plugin.Open failed (not a plugin, built differently from
	// the host, already loaded under another name, ...).
	ErrOpen = errors.New("cannot open plugin")
	// ErrDuplicate: the file is the same plugin as one loaded before in
	// this Set (for example a symlink to it).
	ErrDuplicate = errors.New("duplicate of a plugin in this set")
	// ErrAPIVersion: APIVersion is missing, is not a string variable, or
	// differs from pluginapi.APIVersion.
	ErrAPIVersion = errors.New("API version mismatch")
	// ErrBadNew: New is missing, has the wrong type, or returned nil.
	ErrBadNew = errors.New("bad New factory")
	// ErrBadCapabilities: Capabilities has the wrong type.
	ErrBadCapabilities = errors.New("bad Capabilities function")
	// ErrBadInit: Init has the wrong type.
	ErrBadInit = errors.New("bad Init function")
	// ErrBadMetadata: the build metadata is not a string variable or not a
	// valid metadata document.
	ErrBadMetadata = errors.New("bad build metadata")
	// ErrMissingCapability: the plugin lacks a required capability.
	ErrMissingCapability = errors.New("missing required capability")
	// ErrInit: Init returned an error.
	ErrInit = errors.New("plugin Init failed")

	// ErrMissingSymbol is wrapped in addition when a required symbol is
	// absent.
	ErrMissingSymbol = errors.New("symbol not found")
	// ErrPanic is wrapped in addition when a plugin function panicked
	// (with ErrBadNew for New and Name, ErrBadCapabilities, ErrInit).
	ErrPanic = errors.New("plugin panicked")
)

// Options configure Load, Open and Check. The zero value is usable.
type Options struct {
	// Logger receives one line per loaded or skipped plugin; nil means
	// slog.Default().
	Logger *slog.Logger
	// RequireCapabilities lists capabilities every plugin must declare
	// through its Capabilities function; a plugin lacking one is skipped.
	RequireCapabilities []string
	// Host is passed as is to every plugin's Init. When nil, each plugin
	// gets its own default Host (see NewHost) built from HostName, Config
	// and Logger.
	Host pluginapi.Host
	// HostName is the default Host's HostName; "" means the base name of
	// os.Args[0].
	HostName string
	// Config holds the default Host's settings, keyed "<plugin>.<key>"
	// where <plugin> is the plugin's Name(). Nil means an empty config.
	// Plugins may keep their Host and read it later, from any goroutine:
	// do not modify the map after Load.
	Config map[string]string
}

func (o *Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// Loaded is one plugin that passed every check.
type Loaded struct {
	// Path is the file it was opened from.
	Path string
	// Name is Plugin.Name().
	Name string
	// Plugin is the instance New returned, with Init already called.
	Plugin pluginapi.Plugin
	// APIVersion is the value of the plugin's APIVersion variable.
	APIVersion string
	// Capabilities is what Capabilities returned; nil without one.
	Capabilities []string
	// Metadata is the embedded build metadata; nil without one.
	Metadata *meta.Metadata
	// Raw is the opened plugin, for looking up further symbols.
	Raw *plugin.Plugin
}

// LoadError says why the plugin file Path was skipped. Err wraps one of
// the package's sentinel errors.
type LoadError struct {
	Path string
	Err  error
}

func (e *LoadError) Error() string { return "loading plugin " + e.Path + ": " + e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// Set is the result of Load.
type Set struct {
	// Dir is the directory that was searched.
	Dir string
	// Loaded are the usable plugins, in load (file name) order.
	Loaded []*Loaded
	// Skipped are the files that were not loaded, in file name order.
	Skipped []*LoadError
}

// Plugins returns the loaded instances in load order.
func (s *Set) Plugins() []pluginapi.Plugin {
	out := make([]pluginapi.Plugin, len(s.Loaded))
	for i, l := range s.Loaded {
		out[i] = l.Plugin
	}
	return out
}

// Err joins the skip errors; nil when every file loaded.
func (s *Set) Err() error {
	errs := make([]error, len(s.Skipped))
	for i, e := range s.Skipped {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Files returns the plugin files of dir that Load considers: the entries
// whose names match *.so, sorted by name (the order of filepath.Glob, but
// metacharacters in dir are taken literally).
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading plugin directory: %w", err)
	}
	var out []string
	for _, e := range entries { // ReadDir sorts by name
		if ok, _ := filepath.Match("*.so", e.Name()); ok {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// Load opens and checks every plugin file of dir (see Files), in order.
// Bad plugins are logged and recorded in Set.Skipped; the error is non-nil
// only when dir cannot be read.
func Load(dir string, opts Options) (*Set, error) {
	files, err := Files(dir)
	if err != nil {
		return nil, err
	}
	return LoadFiles(dir, files, opts), nil
}

// LoadFiles is Load for an explicit list of files, loaded in the given
// order; dir is only recorded in the Set.
func LoadFiles(dir string, files []string, opts Options) *Set {
	log := opts.logger()
	set := &Set{Dir: dir}
	seen := map[*plugin.Plugin]string{}
	for _, path := range files {
		l, err := open(path, opts, seen)
		if err != nil {
			le := asLoadError(path, err)
			log.Warn("skipping plugin", "path", path, "err", le.Err)
			set.Skipped = append(set.Skipped, le)
			continue
		}
		attrs := []any{"path", path, "name", l.Name, "capabilities", l.Capabilities}
		if l.Metadata != nil {
			attrs = append(attrs, "build_set", l.Metadata.BuildSet)
		}
		log.Info("loaded plugin", attrs...)
		set.Loaded = append(set.Loaded, l)
	}
	return set
}

// Open opens one plugin file and checks it with Check. The error is a
// *LoadError.
func Open(path string, opts Options) (*Loaded, error) {
	return open(path, opts, nil)
}

func open(path string, opts Options, seen map[*plugin.Plugin]string) (*Loaded, error) {
	p, err := plugin.Open(path)
	if err != nil {
		return nil, &LoadError{Path: path, Err: fmt.Errorf("opening: %w: %w", ErrOpen, err)}
	}
	if seen != nil {
		if first, ok := seen[p]; ok {
			return nil, &LoadError{Path: path, Err: fmt.Errorf("opening: %w: same plugin as %s", ErrDuplicate, first)}
		}
		seen[p] = path
	}
	return Check(path, p, opts)
}

func asLoadError(path string, err error) *LoadError {
	if le, ok := errors.AsType[*LoadError](err); ok {
		return le
	}
	return &LoadError{Path: path, Err: err}
}

// Check checks one opened plugin exactly as Load does (steps 2 to 6 of the
// package documentation) and returns it ready to use. path is only
// recorded. The error is a *LoadError.
func Check(path string, p *plugin.Plugin, opts Options) (*Loaded, error) {
	l, err := check(p, opts)
	if err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	l.Path = path
	return l, nil
}

func check(p *plugin.Plugin, opts Options) (*Loaded, error) {
	// The API version first: nothing else is trusted before it matches.
	version, err := CheckAPIVersion(p)
	if err != nil {
		return nil, err
	}
	newFn, err := LookupNew(p)
	if err != nil {
		return nil, err
	}
	capsFn, err := LookupCapabilities(p)
	if err != nil {
		return nil, err
	}
	initFn, err := LookupInit(p)
	if err != nil {
		return nil, err
	}
	md, err := LookupMetadata(p)
	if err != nil {
		return nil, err
	}

	var caps []string
	if capsFn != nil {
		if err := safeCall(pluginapi.SymbolCapabilities, ErrBadCapabilities, func() { caps = capsFn() }); err != nil {
			return nil, err
		}
		caps = slices.Clone(caps)
	}
	if err := Negotiate(caps, opts.RequireCapabilities); err != nil {
		return nil, err
	}

	var inst pluginapi.Plugin
	if err := safeCall(pluginapi.SymbolNew, ErrBadNew, func() { inst = newFn() }); err != nil {
		return nil, err
	}
	if inst == nil {
		return nil, fmt.Errorf("calling %s: %w: returned nil", pluginapi.SymbolNew, ErrBadNew)
	}
	var name string
	if err := safeCall("Name", ErrBadNew, func() { name = inst.Name() }); err != nil {
		return nil, err
	}

	if initFn != nil {
		host := opts.Host
		if host == nil {
			host = NewHost(opts.HostName, name, opts.Config, opts.logger())
		}
		var initErr error
		if err := safeCall(pluginapi.SymbolInit, ErrInit, func() { initErr = initFn(host) }); err != nil {
			return nil, err
		}
		if initErr != nil {
			return nil, fmt.Errorf("calling %s: %w: %w", pluginapi.SymbolInit, ErrInit, initErr)
		}
	}

	return &Loaded{
		Name:         name,
		Plugin:       inst,
		APIVersion:   version,
		Capabilities: caps,
		Metadata:     md,
		Raw:          p,
	}, nil
}

// CheckAPIVersion looks up the plugin's APIVersion variable and returns its
// value if it equals pluginapi.APIVersion; otherwise the error wraps
// ErrAPIVersion.
func CheckAPIVersion(p *plugin.Plugin) (string, error) {
	sym, err := p.Lookup(pluginapi.SymbolAPIVersion)
	if err != nil {
		return "", fmt.Errorf("looking up %s: %w: %w", pluginapi.SymbolAPIVersion, ErrAPIVersion, ErrMissingSymbol)
	}
	v, ok := sym.(*string)
	if !ok {
		return "", fmt.Errorf("checking %s: %w: is %T, want *string (declare it as var %s = pluginapi.APIVersion)",
			pluginapi.SymbolAPIVersion, ErrAPIVersion, sym, pluginapi.SymbolAPIVersion)
	}
	if *v != pluginapi.APIVersion {
		return *v, fmt.Errorf("checking %s: %w: plugin built against %q, host wants %q",
			pluginapi.SymbolAPIVersion, ErrAPIVersion, *v, pluginapi.APIVersion)
	}
	return *v, nil
}

// LookupNew returns the plugin's New factory; the error wraps ErrBadNew.
func LookupNew(p *plugin.Plugin) (pluginapi.NewFunc, error) {
	sym, err := p.Lookup(pluginapi.SymbolNew)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w: %w", pluginapi.SymbolNew, ErrBadNew, ErrMissingSymbol)
	}
	fn, ok := sym.(pluginapi.NewFunc)
	if !ok {
		return nil, fmt.Errorf("checking %s: %w: is %T, want func() pluginapi.Plugin", pluginapi.SymbolNew, ErrBadNew, sym)
	}
	return fn, nil
}

// LookupCapabilities returns the plugin's optional Capabilities function,
// or nil without one; the error wraps ErrBadCapabilities.
func LookupCapabilities(p *plugin.Plugin) (pluginapi.CapabilitiesFunc, error) {
	sym, err := p.Lookup(pluginapi.SymbolCapabilities)
	if err != nil {
		return nil, nil
	}
	fn, ok := sym.(pluginapi.CapabilitiesFunc)
	if !ok {
		return nil, fmt.Errorf("checking %s: %w: is %T, want func() []string", pluginapi.SymbolCapabilities, ErrBadCapabilities, sym)
	}
	return fn, nil
}

// LookupInit returns the plugin's optional Init function, or nil without
// one; the error wraps ErrBadInit.
func LookupInit(p *plugin.Plugin) (pluginapi.InitFunc, error) {
	sym, err := p.Lookup(pluginapi.SymbolInit)
	if err != nil {
		return nil, nil
	}
	fn, ok := sym.(pluginapi.InitFunc)
	if !ok {
		return nil, fmt.Errorf("checking %s: %w: is %T, want func(pluginapi.Host) error", pluginapi.SymbolInit, ErrBadInit, sym)
	}
	return fn, nil
}

// LookupMetadata returns the plugin's optional build metadata, or nil
// without one; the error wraps ErrBadMetadata.
func LookupMetadata(p *plugin.Plugin) (*meta.Metadata, error) {
	sym, err := p.Lookup(pluginapi.SymbolMetadata)
	if err != nil {
		return nil, nil
	}
	s, ok := sym.(*string)
	if !ok {
		return nil, fmt.Errorf("checking %s: %w: is %T, want *string", pluginapi.SymbolMetadata, ErrBadMetadata, sym)
	}
	md, err := meta.Parse([]byte(*s))
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w: %w", pluginapi.SymbolMetadata, ErrBadMetadata, err)
	}
	return md, nil
}

// Negotiate returns an error wrapping ErrMissingCapability naming the
// first of required that caps lacks.
func Negotiate(caps, required []string) error {
	for _, r := range required {
		if !slices.Contains(caps, r) {
			return fmt.Errorf("negotiating capabilities: %w %q (plugin has %q)", ErrMissingCapability, r, caps)
		}
	}
	return nil
}

// safeCall runs f, turning a panic into an error wrapping sentinel and
// ErrPanic.
func safeCall(name string, sentinel error, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("calling %s: %w: %w: %v", name, sentinel, ErrPanic, r)
		}
	}()
	f()
	return nil
}
