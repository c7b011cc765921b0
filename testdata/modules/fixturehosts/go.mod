module example.com/fixturehosts

go 1.26.0

require (
	github.com/google/uuid v1.6.0
	github.com/pluginctl/pluginctl v0.0.0
)

replace github.com/pluginctl/pluginctl => ../../..
