package probe

// This file is compiled twice: into package probe, where the parent checks
// the reports, and, with its package clause rewritten, into every
// generated probe program, which writes them. It must import nothing, so
// that the probe links no package the host does not link.

// The report protocol. The parent starts the probe with two extra pipes:
//
//	fd 3  report: the probe writes one line per stage
//	fd 4  key:    the parent writes keyLen random bytes, then closes it
//
// Before it opens any plugin, the probe reads the key and closes fd 4, so
// that no plugin code can read it from the pipe. Each report line is
//
//	<JSON object>\t<16 hex digits of SipHash-2-4(key, JSON object)>\n
//
// and the JSON object starts with {"seq":N,"stage":"NAME" where N counts
// the lines from 1. The parent trusts a line only if its MAC verifies and
// its seq is the next one expected, and trusts a run only if it ends with
// an authenticated "done" line and the process exits with status 0. A
// plugin that writes success-looking lines to every descriptor cannot
// produce a valid MAC without the key, and one that exits early never
// lets the probe write "done".

// keyLen is the size of the per-run key in bytes.
const keyLen = 16

// Stage names of Event.Stage, in the order a probe writes them for one
// artifact.
const (
	StageStarted   = "started"    // key read, before any plugin.Open
	StageOpening   = "opening"    // about to call plugin.Open (index, path)
	StageOpened    = "opened"     // plugin.Open returned a plugin (same_as: index of an earlier artifact giving the same *plugin.Plugin)
	StageOpenError = "open-error" // plugin.Open returned an error (error)
	StageLookedUp  = "looked-up"  // symbols looked up (symbols: the convention's; checks: the contract's, by position)
	StageCall      = "call"       // about to call a plugin function (func)
	StageReturned  = "returned"   // it returned (func, value/list/nil/error)
	StagePanicked  = "panicked"   // it panicked and the probe recovered (func, value, stack)
	StageDone      = "done"       // every artifact handled; the probe exits 0 next
)

// sipHash returns SipHash-2-4 of m under the 128-bit key (k0, k1).
func sipHash(k0, k1 uint64, m []byte) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	b := uint64(len(m)) << 56
	round := func() {
		v0 += v1
		v1 = v1<<13 | v1>>51
		v1 ^= v0
		v0 = v0<<32 | v0>>32
		v2 += v3
		v3 = v3<<16 | v3>>48
		v3 ^= v2
		v0 += v3
		v3 = v3<<21 | v3>>43
		v3 ^= v0
		v2 += v1
		v1 = v1<<17 | v1>>47
		v1 ^= v2
		v2 = v2<<32 | v2>>32
	}
	for len(m) >= 8 {
		mi := le64(m)
		v3 ^= mi
		round()
		round()
		v0 ^= mi
		m = m[8:]
	}
	var t uint64
	for i := len(m) - 1; i >= 0; i-- {
		t = t<<8 | uint64(m[i])
	}
	b |= t
	v3 ^= b
	round()
	round()
	v0 ^= b
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// macKey splits a key into SipHash's two words.
func macKey(key []byte) (k0, k1 uint64) {
	return le64(key[0:8]), le64(key[8:16])
}

const hexDigits = "0123456789abcdef"

// appendMAC appends "\t" and the 16 hex digits of the MAC of body.
func appendMAC(dst []byte, k0, k1 uint64, body []byte) []byte {
	h := sipHash(k0, k1, body)
	dst = append(dst, '\t')
	for i := 60; i >= 0; i -= 4 {
		dst = append(dst, hexDigits[h>>uint(i)&0xf])
	}
	return dst
}

// appendJSONString appends s as a JSON string, cut to at most max bytes of
// s (max <= 0: no limit). Invalid UTF-8 is passed through; the parent's
// decoder replaces it.
func appendJSONString(dst []byte, s string, max int) []byte {
	if max > 0 && len(s) > max {
		s = s[:max]
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// appendInt appends the decimal form of n.
func appendInt(dst []byte, n int) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// jsonObject builds the fields of one JSON object, without the braces.
type jsonObject struct{ b []byte }

func (o *jsonObject) key(k string) {
	if len(o.b) > 0 {
		o.b = append(o.b, ',')
	}
	o.b = appendJSONString(o.b, k, 0)
	o.b = append(o.b, ':')
}

func (o *jsonObject) str(k, v string, max int) *jsonObject {
	o.key(k)
	o.b = appendJSONString(o.b, v, max)
	return o
}

func (o *jsonObject) num(k string, v int) *jsonObject {
	o.key(k)
	o.b = appendInt(o.b, v)
	return o
}

func (o *jsonObject) flag(k string, v bool) *jsonObject {
	o.key(k)
	if v {
		o.b = append(o.b, "true"...)
	} else {
		o.b = append(o.b, "false"...)
	}
	return o
}

// list appends at most maxN strings of at most max bytes each; more is
// flagged with k+"_truncated".
func (o *jsonObject) list(k string, vs []string, maxN, max int) *jsonObject {
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i == maxN {
			break
		}
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, v, max)
	}
	o.b = append(o.b, ']')
	if len(vs) > maxN {
		o.flag(k+"_truncated", true)
	}
	return o
}

func (o *jsonObject) object(k string, sub *jsonObject) *jsonObject {
	o.key(k)
	o.b = append(o.b, '{')
	o.b = append(o.b, sub.b...)
	o.b = append(o.b, '}')
	return o
}

// reportLine returns the complete authenticated line for one stage.
func reportLine(k0, k1 uint64, seq int, stage string, fields *jsonObject) []byte {
	body := make([]byte, 0, 64+len(fields.b))
	body = append(body, `{"seq":`...)
	body = appendInt(body, seq)
	body = append(body, `,"stage":`...)
	body = appendJSONString(body, stage, 0)
	if fields != nil && len(fields.b) > 0 {
		body = append(body, ',')
		body = append(body, fields.b...)
	}
	body = append(body, '}')
	line := appendMAC(body, k0, k1, body)
	return append(line, '\n')
}

// symbolCheck tells the probe to look up one symbol of the host's
// contract and assert it, as the host does, to each of its types: indexes
// into the probe's table of compiled assertions (none: any type will do).
// On the probe's command line it is one -check argument, "r:NAME:1,4"
// for a required symbol, "o:NAME:" for an optional one of any type.
type symbolCheck struct {
	name     string
	required bool
	types    []int
}

// formatSymbolCheck returns the command-line form of c.
func formatSymbolCheck(c symbolCheck) string {
	b := []byte("o:")
	if c.required {
		b[0] = 'r'
	}
	b = append(b, c.name...)
	b = append(b, ':')
	for i, t := range c.types {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendInt(b, t)
	}
	return string(b)
}

// parseSymbolCheck parses the command-line form of a symbolCheck.
func parseSymbolCheck(s string) (symbolCheck, bool) {
	kind, rest, _ := cut(s, ':')
	name, types, ok := cut(rest, ':')
	c := symbolCheck{name: name, required: kind == "r"}
	if !ok || name == "" || kind != "r" && kind != "o" {
		return c, false
	}
	for more := types != ""; more; {
		var t string
		t, types, more = cut(types, ',')
		n, ok := atoi(t)
		if !ok {
			return c, false
		}
		c.types = append(c.types, n)
	}
	return c, true
}

// The configuration. pluginctl starts the probe program as a supervisor
// (see supervisor_linux.go), which starts the probe proper; each reads its
// configuration from fd 4 until EOF, so that nothing on the command line
// or in the environment says what the program is for:
//
//	<role byte> <keyLen bytes of key> [<keyLen bytes of status key>] <arg> NUL <arg> NUL ...
//
// The supervisor's configuration has two keys: the report's, which it
// hands to the probe, and the status key, which authenticates its own
// status lines and never leaves it.
const (
	roleSupervisor = 's'
	roleProbe      = 'p'
)

// maxConfig bounds the configuration a probe reads.
const maxConfig = 1 << 24

// config is a decoded configuration.
type config struct {
	role byte
	key  [keyLen]byte
	skey [keyLen]byte // the supervisor's only
	args []string
}

// keysOf is the length of the keys of a role's configuration.
func keysOf(role byte) int {
	if role == roleSupervisor {
		return 2 * keyLen
	}
	return keyLen
}

// encodeConfig returns the configuration's bytes; key is keysOf(role)
// bytes long.
func encodeConfig(role byte, key []byte, args []string) []byte {
	b := make([]byte, 0, 1+2*keyLen+64*len(args))
	b = append(b, role)
	b = append(b, key[:keysOf(role)]...)
	for _, a := range args {
		b = append(b, a...)
		b = append(b, 0)
	}
	return b
}

// parseConfig decodes a configuration.
func parseConfig(b []byte) (config, bool) {
	var c config
	if len(b) < 1 || b[0] != roleSupervisor && b[0] != roleProbe || len(b) < 1+keysOf(b[0]) {
		return c, false
	}
	c.role = b[0]
	copy(c.key[:], b[1:1+keyLen])
	if c.role == roleSupervisor {
		copy(c.skey[:], b[1+keyLen:1+2*keyLen])
	}
	for rest := string(b[1+keysOf(c.role):]); rest != ""; {
		arg, after, ok := cut(rest, 0)
		if !ok {
			return c, false // an unterminated argument
		}
		c.args, rest = append(c.args, arg), after
	}
	return c, true
}

// wipe zeroes b: a key, once it is not needed any more.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// statusLine returns one authenticated status line of the supervisor's:
// kind, a space, text (newlines and tabs made spaces), the MAC.
func statusLine(k0, k1 uint64, kind, text string) []byte {
	line := make([]byte, 0, len(kind)+1+len(text)+18)
	line = append(line, kind...)
	line = append(line, ' ')
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' || c == '\t' || c == '\r' {
			c = ' '
		}
		line = append(line, c)
	}
	line = appendMAC(line, k0, k1, line)
	return append(line, '\n')
}

// atoi parses a non-negative decimal number of at most 9 digits.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// cut is strings.Cut for one byte (the probe links no package strings).
func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
