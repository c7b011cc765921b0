package main

import "github.com/pluginctl/pluginctl/pluginapi"

var Counter int64

var Total uint32

var Names = map[string]bool{}

var Stats struct{ Calls int }

var Last string

func Tick() {
	Counter++ // want `exported variable Counter is written here \(\+\+\) without atomics or a mutex: plugin.Lookup\("Counter"\) gives the host a \*int64 to the same memory`
}

func Add(n int64, name string) {
	Counter += n       // want `exported variable Counter is written here \(\+=\)`
	Total += 2         // want `exported variable Total is written here`
	Names[name] = true // want `exported variable Names is written here \(=\)`
	delete(Names, "x") // want `exported variable Names is written here \(delete\)`
	Stats.Calls++      // want `exported variable Stats is written here`
	go func() {
		Last = name // want `exported variable Last is written here`
	}()
}

type plug struct{}

func (plug) Name() string { return "x" }

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) { return nil, nil }

func New() pluginapi.Plugin { return plug{} }

func main() {}
