package hostload_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/hostload"
)

func TestHostLoad(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), hostload.Analyzer,
		"example.com/careful", "example.com/careless", "example.com/order", "example.com/notahost", "example.com/usesloader")
}
