package initio_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/initio"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

func TestInitIO(t *testing.T) {
	analysistest.Run(t, testData, initio.NewAnalyzer(&common.Config{API: pluginapi.ImportPath}),
		"example.com/initio/good", "example.com/initio/readfile", "example.com/initio/varinit", "example.com/initio/exit",
		"example.com/initio/initpanic", "example.com/initio/hang", "example.com/initio/forge", "example.com/initio/callback",
		"example.com/initio/usehelper", "example.com/initio/imports", "example.com/initio/lib")
}

func TestInitIOCgo(t *testing.T) {
	analysistest.Run(t, testData, initio.NewAnalyzer(&common.Config{API: pluginapi.ImportPath}), "example.com/initio/cgoabort")
}
