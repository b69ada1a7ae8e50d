package main

import (
	"context"
	"fmt"
	"io"
)

// demo fills an empty database with a believable society.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return fmt.Errorf("demo: not available yet")
}
