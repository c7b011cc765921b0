package artifact

import "reflect"

// Helpers of the codec tests: a field the cache forgets (one added to a
// type later, or of a type JSON cannot carry) must fail a test,
// not vanish from the cache.

// fillAll sets every exported leaf below v, a pointer, to a distinct
// non-zero value. A type that contains itself (debug.Module's Replace)
// is filled two deep; the pointer below is left nil.
func fillAll(v any) {
	n := 0
	fill(reflect.ValueOf(v).Elem(), &n, nil)
}

// zeroLeavesOf names the exported leaves below v, a pointer, that are zero,
// skipping what fillAll leaves nil: after a round trip of what fillAll filled,
// the fields the codec lost.
func zeroLeavesOf(v any, name string) []string {
	return zeroLeaves(reflect.ValueOf(v).Elem(), name, nil)
}

func fill(v reflect.Value, n *int, above []reflect.Type) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)) + string(rune('0'+*n%10)) + string(rune('A'+*n/26%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n%100 + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n%100 + 1))
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n, above)
		}
	case reflect.Pointer:
		if nested(above, v.Type().Elem()) {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, append(above, v.Type().Elem()))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n, above)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n, above)
			fill(e, n, above)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n, append(above, v.Type()))
			}
		}
	}
}

func zeroLeaves(v reflect.Value, name string, above []reflect.Type) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if nested(above, v.Type().Elem()) {
			return nil
		}
		if v.IsNil() {
			return []string{name}
		}
		return zeroLeaves(v.Elem(), name, append(above, v.Type().Elem()))
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return []string{name}
		}
		var out []string
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				out = append(out, zeroLeaves(v.Index(i), name+"[i]", above)...)
			}
		} else {
			for _, k := range v.MapKeys() {
				out = append(out, zeroLeaves(v.MapIndex(k), name+"[k]", above)...)
			}
		}
		return out
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, zeroLeaves(v.Field(i), name+"."+f.Name, append(above, v.Type()))...)
			}
		}
		return out
	}
	if v.IsZero() {
		return []string{name}
	}
	return nil
}

// nested tells whether t is already two deep in above.
func nested(above []reflect.Type, t reflect.Type) bool {
	n := 0
	for _, a := range above {
		if a == t {
			n++
		}
	}
	return n >= 2
}
