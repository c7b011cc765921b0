// A renamed import of the API and an alias of the factory type are fine.
package main

import api "github.com/pluginctl/pluginctl/pluginapi"

type P = api.Plugin

type plug struct{}

func (plug) Name() string { return "renamed" }

func (plug) Handle(req *api.Request) (*api.Response, error) { return nil, nil }

func New() P { return plug{} }

func main() {}
