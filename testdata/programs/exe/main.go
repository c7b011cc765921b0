// Command exe is an ordinary Go program. The fixture builds it as an
// executable and names the file exe.so: an artifact that is ELF and Go, but
// not a plugin.
package main

import "fmt"

func main() { fmt.Println("exe: I am a program, not a plugin") }
