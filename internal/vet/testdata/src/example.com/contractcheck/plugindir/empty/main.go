package main // want `plugin has no Double` `plugin has no Seven`

func main() {}
