// Command host is the test host of the dynamic check: a careful host that
// loads the plugin files named on its command line with package loader and
// says which loaded. Exit status 0: every plugin loaded and works.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/pluginctl/pluginctl/pluginapi"
	"github.com/pluginctl/pluginctl/pluginapi/loader"
	"github.com/pluginctl/pluginctl/testdata/lib/shared"
)

func main() {
	var require []string
	flag.Func("require", "required capability (repeatable)", func(s string) error {
		require = append(require, s)
		return nil
	})
	flag.Parse()
	set := loader.LoadFiles("", flag.Args(), loader.Options{
		RequireCapabilities: require,
		Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	for _, l := range set.Loaded {
		resp, err := l.Plugin.Handle(&pluginapi.Request{ID: "1", Body: []byte(shared.Greeting() + "hello")})
		if err != nil || resp == nil {
			fmt.Printf("broken %s: %v\n", l.Path, err)
			os.Exit(1)
		}
		fmt.Printf("loaded %s %s\n", l.Path, l.Name)
	}
	for _, s := range set.Skipped {
		fmt.Printf("skipped %s: %v\n", s.Path, s.Err)
	}
	if len(set.Skipped) > 0 {
		os.Exit(1)
	}
}
