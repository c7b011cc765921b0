package sharedstate_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/internal/common"
	"github.com/pluginctl/pluginctl/internal/vet/sharedstate"
	"github.com/pluginctl/pluginctl/pluginapi"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

func TestSharedState(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testData, sharedstate.NewAnalyzer(&common.Config{API: pluginapi.ImportPath}),
		"example.com/sharedstate/good", "example.com/sharedstate/racy", "example.com/sharedstate/lib")
}
