// Package static holds Rounds' stylesheet, its small hand-written scripts
// and icons, embedded into the binary and served with long cache lifetimes.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS holds every static file.
//
//go:embed *.css *.js *.svg
var FS embed.FS

// Version is a hash of all static files, put in their URLs so browsers may
// cache them for a year and still see every change.
var Version = func() string {
	h := sha256.New()
	_ = fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()
