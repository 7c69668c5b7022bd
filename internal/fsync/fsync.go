// Package fsync makes changes to a directory durable, for the code that writes hubgen's files
// (render) and the secret files (secrets).
package fsync

import "os"

// Dir flushes dir's entries to disk: after a rename or a create in dir returns, a crash must not
// bring the old file back or lose the new one.
func Dir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
