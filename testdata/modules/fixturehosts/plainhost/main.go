// Command plainhost is a fixture host of the same module as uuidhost that
// does not link github.com/google/uuid. Two plugins that link different
// versions of uuid each load into it alone, but not together (the
// conflict fixture): the second is refused with "plugin was built with a
// different version of package github.com/google/uuid". See package pipe
// for what it does.
package main

import (
	"os"
	"strconv"

	"example.com/fixturehosts/internal/pipe"
)

func main() {
	newID := func(n int) string { return "line-" + strconv.Itoa(n) }
	os.Exit(pipe.Run("plainhost", newID, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
