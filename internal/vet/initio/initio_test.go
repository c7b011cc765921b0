package initio_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/initio"
)

func TestInitIO(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), initio.Analyzer,
		"example.com/good", "example.com/readfile", "example.com/varinit", "example.com/exit",
		"example.com/initpanic", "example.com/hang", "example.com/forge", "example.com/callback",
		"example.com/usehelper", "example.com/imports", "example.com/lib")
}

func TestInitIOCgo(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), initio.Analyzer, "example.com/cgoabort")
}
