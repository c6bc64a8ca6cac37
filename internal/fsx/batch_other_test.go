//go:build !linux

package fsx

func syncfsMinForTest() int { return 16 }
