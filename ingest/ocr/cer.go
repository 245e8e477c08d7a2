package ocr

import (
	"strings"

	"sohoa/vntext"
)

// CER is the character error rate of the OCR text got against the ground
// truth want, independent of reading order between lines: a page's two
// header columns or a table may be read in more than one right order, and
// that is not what this measures.
//
// Each ground-truth line is matched to the substring of got it is closest to
// (edit distance, white space runs made one space); the errors are the sum of
// those distances plus every character of got that no line matched (text
// OCR made up), over the number of ground-truth characters.
func CER(got, want string) float64 {
	g := []rune(oneSpace(vntext.Normalize(got)))
	covered := make([]bool, len(g))
	var errs, total int
	for _, line := range strings.Split(vntext.Normalize(want), "\n") {
		w := []rune(oneSpace(line))
		if len(w) == 0 {
			continue
		}
		total += len(w)
		d, start, end := substringDistance(w, g, covered)
		errs += d
		for i := start; i < end; i++ {
			covered[i] = true
		}
	}
	for i, r := range g {
		if !covered[i] && r != ' ' {
			errs++
		}
	}
	if total == 0 {
		return float64(len(g))
	}
	return float64(errs) / float64(total)
}

// StrictCER is the character error rate of got against want in reading
// order: the edit distance between the two texts, every run of white space
// (line breaks included) made one space, over the characters of want. A
// page whose columns are read interleaved scores as badly as a reader
// would judge it; CER forgives that.
func StrictCER(got, want string) float64 {
	g, w := []rune(oneSpace(vntext.Normalize(got))), []rune(oneSpace(vntext.Normalize(want)))
	if len(w) == 0 {
		return float64(len(g))
	}
	return float64(editDistance(g, w)) / float64(len(w))
}

func editDistance(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j-1]+cost, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func oneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// substringDistance returns the edit distance between p and the substring
// t[start:end] closest to it (Sellers' algorithm), where a character an
// earlier line took counts as one more error: a second "GIÁM ĐỐC" on the
// page is matched to its own words, not to the first.
func substringDistance(p, t []rune, taken []bool) (dist, start, end int) {
	m, n := len(p), len(t)
	// d[i][j]: distance of p[:i] to the best substring of t ending at j;
	// s[i][j]: where that substring starts.
	prev, cur := make([]int, n+1), make([]int, n+1)
	ps, cs := make([]int, n+1), make([]int, n+1)
	for j := 0; j <= n; j++ {
		prev[j], ps[j] = 0, j
	}
	for i := 1; i <= m; i++ {
		cur[0], cs[0] = i, 0
		for j := 1; j <= n; j++ {
			cost := 1
			if p[i-1] == t[j-1] {
				cost = 0
			}
			best, bs := prev[j-1]+cost, ps[j-1]
			if v := prev[j] + 1; v < best {
				best, bs = v, ps[j]
			}
			if v := cur[j-1] + 1; v < best {
				best, bs = v, cs[j-1]
			}
			cur[j], cs[j] = best, bs
		}
		prev, cur = cur, prev
		ps, cs = cs, ps
	}
	// used[j]: characters of t[:j] already taken
	used := make([]int, n+1)
	for j, b := range taken {
		used[j+1] = used[j]
		if b {
			used[j+1]++
		}
	}
	best := -1
	for j := 0; j <= n; j++ {
		if c := prev[j] + used[j] - used[ps[j]]; best < 0 || c < best {
			best, dist, start, end = c, prev[j], ps[j], j
		}
	}
	return dist, start, end
}
