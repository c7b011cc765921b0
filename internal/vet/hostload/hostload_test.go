package hostload_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/hostload"
	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

func TestHostLoad(t *testing.T) {
	analysistest.Run(t, testData, hostload.NewAnalyzer(&common.Config{API: pluginapi.ImportPath}),
		"example.com/hostload/careful", "example.com/hostload/careless", "example.com/hostload/order", "example.com/hostload/notahost", "example.com/hostload/usesloader")
}
