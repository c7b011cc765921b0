package clean

import "strings"

var Upper = strings.ToUpper("x")

func init() { _ = Upper }
