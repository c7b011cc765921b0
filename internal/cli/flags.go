package cli

import ucli "github.com/urfave/cli/v2"

// fastNames returns flags with each flag of the kinds pluginctl declares
// replaced by one whose Names answers from a slice computed once. urfave/cli
// computes a flag's names with a regular expression on every call, and to
// run a command it looks every flag up by name among all the others
// (runFlagActions, Context.IsSet): some 300 expressions for verify's 25
// flags (verify --static on ten remembered plugins: 2361 -> 2047
// allocations in-process, 5.33 -> 5.11 ms a run, 300 alternating runs).
// Every other method, help output included, is the flag's own: that is
// why each kind has a wrapper of its own, embedding the concrete flag,
// where one embedding the Flag interface would hide the methods urfave/cli
// finds by type assertion (usage, default text, category, Required).
func fastNames(flags []ucli.Flag) []ucli.Flag {
	out := make([]ucli.Flag, len(flags))
	for i, f := range flags {
		out[i], _ = fast(f)
	}
	return out
}

// flagName is f's name: its first name as declared.
func flagName(f ucli.Flag) string {
	if _, names := fast(f); names != nil {
		return names[0]
	}
	return f.Names()[0]
}

// fast returns f answering Names from its names as declared (Name, then
// Aliases: what urfave/cli's expression returns for names without commas
// or spaces, as TestFastNames checks), and those names; f itself and nil
// for a kind of flag pluginctl does not declare.
func fast(f ucli.Flag) (ucli.Flag, []string) {
	switch f := f.(type) {
	case *ucli.StringFlag:
		n := declared(f.Name, f.Aliases)
		return stringFlag{f, n}, n
	case *ucli.BoolFlag:
		n := declared(f.Name, f.Aliases)
		return boolFlag{f, n}, n
	case *ucli.IntFlag:
		n := declared(f.Name, f.Aliases)
		return intFlag{f, n}, n
	case *ucli.DurationFlag:
		n := declared(f.Name, f.Aliases)
		return durationFlag{f, n}, n
	case *ucli.StringSliceFlag:
		n := declared(f.Name, f.Aliases)
		return stringSliceFlag{f, n}, n
	case *ucli.GenericFlag:
		n := declared(f.Name, f.Aliases)
		return genericFlag{f, n}, n
	}
	return f, nil
}

func declared(name string, aliases []string) []string {
	return append([]string{name}, aliases...)
}

type stringFlag struct {
	*ucli.StringFlag
	names []string
}

func (f stringFlag) Names() []string { return f.names }

type boolFlag struct {
	*ucli.BoolFlag
	names []string
}

func (f boolFlag) Names() []string { return f.names }

type intFlag struct {
	*ucli.IntFlag
	names []string
}

func (f intFlag) Names() []string { return f.names }

type durationFlag struct {
	*ucli.DurationFlag
	names []string
}

func (f durationFlag) Names() []string { return f.names }

type stringSliceFlag struct {
	*ucli.StringSliceFlag
	names []string
}

func (f stringSliceFlag) Names() []string { return f.names }

type genericFlag struct {
	*ucli.GenericFlag
	names []string
}

func (f genericFlag) Names() []string { return f.names }
