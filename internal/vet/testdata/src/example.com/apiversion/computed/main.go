package main

import (
	"strings"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = strings.ToLower("V1") // want `APIVersion is set to strings.ToLower\("V1"\), not pluginapi.APIVersion`

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}
