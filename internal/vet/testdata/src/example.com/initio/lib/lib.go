package lib // want package:"init: exits the process via init → os.Exit"

// Not a plugin: its init is reported where a plugin imports it.

import "os"

func init() { os.Exit(1) }
