package main

import (
	"context"
	"fmt"
	"io"
)

func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return fmt.Errorf("not yet")
}
