//go:build !linux

package fsx

func syncContents(files []batchFile) error { return fsyncEach(files) }
