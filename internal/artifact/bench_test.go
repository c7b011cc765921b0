package artifact

import (
	"os"
	"testing"
)

// BenchmarkRead reads the fixture plugin from disk (page cache).
func BenchmarkRead(b *testing.B) {
	fx := fixtures(b)
	fi, err := os.Stat(fx.Plugin)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(fx.Plugin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadBytes is Read without the file system.
func BenchmarkReadBytes(b *testing.B) {
	fx := fixtures(b)
	data, err := os.ReadFile(fx.Plugin)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadBytes(fx.Plugin, data); err != nil {
			b.Fatal(err)
		}
	}
}
