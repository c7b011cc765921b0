package builder

import (
	"github.com/pluginctl/pluginctl/pluginapi/meta"
	"golang.org/x/tools/go/packages"
)

func pkgStub(path, dir string) *packages.Package {
	return &packages.Package{PkgPath: path, Dir: dir}
}

func baseMeta() meta.Metadata {
	return meta.Metadata{Schema: meta.Schema, GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", Flags: []string{"-trimpath"}, BuildSet: "x"}
}
