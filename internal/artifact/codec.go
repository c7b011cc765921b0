package artifact

import (
	"bytes"
	"encoding/json"
)

// entry is what a facts cache entry holds: a File's exported fields and
// what its lazy readers found, as JSON, so that a field added to File is
// remembered without a codec to update (and nil stays apart from empty:
// no package hashes means stripped).
type entry struct {
	File  *File
	Facts *facts
}

// encodeEntry encodes f and its facts (nil if it cannot).
func encodeEntry(f *File, fs *facts) []byte {
	data, err := json.Marshal(entry{f, fs})
	if err != nil {
		return nil
	}
	return data
}

// decodeEntry decodes what encodeEntry wrote; false for anything else
// (a truncated entry, one with more after it).
func decodeEntry(data []byte) (*File, *facts, bool) {
	var e entry
	d := json.NewDecoder(bytes.NewReader(data))
	if d.Decode(&e) != nil || d.More() || e.File == nil {
		return nil, nil, false
	}
	if _, err := d.Token(); err == nil {
		return nil, nil, false // a second value after the entry
	}
	if e.Facts == nil {
		e.Facts = &facts{}
	}
	return e.File, e.Facts, true
}
