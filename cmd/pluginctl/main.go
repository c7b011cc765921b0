package main

import (
	"context"
	"os"

	"github.com/pluginctl/pluginctl/internal/cli"
	"github.com/pluginctl/pluginctl/internal/diag"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := cli.Interruptible(context.Background())
	defer stop()
	err := cli.Run(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	return diag.ExitCode(err)
}
