// Command uuidhost is a fixture host that links a third-party module,
// github.com/google/uuid v1.6.0 (it gives every request a random ID),
// besides the pluginctl API. A plugin built against another version of
// uuid (the depversion fixture, v1.5.0) cannot be loaded into it: the
// runtime says "plugin was built with a different version of package
// github.com/google/uuid". See package pipe for what it does.
package main

import (
	"os"

	"github.com/google/uuid"

	"example.com/fixturehosts/internal/pipe"
)

func main() {
	newID := func(int) string { return uuid.NewString() }
	os.Exit(pipe.Run("uuidhost", newID, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
