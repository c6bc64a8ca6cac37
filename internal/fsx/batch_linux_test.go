package fsx

func syncfsMinForTest() int { return syncfsMin }
