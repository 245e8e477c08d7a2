package search

import "sohoa/vntext"

func normalizeForTest(s string) string { return vntext.Normalize(s) }
