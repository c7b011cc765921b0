// Command othercaps is valid but lacks the "echo" capability.
package main

import "github.com/pluginctl/pluginctl/pluginapi"

var APIVersion = pluginapi.APIVersion

type p struct{}

func (p) Name() string { return "othercaps" }

func (p) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return p{} }

func Capabilities() []string { return []string{"other"} }
