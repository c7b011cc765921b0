// No plugin package, nothing to say.
package main

func main() {
	var x any = 1
	_ = x.(int)
}
