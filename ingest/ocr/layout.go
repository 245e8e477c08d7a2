package ocr

import (
	"math"
	"slices"

	"sohoa"
)

// Reading order. Tesseract, told the page is one column of lines (mode 4,
// which reads a register row by row), reads a Decree 30 header across both
// of its columns: "UBND TỈNH HẢI DƯƠNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
// The same goes for the signature block (Nơi nhận on the left, the
// authority and signer on the right). readingOrder finds those two-column
// stretches from the word boxes and puts each column whole, left before
// right; every other line keeps Tesseract's order.
//
// A line is cut into segments where two words are further apart than
// splitGap times the line's height. A line of two segments, or two lines
// in a row far apart sideways, open a two-column stretch, whose gutter is
// the space between them. The lines before and after join it while each of
// their segments keeps to one side of the gutter (narrowing it), they
// follow closely (within closeGap heights), and the gutter stays at least
// a line high wide. A line of three or more segments is a table row, and
// ends a stretch: a register is read row by row. A column counts when it
// has two lines, or a line of its own, so that one form line of two fields
// ("Giới tính: Nam    Dân tộc: Kinh") stays one line.
const (
	splitGap = 3.0
	closeGap = 2.5
)

// segment is the words of a line between two wide gaps.
type segment struct {
	words          []sohoa.Word
	x0, y0, x1, y1 int
}

func newSegment(words []sohoa.Word) segment {
	s := segment{words: words, x0: words[0].X0, y0: words[0].Y0, x1: words[0].X1, y1: words[0].Y1}
	for _, w := range words[1:] {
		s.x0, s.y0, s.x1, s.y1 = min(s.x0, w.X0), min(s.y0, w.Y0), max(s.x1, w.X1), max(s.y1, w.Y1)
	}
	return s
}

// row is one of Tesseract's lines, cut into segments.
type row struct {
	segs   []segment
	y0, y1 int
	// side of each segment in a two-column stretch: 0 none, 1 left, 2 right.
	sides []int
}

// readingOrder returns words (in Tesseract's order, with its block,
// paragraph and line numbers) in reading order, numbered again: a block
// per line outside two-column stretches, per column within one.
func readingOrder(words []sohoa.Word) []sohoa.Word {
	if len(words) == 0 {
		return words
	}
	rows := splitRows(words)
	h := medianHeight(words)
	region := make([]int, len(rows)) // 0: none; k: the k-th stretch
	k := 0
	for i := range rows {
		if region[i] != 0 {
			continue
		}
		if first, last, ok := stretch(rows, region, i, h); ok {
			k++
			for j := first; j <= last; j++ {
				region[j] = k
			}
		}
		for j := range rows {
			if region[j] == 0 {
				rows[j].sides = nil
			}
		}
	}
	out := make([]sohoa.Word, 0, len(words))
	block := 0
	emit := func(lines [][]sohoa.Word) {
		block++
		for n, ws := range lines {
			for _, w := range ws {
				w.Block, w.Par, w.Line = block, 1, n+1
				out = append(out, w)
			}
		}
	}
	for i := 0; i < len(rows); {
		if region[i] == 0 {
			var line []sohoa.Word
			for _, s := range rows[i].segs {
				line = append(line, s.words...)
			}
			emit([][]sohoa.Word{line})
			i++
			continue
		}
		j := i
		for j < len(rows) && region[j] == region[i] {
			j++
		}
		for side := 1; side <= 2; side++ {
			var lines [][]sohoa.Word
			for _, r := range rows[i:j] {
				for n, s := range r.segs {
					if r.sides[n] == side {
						lines = append(lines, s.words)
					}
				}
			}
			emit(lines)
		}
		i = j
	}
	return out
}

// splitRows groups words into Tesseract's lines and cuts each at its wide
// gaps.
func splitRows(words []sohoa.Word) []row {
	var rows []row
	start := 0
	for i := 1; i <= len(words); i++ {
		if i < len(words) && sameLine(words[i-1], words[i]) {
			continue
		}
		line := words[start:i]
		start = i
		h := float64(medianHeight(line))
		r := row{}
		from := 0
		for j := 1; j <= len(line); j++ {
			if j < len(line) && float64(line[j].X0-line[j-1].X1) <= splitGap*h {
				continue
			}
			r.segs = append(r.segs, newSegment(line[from:j]))
			from = j
		}
		r.y0, r.y1 = r.segs[0].y0, r.segs[0].y1
		for _, s := range r.segs[1:] {
			r.y0, r.y1 = min(r.y0, s.y0), max(r.y1, s.y1)
		}
		// Two columns' lines read as two lines of their own, side by side,
		// are one line of two segments.
		if n := len(rows); n > 0 && len(r.segs) == 1 && len(rows[n-1].segs) == 1 && sideBySide(rows[n-1].segs[0], r.segs[0], h) {
			a, b := rows[n-1].segs[0], r.segs[0]
			if b.x0 < a.x0 {
				a, b = b, a
			}
			rows[n-1] = row{segs: []segment{a, b}, y0: min(a.y0, b.y0), y1: max(a.y1, b.y1)}
			continue
		}
		rows = append(rows, r)
	}
	return rows
}

// sideBySide reports whether two segments share most of their height and
// stand apart by more than splitGap heights h.
func sideBySide(a, b segment, h float64) bool {
	overlap := min(a.y1, b.y1) - max(a.y0, b.y0)
	gap := max(b.x0-a.x1, a.x0-b.x1)
	return float64(overlap) > 0.5*float64(min(a.y1-a.y0, b.y1-b.y0)) && float64(gap) > splitGap*h
}

func sameLine(a, b sohoa.Word) bool { return a.Block == b.Block && a.Par == b.Par && a.Line == b.Line }

func medianHeight(words []sohoa.Word) int {
	hs := make([]int, len(words))
	for i, w := range words {
		hs[i] = w.Y1 - w.Y0
	}
	slices.Sort(hs)
	return max(hs[len(hs)/2], 1)
}

// stretch grows a two-column stretch from rows[i] over the rows around it
// not yet in one (region), and returns its first and last rows, their
// sides set, and whether it counts. It starts from a line of two segments,
// or from two lines one after the other, on either side of a gutter and
// close enough.
func stretch(rows []row, region []int, i, h int) (first, last int, ok bool) {
	close := func(gap int) bool { return float64(gap) <= closeGap*float64(h) }
	first, last = i, i
	var g gutter
	switch r := rows[i]; {
	case len(r.segs) == 2:
		g = gutter{l: r.segs[0].x1, r: r.segs[1].x0, min: h}
		rows[i].sides = []int{1, 2}
	case len(r.segs) == 1 && i+1 < len(rows) && region[i+1] == 0 && len(rows[i+1].segs) == 1:
		a, b := r.segs[0], rows[i+1].segs[0]
		if !close(max(b.y0-a.y1, a.y0-b.y1)) {
			return 0, 0, false
		}
		switch {
		case float64(b.x0-a.x1) > splitGap*float64(h):
			g = gutter{l: a.x1, r: b.x0, min: h}
			rows[i].sides, rows[i+1].sides = []int{1}, []int{2}
		case float64(a.x0-b.x1) > splitGap*float64(h):
			g = gutter{l: b.x1, r: a.x0, min: h}
			rows[i].sides, rows[i+1].sides = []int{2}, []int{1}
		default:
			return 0, 0, false
		}
		last = i + 1
	default:
		return 0, 0, false
	}
	if !g.wide() {
		return 0, 0, false
	}
	top, bottom := rows[first].y0, rows[first].y1
	for _, r := range rows[first : last+1] {
		top, bottom = min(top, r.y0), max(bottom, r.y1)
	}
	for j := last + 1; j < len(rows) && region[j] == 0 && close(rows[j].y0-bottom) && g.take(&rows[j]); j++ {
		last, bottom = j, max(bottom, rows[j].y1)
	}
	for j := first - 1; j >= 0 && region[j] == 0 && close(top-rows[j].y1) && g.take(&rows[j]); j-- {
		first, top = j, min(top, rows[j].y0)
	}
	// A column counts with two lines, or with one line of its own: one
	// form line of two fields is not two columns.
	// Columns stand side by side: one that ends above where the other
	// begins is read before it, as it comes.
	var lines, alone [3]int
	y0, y1 := [3]int{math.MaxInt, math.MaxInt, math.MaxInt}, [3]int{}
	for _, r := range rows[first : last+1] {
		for n, s := range r.sides {
			lines[s]++
			if len(r.sides) == 1 {
				alone[s]++
			}
			y0[s], y1[s] = min(y0[s], r.segs[n].y0), max(y1[s], r.segs[n].y1)
		}
	}
	for s := 1; s <= 2; s++ {
		if lines[s] < 2 && alone[s] == 0 {
			return first, last, false
		}
	}
	return first, last, lines[1]+lines[2] >= 3 && min(y1[1], y1[2]) > max(y0[1], y0[2])
}

// gutter is the space between two columns: from l to r, at least min wide.
type gutter struct{ l, r, min int }

func (g *gutter) wide() bool { return g.r-g.l >= g.min }

// take puts each segment of r on one side of the gutter, narrowing it, or
// reports that r does not keep to the columns (and leaves g as it was).
func (g *gutter) take(r *row) bool {
	if len(r.segs) > 2 {
		return false
	}
	next := *g
	sides := make([]int, len(r.segs))
	for n, s := range r.segs {
		switch {
		case s.x0 < next.l && s.x1 < next.r:
			sides[n], next.l = 1, max(next.l, s.x1)
		case s.x0 > next.l && s.x1 > next.r:
			sides[n], next.r = 2, min(next.r, s.x0)
		default:
			return false
		}
	}
	if len(sides) == 2 && (sides[0] != 1 || sides[1] != 2) || !next.wide() {
		return false
	}
	*g, r.sides = next, sides
	return true
}
