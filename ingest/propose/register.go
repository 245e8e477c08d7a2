package propose

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sohoa"
	"sohoa/vntext"
)

// Reread reads a cell of the page at hand again, alone, with only the
// characters chars: its text and its lowest word confidence (ocr.Engine's
// CellReader). PageEntries calls it for the numbers of a register that
// break their sequence or were read unsurely.
type Reread func(box sohoa.Box, chars string) (string, float64, bool)

// columns of a register page: the header's words (folded) and the entry
// field under them.
var columns = []struct {
	label []string
	field string
}{
	{[]string{"stt"}, "stt"}, {[]string{"ho", "va", "ten"}, "ho_ten"}, {[]string{"ho", "ten"}, "ho_ten"},
	{[]string{"ngay", "sinh"}, "ngay_sinh"}, {[]string{"noi", "sinh"}, "noi_sinh"}, {[]string{"gioi", "tinh"}, "gioi_tinh"},
	{[]string{"dan", "toc"}, "dan_toc"}, {[]string{"so", "hieu"}, "so_hieu"}, {[]string{"so", "vao", "so"}, "so_vao_so"},
}

// column is where a register's column starts on the page, and its field.
type column struct {
	x     int
	field string
}

// header finds the register's header row: the line naming three columns
// or more.
func header(l line) []column {
	toks := tokens(l.text)
	var cols []column
	for i := 0; i < len(toks); i++ {
		for _, c := range columns {
			if i+len(c.label) <= len(toks) && toks.near(i, c.label) {
				cols = append(cols, column{x: l.x0(toks[i].start), field: c.field})
				i += len(c.label) - 1
				break
			}
		}
	}
	if len(cols) < 3 {
		return nil
	}
	return cols
}

// PageEntries reads the rows of page n (pt) of a document of type typ ("",
// or so_goc) when it is a register page, reading numbers in doubt again
// with reread; nil for any other page.
func PageEntries(typ string, n int, pt *sohoa.PageText, reread Reread) []sohoa.Entry {
	lines := pageLines(n, pt)
	if typ == "" {
		if t := guessType(lines); t != nil {
			typ, _ = t.Value.(string)
		}
	}
	if typ != sohoa.TypeSoGoc {
		return nil
	}
	p := proposer{lines: lines, out: map[string]sohoa.Proposal{}}
	p.registerHeader()
	return p.rows(reread)
}

// registerHeader reads the fields a register page prints above its table.
func (p *proposer) registerHeader() {
	for _, l := range p.lines {
		if toks := tokens(l.text); len(toks) > 3 && toks.match(0, []string{"so", "goc", "cap"}) {
			r := []rune(strings.ToLower(l.text[toks[3].start:]))
			r[0] = []rune(strings.ToUpper(string(r[0])))[0]
			p.set("loai_van_bang", string(r), l, toks[3].start, 0, false)
			break
		}
	}
	if l, a, b, ok := p.labelled("nam tot nghiep"); ok {
		if m := reYearStart.FindStringIndex(l.text[a:b]); m != nil {
			p.set("nam_tot_nghiep", l.text[a+m[0]:a+m[1]], l, a+m[0], a+m[1], false)
		}
	}
	if l, a, b, ok := p.labelled("hoi dong thi"); ok {
		p.set("hoi_dong_thi", strings.TrimSpace(l.text[a:b]), l, a, b, false)
	}
}

// rows reads a register page's table, a row a person, once its header is
// read (the register's year holds its numbers).
func (p *proposer) rows(reread Reread) []sohoa.Entry {
	var entries []sohoa.Entry
	var cols []column
	for _, l := range p.lines {
		if cols == nil {
			cols = header(l)
			continue
		}
		e, ok := p.row(l, cols)
		if !ok {
			if len(entries) > 0 {
				break
			}
			continue
		}
		e.Row = len(entries) + 1
		entries = append(entries, e)
	}
	year, _ := p.out["nam_tot_nghiep"].Value.(string)
	checkSequences(entries, year, reread)
	agreeOnPlaces(entries)
	return entries
}

// row reads one line of the table into the columns: a word belongs to the
// last column starting left of it (less a letter's slack).
func (p *proposer) row(l line, cols []column) (sohoa.Entry, bool) {
	cells, orig := map[string][]sohoa.Word{}, map[string][]sohoa.Word{}
	h := l.box.Height()
	for i, w := range l.words {
		field := ""
		for _, c := range cols {
			if w.X0 >= c.x-h {
				field = c.field
			}
		}
		// A date is a birth date, wherever blur put its left edge.
		if reDMY.MatchString(strings.Trim(w.Text, "._-:,;'")) && slices.ContainsFunc(cols, func(c column) bool { return c.field == "ngay_sinh" }) {
			field = "ngay_sinh"
		}
		if field == "" {
			return sohoa.Entry{}, false
		}
		cells[field] = append(cells[field], w)
		orig[field] = append(orig[field], l.orig[i])
	}
	// A row names someone, in four cells or more.
	if len(cells["ho_ten"]) == 0 || len(cells) < 4 {
		return sohoa.Entry{}, false
	}
	e := sohoa.Entry{Page: l.page, Box: l.origBox(), Fields: map[string]sohoa.Proposal{}}
	for field, ws := range cells {
		cell := newLine(l.page, ws, orig[field])
		box := cell.origBox()
		if field == "so_hieu" {
			// A series letter Tesseract dropped is left of the number:
			// the cell read again is to hold it.
			box = extendBack(box, l)
		}
		text := noise.Replace(strings.Trim(cell.text, "._-:,;'\"`~ "))
		value, mended, ok := cellValue(field, text)
		mended = mended || text != cell.text
		if !ok {
			e.Fields[field] = sohoa.Proposal{Value: cell.text, Confidence: cell.conf, Page: l.page, Box: box, Doubtful: true}
			continue
		}
		sure := float64(Sure)
		if field == "ho_ten" || field == "noi_sinh" {
			// A mark lost from a name in small type is still read with
			// confidence near 90: names need more.
			value, sure = phrases.Replace(value), SureName
		}
		if field == "ho_ten" {
			var split, m bool
			value, split = splitName(strings.TrimRight(value, ".,;"))
			value, m = mendSurname(value)
			mended = mended || m || split || !familyName(value)
		}
		if field == "ho_ten" || field == "noi_sinh" {
			var doubt bool
			value, doubt = properName(value)
			mended = mended || doubt
		}
		e.Fields[field] = sohoa.Proposal{Value: value, Confidence: cell.conf, Page: l.page, Box: box, Doubtful: mended || cell.conf < sure}
	}
	return e, true
}

// extendBack is b on the image uploaded widened by two letters towards the
// start of line l, whichever way the page lay (the line's first and last
// words there say which way it reads).
func extendBack(b sohoa.Box, l line) sohoa.Box {
	first, last := l.orig[0], l.orig[len(l.orig)-1]
	dx := (last.X0 + last.X1 - first.X0 - first.X1) / 2
	dy := (last.Y0 + last.Y1 - first.Y0 - first.Y1) / 2
	by := 2 * min(b.Width(), b.Height())
	switch {
	case abs(dx) >= abs(dy) && dx >= 0:
		b.X0 = max(b.X0-by, 0)
	case abs(dx) >= abs(dy):
		b.X1 += by
	case dy > 0:
		b.Y0 = max(b.Y0-by, 0)
	default:
		b.Y1 += by
	}
	return b
}

// noise are marks a blurred cell is read with that stand for a letter.
var noise = strings.NewReplacer("€", "C")

var reYearStart = regexp.MustCompile(`^\d{4}\b`)

var reDMY = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)

// cellValue is what a cell's text says, as the entry's field keeps it.
func cellValue(field, text string) (value string, mended, ok bool) {
	switch field {
	case "stt":
		v, m := digits(strings.TrimRight(text, "."))
		return strings.TrimLeft(v, "0"), m, v != ""
	case "ngay_sinh":
		v, m := digits(strings.NewReplacer(" ", "", "⁄", "/").Replace(text))
		if d := reDMY.FindStringSubmatch(v); d != nil {
			iso, ok := isoDate(d[1], d[2], d[3])
			return iso, m, ok
		}
		return "", false, false
	case "gioi_tinh":
		for _, sex := range []string{"Nam", "Nữ"} {
			if vntext.Fold(text) == vntext.Fold(sex) {
				return sex, text != sex, true
			}
		}
		return "", false, false
	case "dan_toc":
		if name, ok := ethnicity[ethnicKey(text)]; ok {
			return name, false, true
		}
		if name := nearEthnicity(text); name != "" {
			return name, true, true
		}
		return "", false, false
	case "so_hieu":
		text = strings.ReplaceAll(text, "©", "C")
		// A series letter with a mark (Ầ) or a full stop after it (B.)
		if first, rest, ok := strings.Cut(strings.Replace(text, ".", " ", 1), " "); ok && len([]rune(first)) <= 2 {
			text = strings.ToUpper(vntext.Fold(first)) + " " + strings.TrimSpace(rest)
		}
		if m := reSerial.FindStringSubmatch(text); m != nil {
			d, mended := digits(m[2])
			return m[1] + " " + d, mended, true
		}
		// The series letter lost: the number alone, for the page's series.
		if d, mended := digits(text); len(d) >= 6 && strings.Trim(d, "0123456789") == "" {
			return d, mended, true
		}
		return "", false, false
	case "so_vao_so":
		if m := reEntry.FindStringSubmatch(strings.NewReplacer(" ", "", "⁄", "/").Replace(text)); m != nil {
			n, m1 := digits(m[1])
			y, m2 := digits(m[3])
			return n + "/" + m[2] + "/" + y, m1 || m2, true
		}
		return "", false, false
	}
	return text, false, text != ""
}

// sequenced are the numbers that go up by one down a register page: the
// row's number, the diploma's serial and its number in the register.
var sequenced = []struct {
	field, chars string
}{{"stt", "0123456789"}, {"so_hieu", "ABCDEGHKLMNPQRSTUVXY 0123456789"}, {"so_vao_so", "0123456789/ABCDEGHKLMNPQRSTUVXY"}}

// checkSequences holds each number of a register to its neighbours': one
// that follows the row above or leads to the row below by one is sure; one
// that does neither, or was read unsurely, is read again from its cell
// alone, and if it still does not fit, is left for a person. A wrong number
// proposed as sure would verify a diploma against another person's row.
func checkSequences(entries []sohoa.Entry, year string, reread Reread) {
	for _, sq := range sequenced {
		nums := make([]int, len(entries))
		for i, e := range entries {
			nums[i] = number(sq.field, e.Value(sq.field))
		}
		fits := func(i, n int) bool {
			if n < 0 {
				return false
			}
			return i > 0 && nums[i-1] >= 0 && n == nums[i-1]+1 || i+1 < len(nums) && nums[i+1] >= 0 && n == nums[i+1]-1
		}
		pattern, surely := commonPattern(entries, sq.field)
		width := commonWidth(entries, sq.field)
		series := map[string]int{} // the series letters cells read again hold
		// holds says a value agrees with the page: its year, its level or
		// series, its width.
		holds := func(v string) bool {
			return agrees(sq.field, v, year, pattern) && (width == 0 || numberWidth(sq.field, v) == width)
		}
		chars := sq.chars
		if pattern != "" {
			// digits and the page's pattern only
			chars = strings.TrimSpace(sq.chars[strings.IndexAny(sq.chars, "0123456789 "):]) + pattern
			if sq.field == "so_hieu" {
				chars += " "
			}
		}
		for i := range entries {
			f, ok := entries[i].Fields[sq.field]
			if !ok {
				continue
			}
			v := entries[i].Value(sq.field)
			// A serial's letter is in no sequence: it must be read surely
			// (C is read as G down a blurred page, on every row).
			least := 60.0
			if sq.field == "so_hieu" {
				least = Sure
			}
			sure := fits(i, nums[i]) && f.Confidence >= least && holds(v)
			if !sure && reread != nil {
				if text, conf, ok := reread(f.Box, chars); ok {
					again, mended, ok := cellValue(sq.field, text)
					if k := strings.IndexByte(again, ' '); ok && sq.field == "so_hieu" && k > 0 {
						series[again[:k]]++
					}
					if ok && !mended && fits(i, number(sq.field, again)) && holds(again) && conf >= 60 {
						f.Value, f.Confidence, sure, v = again, conf, true, again
						nums[i] = number(sq.field, again)
					}
				}
			}
			// A number one digit off the one its neighbours call for is
			// that one, for a person to confirm.
			// (The guess confirms no neighbour: nums keeps what was read.)
			if want := between(nums, i); !sure && want >= 0 && want != nums[i] {
				if mended, ok := withNumber(sq.field, v, want); ok {
					f.Value, v = mended, mended
				}
			}
			// A register number one letter off the page's level, in its
			// sequence and year: mended, for a person to confirm.
			if p := strings.Split(v, "/"); !sure && sq.field == "so_vao_so" && len(p) == 3 && !levels[p[1]] && fits(i, number(sq.field, v)) && (year == "" || p[2] == year) {
				if level := nearLevel(p[1]); level != "" {
					f.Value = p[0] + "/" + level + "/" + p[2]
				}
			}
			// A serial whose series letter was lost or misread (C as CG, G
			// or CC in small type), in its sequence, is of the page's
			// series: the number is its neighbours', the letter the page's.
			if sq.field == "so_hieu" && pattern != "" && fits(i, number(sq.field, v)) && !strings.HasPrefix(v, pattern+" ") {
				if k := strings.IndexByte(v, ' '); k < 0 || strings.Contains(v[:k], pattern) || len(v[:k]) == 1 {
					f.Value = pattern + " " + v[strings.IndexByte(v, ' ')+1:]
					sure = surely
				}
			}
			f.Doubtful = !sure
			entries[i].Fields[sq.field] = f
		}
		if sq.field == "so_hieu" && pattern == "" {
			lostSeries(entries, series, width)
		}
	}
}

// lostSeries puts back the series letter the serials of a page were read
// without, when their cells read again show it on two rows or more, and
// no other, if unsurely (a lone C is read with confidence near 20): for a
// person to confirm.
func lostSeries(entries []sohoa.Entry, series map[string]int, width int) {
	letter, n := "", 0
	for l, c := range series {
		if c > n || c == n && l < letter {
			letter, n = l, c
		}
	}
	if n < 2 || len(series) > 1 {
		return // two rows at least, and no other letter
	}
	for i := range entries {
		f, ok := entries[i].Fields["so_hieu"]
		v := entries[i].Value("so_hieu")
		if !ok || strings.Contains(v, " ") || number("so_hieu", v) < 0 || width > 0 && len(v) != width {
			continue
		}
		f.Value, f.Doubtful = letter+" "+v, true
		entries[i].Fields["so_hieu"] = f
	}
}

// between is the number the rows around row i call for: the one between
// its neighbours when they are two apart; at the page's top or bottom, the
// one after (or before) a neighbour that follows its own; -1 when they
// call for none.
func between(nums []int, i int) int {
	last := len(nums) - 1
	switch {
	case i > 0 && i < last && nums[i-1] >= 0 && nums[i+1] == nums[i-1]+2:
		return nums[i-1] + 1
	case i == 0 && last >= 2 && nums[1] >= 0 && nums[2] == nums[1]+1:
		return nums[1] - 1
	case i == last && last >= 2 && nums[i-2] >= 0 && nums[i-1] == nums[i-2]+1:
		return nums[i-1] + 1
	}
	return -1
}

// withNumber is v with its running number n in place of the one read,
// when the two differ in one digit only.
func withNumber(field, v string, n int) (string, bool) {
	a, b := 0, len(v)
	switch field {
	case "stt":
		// a row's number with a mark beside it (Z7, 5s)
		if want := strconv.Itoa(n); strings.Contains(v, want) && len(v) <= len(want)+2 {
			return want, true
		}
		return "", false
	case "so_hieu":
		a = strings.LastIndexByte(v, ' ') + 1
	case "so_vao_so":
		b = strings.IndexByte(v, '/')
	default:
		return "", false
	}
	if a <= 0 && field == "so_hieu" || b < 0 {
		return "", false
	}
	read, want := v[a:b], fmt.Sprintf("%0*d", b-a, n)
	if len(read) > len(want) {
		want = fmt.Sprintf("%0*d", len(read)-1, n) // a digit too many (00352 for 0032)
	}
	if markDistance(read, want) != 1 {
		return "", false
	}
	return v[:a] + want + v[b:], true
}

// numberWidth is how many digits the running number of a field's value
// has (0415 in 0415/THPT/2022: 4); 0 when it has none.
func numberWidth(field, v string) int {
	switch field {
	case "so_hieu":
		if k := strings.LastIndexByte(v, ' '); k >= 0 {
			v = v[k+1:]
		}
	case "so_vao_so":
		v, _, _ = strings.Cut(v, "/")
	default:
		return 0
	}
	if number(field, v) < 0 && field != "so_vao_so" {
		return 0
	}
	return len(v)
}

// commonWidth is the width most rows' numbers of field have: a register
// pads its numbers, so that one a digit longer or shorter than the rest
// (00352 among 0031, 0034) was misread, even in sequence with another
// misread the same way. 0 when no width is most rows'.
func commonWidth(entries []sohoa.Entry, field string) int {
	count, total := map[int]int{}, 0
	for _, e := range entries {
		if w := numberWidth(field, e.Value(field)); w > 0 {
			count[w]++
			total++
		}
	}
	for w, c := range count {
		if 2*c > total && c >= 2 {
			return w
		}
	}
	return 0
}

// agreeOnPlaces holds each row's birthplace to the others': one a letter
// or a mark off a place two rows or more read alike (Vân Đôn beside Vân
// Đồn, Vân Đồn) is that place, for a person to confirm; two read as often
// are both left for a person.
func agreeOnPlaces(entries []sohoa.Entry) {
	count := map[string]int{}
	for _, e := range entries {
		if v := e.Value("noi_sinh"); v != "" {
			count[v]++
		}
	}
	for i, e := range entries {
		v := e.Value("noi_sinh")
		if v == "" {
			continue
		}
		best, ties := "", 0
		for other, c := range count {
			if other == v || markDistance(v, other) != 1 || c < count[v] {
				continue
			}
			switch {
			case best == "" || c > count[best]:
				best, ties = other, 1
			case c == count[best]:
				ties++
			}
		}
		if best == "" {
			continue
		}
		f := entries[i].Fields["noi_sinh"]
		if ties == 1 && count[best] > count[v] && count[best] >= 2 {
			f.Value = best
		}
		f.Doubtful = true
		entries[i].Fields["noi_sinh"] = f
	}
}

// commonPattern is what the numbers of field share on most of the page's
// rows: the series letter of the serials, the level of the register
// numbers ("THPT" in 0415/THPT/2022); "" when no two rows agree.
func commonPattern(entries []sohoa.Entry, field string) (pattern string, surely bool) {
	count, sure := map[string]int{}, map[string]bool{}
	for _, e := range entries {
		v := e.Value(field)
		k := ""
		switch field {
		case "so_hieu":
			if i := strings.IndexByte(v, ' '); i > 0 {
				k = v[:i]
			}
		case "so_vao_so":
			if p := strings.Split(v, "/"); len(p) == 3 && levels[p[1]] {
				k = p[1]
			}
		}
		if k != "" {
			count[k]++
			sure[k] = sure[k] || e.Fields[field].Confidence >= Sure || field == "so_vao_so"
		}
	}
	best, n, total := "", 1, 0
	for k, c := range count {
		total += c
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	// Most of the rows, not the largest minority: a misreading shared by
	// a few rows is not the page's. It is sure when one row at least read
	// it surely (a level is sure when it is a known one).
	if 2*n <= total && field == "so_hieu" {
		// Blur doubles a series letter or puts one beside it (CC, GC
		// for C): the letter most rows' series hold, if most hold it.
		held := map[string]int{}
		for k, c := range count {
			for _, r := range strings.Split(k, "") {
				if !strings.Contains(k[:strings.Index(k, r)], r) {
					held[r] += c
				}
			}
		}
		most, ties := "", 0
		for r, c := range held {
			switch {
			case c > held[most]:
				most, ties = r, 1
			case c == held[most]:
				ties++
			}
		}
		if ties == 1 {
			best, n = most, held[most]
		}
	}
	if 2*n <= total {
		return "", false
	}
	return best, sure[best]
}

// agrees reports whether a register number agrees with the page: its
// year is the register's, its level (or series) the other rows'.
func agrees(field, v, year, pattern string) bool {
	switch field {
	case "so_vao_so":
		p := strings.Split(v, "/")
		return len(p) == 3 && (year == "" || p[2] == year) && (pattern == "" || p[1] == pattern) && levels[p[1]]
	case "so_hieu":
		// a serial has its series letter
		return strings.Contains(v, " ") && (pattern == "" || strings.HasPrefix(v, pattern+" "))
	}
	return true
}

// number is the running number in a field's value, or -1.
func number(field, v string) int {
	switch field {
	case "so_hieu":
		if k := strings.LastIndexByte(v, ' '); k >= 0 {
			v = v[k+1:]
		}
	case "so_vao_so":
		if k := strings.IndexByte(v, '/'); k >= 0 {
			v = v[:k]
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// levels are the codes of the levels a register numbers its diplomas by
// (0415/THPT/2022): a consistent misreading of one (THPI on every row)
// must not pass for the page's pattern.
var levels = map[string]bool{"THPT": true, "THCS": true, "BTTHPT": true, "GDTX": true, "TCCN": true, "TC": true, "TH": true, "CĐ": true, "ĐH": true}

// nearLevel is the one level code one letter off s (one changed, lost or
// added: THPI, THPIT), or "".
func nearLevel(s string) string {
	found := ""
	for l := range levels {
		if markDistance(l, s) == 1 {
			if found != "" {
				return ""
			}
			found = l
		}
	}
	return found
}

// oneOff reports whether a and b differ in one letter, in place.
func oneOff(a, b string) bool { return differ(a, b) == 1 }

// differ is how many letters of a and b differ, in place; -1 when they are
// not as long.
func differ(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return -1
	}
	d := 0
	for i := range ra {
		if ra[i] != rb[i] {
			d++
		}
	}
	return d
}
