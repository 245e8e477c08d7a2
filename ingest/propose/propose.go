// Package propose reads the fields of a document off its pages, for the
// clerk to confirm: the type, and the metadata of issue 3 that Decree
// 30/2020 and Circular 21/2019 put in known places (the header's columns,
// the title, the signature block; a diploma's labelled lines). Each value
// keeps where it was read (page and box) and how surely; one read with low
// confidence, or mended from a look-alike, is doubtful and never proposed
// as sure.
package propose

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"sohoa"
	"sohoa/vntext"
)

// Sure is the lowest word confidence (0–100) of a value proposed as sure;
// SureName that of a name in a register's small type.
const (
	Sure     = 85
	SureName = 93
)

// line is a line of a page in reading order, with its words as they lie
// upright (where the layout is read) and as on the image uploaded (orig,
// one for one: where a value is shown).
type line struct {
	page  int
	words []sohoa.Word
	orig  []sohoa.Word
	text  string
	box   sohoa.Box // upright
	conf  float64   // the lowest of its words
}

func linesOf(pages []*sohoa.PageText) []line {
	var out []line
	for n, pt := range pages {
		if pt != nil {
			out = append(out, pageLines(n+1, pt)...)
		}
	}
	return out
}

// pageLines are the lines of page n (pt), read upright where OCR kept the
// words so.
func pageLines(n int, pt *sohoa.PageText) []line {
	var out []line
	words := pt.Words
	if len(pt.Upright) == len(pt.Words) {
		words = pt.Upright
	}
	for i := 0; i < len(words); {
		j := i + 1
		for j < len(words) && words[j].Block == words[i].Block && words[j].Par == words[i].Par && words[j].Line == words[i].Line {
			j++
		}
		out = append(out, newLine(n, words[i:j], pt.Words[i:j]))
		i = j
	}
	return out
}

func wordBox(w sohoa.Word) sohoa.Box { return sohoa.Box{X0: w.X0, Y0: w.Y0, X1: w.X1, Y1: w.Y1} }

func newLine(page int, ws, orig []sohoa.Word) line {
	l := line{page: page, words: ws, orig: orig, conf: 100}
	texts := make([]string, len(ws))
	for i, w := range ws {
		texts[i] = w.Text
		l.conf = min(l.conf, w.Confidence)
		if i == 0 {
			l.box = wordBox(w)
		}
		l.box = l.box.Union(wordBox(w))
	}
	l.text = strings.Join(texts, " ")
	return l
}

// span is the words of l from the byte offset from of its text to the end
// (or to the offset to, when > 0): a value's box on the image uploaded and
// its confidence.
func (l line) span(from, to int) (sohoa.Box, float64) {
	if to <= 0 {
		to = len(l.text)
	}
	var box sohoa.Box
	conf, at, found := 100.0, 0, false
	for i, w := range l.words {
		end := at + len(w.Text)
		if end > from && at < to {
			b := wordBox(l.orig[i])
			if !found {
				box = b
			}
			box, conf, found = box.Union(b), min(conf, w.Confidence), true
		}
		at = end + 1
	}
	if !found {
		return l.origBox(), l.conf
	}
	return box, conf
}

// x0 is where the word at byte offset from of l's text begins, upright.
func (l line) x0(from int) int {
	at := 0
	for _, w := range l.words {
		if at+len(w.Text) > from {
			return w.X0
		}
		at += len(w.Text) + 1
	}
	return l.box.X0
}

// origBox is the line's box on the image uploaded.
func (l line) origBox() sohoa.Box {
	b := wordBox(l.orig[0])
	for _, w := range l.orig[1:] {
		b = b.Union(wordBox(w))
	}
	return b
}

// Result is what was read: the type (when the document had none) and the
// fields of the type.
type Result struct {
	Type    *sohoa.Proposal
	Fields  map[string]sohoa.Proposal
	Entries []sohoa.Entry
}

// Propose reads pages (in order; nil for a page not read) for the fields
// of typ; when typ is "", it proposes the type too and reads its fields. A
// register's rows are those PageEntries read with each page (kept in
// PageText.Entries), or read here without reading cells again.
func Propose(typ string, pages []*sohoa.PageText) *Result {
	lines := linesOf(pages)
	r := &Result{Fields: map[string]sohoa.Proposal{}}
	if typ == "" {
		if t := guessType(lines); t != nil {
			r.Type = t
			typ = t.Value.(string)
		}
	}
	p := proposer{lines: lines, out: r.Fields}
	switch typ {
	case sohoa.TypeVanBan:
		p.administrative()
	case sohoa.TypeVanBang:
		p.diploma()
	case sohoa.TypeSoGoc:
		p.registerHeader()
		for _, pt := range pages {
			if pt != nil {
				r.Entries = append(r.Entries, pt.Entries...)
			}
		}
		if len(r.Entries) == 0 {
			r.Entries = p.rows(nil)
		}
		for i := range r.Entries {
			r.Entries[i].Row = i + 1
		}
	}
	// A value the type refuses is not proposed as sure.
	for name, f := range r.Fields {
		if _, err := sohoa.ValidateMetadata(typ, map[string]any{name: f.Value}); err != nil {
			f.Doubtful = true
			r.Fields[name] = f
		}
	}
	return r
}

type proposer struct {
	lines []line
	out   map[string]sohoa.Proposal
}

// set proposes value for field, read from l (bytes from..to of its text),
// doubtful when mended or read unsurely. Text has the look-alikes of the
// phrases of these papers put right (sổ gốc, not số gốc).
func (p *proposer) set(field string, value any, l line, from, to int, mended bool) {
	box, conf := l.span(from, to)
	switch v := value.(type) {
	case string:
		value = phrases.Replace(v)
	case []string:
		for i := range v {
			v[i] = phrases.Replace(v[i])
		}
	}
	sure := float64(Sure)
	if field == "trich_yeu" || field == "noi_nhan" {
		// A summary, a recipient, is free text: one mark lost in it (nắm
		// for năm, tìn for tin) is read with confidence near 87.
		sure = SureName
	}
	p.out[field] = sohoa.Proposal{Value: value, Confidence: conf, Page: l.page, Box: box, Doubtful: mended || conf < sure}
}

// phrases are what Tesseract reads of the phrases these papers print,
// where one mark is often taken for another, and what is printed (the
// copy kept is "Lưu: VT, …", văn thư: Decree 30/2020, Appendix I).
var phrases = strings.NewReplacer("UBND TÍNH", "UBND TỈNH", "Lưu: VI", "Lưu: VT", "Lưu: VT;", "Lưu: VT,", "số gốc", "sổ gốc", "Số gốc", "Sổ gốc", "Cống thông tin", "Cổng thông tin",
	"Cống Dịch vụ công", "Cổng Dịch vụ công", "chuyên mồn", "chuyên môn", "dần cư", "dân cư", "Đào tao", "Đào tạo",
	"tuyến sinh", "tuyển sinh", "Tuyến sinh", "Tuyển sinh", "phố thông", "phổ thông", "nắm học", "năm học", "thông tìn", "thông tin", "ky thi", "kỳ thi")

var (
	reNumber = regexp.MustCompile(`^S[ốổoô6][:;.]?\s*([0-9OoIl|]{1,5})\s*[/⁄]\s*(\S+)`)
	reDate   = regexp.MustCompile(`ngày\s+(\S{1,2})\s+tháng\s+(\S{1,2})\s+năm\s+(\S{4})`)
	reAuth   = regexp.MustCompile(`^(TM|KT|TL|TUQ|Q)\.\s*(.+)$`)
	kinds    = map[string]string{"QĐ": "Quyết định", "TB": "Thông báo", "KH": "Kế hoạch", "BC": "Báo cáo", "HD": "Hướng dẫn",
		"CT": "Chỉ thị", "NQ": "Nghị quyết", "QC": "Quy chế", "QyĐ": "Quy định", "CTr": "Chương trình", "PA": "Phương án",
		"ĐA": "Đề án", "BB": "Biên bản", "TTr": "Tờ trình", "HĐ": "Hợp đồng", "GM": "Giấy mời", "GGT": "Giấy giới thiệu"}
)

// guessType proposes a type from the title line and the header.
func guessType(lines []line) *sohoa.Proposal {
	for i, l := range lines {
		if i > 25 {
			break
		}
		f := vntext.Fold(l.text)
		t := ""
		switch {
		case strings.HasPrefix(f, "bang tot nghiep") || strings.HasPrefix(f, "chung chi "):
			t = sohoa.TypeVanBang
		case strings.HasPrefix(f, "so goc cap bang"):
			t = sohoa.TypeSoGoc
		case strings.HasPrefix(f, "so yeu ly lich") || strings.HasPrefix(f, "ly lich vien chuc") || strings.HasPrefix(f, "ly lich can bo"):
			t = sohoa.TypeHoSoCanBo
		case reNumber.MatchString(l.text):
			t = sohoa.TypeVanBan
		}
		if t != "" {
			return &sohoa.Proposal{Value: t, Confidence: l.conf, Page: l.page, Box: l.origBox(), Doubtful: l.conf < Sure}
		}
	}
	return nil
}

// digits mends the look-alikes of digits in a number: O o → 0, I l | → 1,
// G → 6, S → 5.
func digits(s string) (string, bool) {
	m := strings.NewReplacer("O", "0", "o", "0", "I", "1", "l", "1", "|", "1", "G", "6", "S", "5").Replace(s)
	return m, m != s
}

// splitName puts back the space Tesseract drops between two syllables of
// a name, each of which begins with a capital ("HồGia Phúc").
func splitName(s string) (string, bool) {
	var b strings.Builder
	prev := ' '
	for _, r := range s {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String(), b.String() != s
}

func isUpper(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if !unicode.IsUpper(r) {
				return false
			}
		}
	}
	return letters > 1
}

func (p *proposer) administrative() {
	num := -1
	for i, l := range p.lines {
		m := reNumber.FindStringSubmatchIndex(l.text)
		if m == nil {
			continue
		}
		num = i
		n, mended := digits(l.text[m[2]:m[3]])
		p.set("so", strings.TrimLeft(n, "0"), l, m[2], m[3], mended)
		kh := strings.TrimRight(l.text[m[4]:m[5]], ".,;")
		kh, mended = unitCodes(kh)
		p.set("ky_hieu", kh, l, m[4], m[5], mended)
		code := kh
		if k := strings.IndexByte(kh, '-'); k > 0 {
			code = kh[:k]
		}
		if name, ok := kinds[code]; ok {
			p.set("loai_van_ban", name, l, m[4], m[5], false)
		} else {
			p.set("loai_van_ban", "Công văn", l, m[4], m[5], false)
		}
		// The issuing body and its parent are the header lines above.
		var above []line
		for j := i - 1; j >= 0 && j >= i-3 && p.lines[j].page == l.page && isUpper(p.lines[j].text) && !motto(p.lines[j].text); j-- {
			above = append([]line{p.lines[j]}, above...)
		}
		if len(above) >= 2 {
			p.set("co_quan_chu_quan", above[0].text, above[0], 0, 0, false)
			above = above[1:]
		}
		if len(above) > 0 {
			body, first := joinLines(above)
			p.set("co_quan_ban_hanh", body, first, 0, 0, false)
		}
		break
	}
	if num < 0 {
		return
	}
	for _, l := range p.lines[num:] {
		m := reDate.FindStringSubmatchIndex(l.text)
		if m == nil {
			continue
		}
		d, m1 := digits(l.text[m[2]:m[3]])
		mo, m2 := digits(l.text[m[4]:m[5]])
		y, m3 := digits(l.text[m[6]:m[7]])
		if iso, ok := isoDate(d, mo, y); ok {
			p.set("ngay_ban_hanh", iso, l, m[0], m[1], m1 || m2 || m3)
		}
		break
	}
	p.summary(num)
	p.signature(num)
}

func motto(s string) bool {
	f := vntext.Fold(s)
	return strings.Contains(f, "cong hoa xa hoi") || strings.Contains(f, "doc lap")
}

func joinLines(ls []line) (string, line) {
	texts := make([]string, len(ls))
	for i, l := range ls {
		texts[i] = l.text
	}
	first := ls[0]
	for _, l := range ls[1:] {
		first.box = first.box.Union(l.box)
		first.conf = min(first.conf, l.conf)
		first.words = append(append([]sohoa.Word{}, first.words...), l.words...)
		first.orig = append(append([]sohoa.Word{}, first.orig...), l.orig...)
	}
	first.text = strings.Join(texts, " ")
	return first.text, first
}

// summary reads the trích yếu: the V/v line of a công văn (under its
// number), or the line under the title, and its centred continuation.
func (p *proposer) summary(num int) {
	for i := num + 1; i < len(p.lines) && i <= num+12; i++ {
		l := p.lines[i]
		f := vntext.Fold(l.text)
		if strings.HasPrefix(f, "v/v ") {
			ls := []line{l}
			// its second line, in the same column
			if i+1 < len(p.lines) && p.lines[i+1].box.X1 < l.box.X1+l.box.Height() && !isUpper(p.lines[i+1].text) && p.lines[i+1].box.Y0-l.box.Y1 < l.box.Height() {
				ls = append(ls, p.lines[i+1])
			}
			text, first := joinLines(ls)
			p.set("trich_yeu", text, first, 0, 0, false)
			return
		}
		if kindTitles[f] && i+1 < len(p.lines) {
			ls := []line{p.lines[i+1]}
			// A title's summary wraps centred: a second line shorter and
			// set in from both sides, the first not ending a sentence.
			if i+2 < len(p.lines) {
				a, b := p.lines[i+1], p.lines[i+2]
				h := a.box.Height()
				left, right := b.box.X0-a.box.X0, a.box.X1-b.box.X1
				if !strings.HasSuffix(a.text, ".") && left > h && right > h && abs(left-right) < 3*h && !isUpper(b.text) {
					ls = append(ls, b)
				}
			}
			if isUpper(ls[0].text) {
				return // no summary: the next line is the authority (QUYẾT ĐỊNH / GIÁM ĐỐC SỞ …)
			}
			text, first := joinLines(ls)
			p.set("trich_yeu", text, first, 0, 0, false)
			return
		}
	}
}

// kindTitles are the titles of the kinds of document (QUYẾT ĐỊNH,
// THÔNG BÁO, …), folded.
var kindTitles = map[string]bool{}

func init() {
	for _, name := range kinds {
		kindTitles[vntext.Fold(name)] = true
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// units are the codes a Department's units put at the end of a ký hiệu
// (12/KH-SGDĐT-GDTrH), some in mixed case that Tesseract reads in capitals
// (GDTTH for GDTrH).
var units = []string{"VP", "TCCB", "KHTC", "GDTrH", "GDTH", "GDMN", "GDTX", "GDCN", "GDTX-CN", "QLCL", "KTKĐ", "KTQLCL", "TTr",
	"CTTT", "CNTT", "CTHSSV", "GDDT", "PC", "TĐKT", "KHCN", "GDCN-GDTX", "QLCL-CNTT"}

// unitCodes puts right the parts of a ký hiệu after its first that are
// one letter off one unit code only; mended says it did.
func unitCodes(kh string) (string, bool) {
	parts := strings.Split(kh, "-")
	mended := false
	for i, part := range parts[1:] {
		if u := nearUnit(part); u != part {
			parts[i+1], mended = u, true
		}
	}
	return strings.Join(parts, "-"), mended
}

// nearUnit is the unit code s is, or is one letter off of (one changed,
// lost or added) when it is one only; s when neither.
func nearUnit(s string) string {
	if slices.Contains(units, s) {
		return s
	}
	near := ""
	for _, u := range units {
		if markDistance(u, s) == 1 {
			if near != "" {
				return s
			}
			near = u
		}
	}
	if near == "" {
		return s
	}
	return near
}

// reArchived is the last of the recipients, the copies kept (Decree 30:
// "Lưu: VT, <the drafting unit>."), as it is read: the comma or colon lost,
// the L taken for a B, the full stop doubled.
var reArchived = regexp.MustCompile(`^[LlBb]ưu\s*[:;.]?\s*VT[j]?\s*[,.;]?\s*([^.,;]*?)[.,]*$`)

// archived is a recipient as Decree 30 writes it when it is the copies
// kept.
func archived(item string) string {
	m := reArchived.FindStringSubmatch(item)
	switch {
	case m == nil:
		return item
	case m[1] == "":
		return "Lưu: VT."
	}
	return "Lưu: VT, " + nearUnit(m[1]) + "."
}

// signature reads the signer's block and the recipients.
func (p *proposer) signature(num int) {
	recv := -1
	for i := num; i < len(p.lines); i++ {
		if strings.HasPrefix(vntext.Fold(p.lines[i].text), "noi nhan") {
			recv = i
		}
	}
	if recv >= 0 {
		var items []string
		var ls []line
		for _, l := range p.lines[recv+1:] {
			t := strings.TrimSpace(l.text)
			if !strings.HasPrefix(t, "-") && !strings.HasPrefix(t, "—") && !strings.HasPrefix(t, "–") {
				break
			}
			items = append(items, archived(strings.TrimSpace(strings.TrimRight(strings.TrimLeft(t, "-—– "), ";"))))
			ls = append(ls, l)
		}
		if len(items) > 0 {
			_, first := joinLines(ls)
			p.set("noi_nhan", items, first, 0, 0, false)
		}
	}
	// The signer's block: on the right, after the body; an authority line,
	// a title in capitals, then the name.
	mid := 0
	for _, l := range p.lines {
		mid = max(mid, l.box.X1)
	}
	mid /= 2
	title := -1
	for i := len(p.lines) - 1; i > num; i-- {
		l := p.lines[i]
		if l.box.X0 < mid*4/5 || !isUpper(l.text) {
			continue
		}
		title = i
		break
	}
	if title < 0 {
		return
	}
	t := p.lines[title]
	if m := reAuth.FindStringSubmatch(t.text); m != nil {
		p.set("nguoi_ky_tham_quyen", m[1]+".", t, 0, len(m[1])+1, false)
	} else {
		name, known := signerTitle(t.text)
		p.set("nguoi_ky_chuc_vu", name, t, 0, 0, !known)
		if title > 0 {
			if m := reAuth.FindStringSubmatch(p.lines[title-1].text); m != nil && p.lines[title-1].box.X0 >= mid*4/5 {
				p.set("nguoi_ky_tham_quyen", m[1]+".", p.lines[title-1], 0, len(m[1])+1, false)
			}
		}
	}
	for _, l := range p.lines[title+1:] {
		if l.box.X0 >= mid*4/5 && !isUpper(l.text) && len(strings.Fields(l.text)) >= 2 {
			name, doubt := properName(l.text)
			p.set("nguoi_ky_ho_ten", name, l, 0, 0, doubt)
			break
		}
	}
}

// labelled finds "label: value" on a line, where label (folded, its
// words) is one of labels, and returns the line and the byte offsets of
// its value: after the colon, up to the next label on the line or its end.
func (p *proposer) labelled(labels ...string) (line, int, int, bool) {
	for _, l := range p.lines {
		toks := tokens(l.text)
		for _, lab := range labels {
			want := strings.Fields(lab)
			for i := 0; i+len(want) <= len(toks); i++ {
				if !toks.match(i, want) {
					continue
				}
				last := toks[i+len(want)-1]
				start := last.end
				switch {
				case strings.HasSuffix(last.text, ":") || strings.HasSuffix(last.text, ";"):
				case i+len(want) < len(toks) && (toks[i+len(want)].text == ":" || toks[i+len(want)].text == ";"):
					start = toks[i+len(want)].end
				default:
					continue
				}
				end := len(l.text)
				for j := i + len(want); j < len(toks); j++ {
					if toks.labelAt(j) {
						end = toks[j].start
						break
					}
				}
				for start < end && l.text[start] == ' ' {
					start++
				}
				for end > start && l.text[end-1] == ' ' {
					end--
				}
				return l, start, end, true
			}
		}
	}
	return line{}, 0, 0, false
}

var diplomaLabels = [][]string{{"ho", "va", "ten"}, {"ngay", "sinh"}, {"noi", "sinh"}, {"gioi", "tinh"}, {"dan", "toc"}, {"so", "hieu"}, {"so", "vao", "so"}}

// token is a word of a line's text, folded, with its byte offsets.
type token struct {
	text, folded string
	start, end   int
}

type tokenList []token

func tokens(s string) tokenList {
	var out tokenList
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if j > i {
			out = append(out, token{text: s[i:j], folded: lettersOnly(vntext.Fold(s[i:j])), start: i, end: j})
		}
		i = j
	}
	return out
}

// lettersOnly is s without what is not a letter or a digit: a label read
// with a stray mark ("ST'T", "tên:") is still its words.
func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// match reports whether the tokens from i are the words want.
func (t tokenList) match(i int, want []string) bool {
	for k, w := range want {
		if t[i+k].folded != w {
			return false
		}
	}
	return true
}

// near reports whether the tokens from i are the words want but for one
// letter each in words of three or more (a header's "Số biệu").
func (t tokenList) near(i int, want []string) bool {
	for k, w := range want {
		if got := t[i+k].folded; got != w && (len(w) < 3 || !oneOff(got, w)) {
			return false
		}
	}
	return true
}

// labelAt reports whether another label begins at token i.
func (t tokenList) labelAt(i int) bool {
	for _, lab := range diplomaLabels {
		if i+len(lab) <= len(t) && t.match(i, lab) && strings.HasSuffix(t[i+len(lab)-1].text, ":") {
			return true
		}
	}
	return false
}

var (
	reSerial = regexp.MustCompile(`^([A-Z]{1,2})\s*([0-9OoIlGS|]{6,8})$`)
	reEntry  = regexp.MustCompile(`^([0-9OoIlGS|]{1,6})\s*/\s*([A-Z]{2,6})\s*/\s*([0-9OoIlGS|]{4})$`)
	reYear   = regexp.MustCompile(`năm\s+(\d{4})`)
)

func (p *proposer) diploma() {
	for _, l := range p.lines {
		if f := vntext.Fold(l.text); strings.HasPrefix(f, "bang tot nghiep") || strings.HasPrefix(f, "chung chi") {
			r := []rune(strings.ToLower(l.text))
			r[0] = unicode.ToUpper(r[0])
			p.set("loai_van_bang", string(r), l, 0, 0, false)
			break
		}
	}
	if l, a, b, ok := p.labelled("ho va ten", "ho ten"); ok {
		name, split := splitName(strings.TrimRight(strings.TrimSpace(l.text[a:b]), ".,;"))
		name, mended := mendSurname(name)
		name, doubt := properName(name)
		p.set("ho_ten", name, l, a, b, mended || split || doubt || !familyName(name))
	}
	if l, a, b, ok := p.labelled("ngay sinh"); ok {
		v := strings.ReplaceAll(strings.TrimSpace(l.text[a:b]), "⁄", "/")
		v, mended := digits(v)
		if d, err := sohoa.ParseDate(v); err == nil {
			p.set("ngay_sinh", d, l, a, b, mended)
		}
	}
	if l, a, b, ok := p.labelled("noi sinh"); ok {
		place, doubt := properName(strings.TrimSpace(l.text[a:b]))
		p.set("noi_sinh", place, l, a, b, doubt)
	}
	if l, a, b, ok := p.labelled("dan toc"); ok {
		v := strings.TrimSpace(l.text[a:b])
		// One of the 54 peoples, as the official list writes it; another
		// word is for a person to read.
		if name, ok := ethnicity[ethnicKey(v)]; ok {
			p.set("dan_toc", name, l, a, b, false)
		} else {
			p.set("dan_toc", v, l, a, b, true)
		}
	}
	if l, a, b, ok := p.labelled("gioi tinh"); ok {
		v := strings.TrimSpace(l.text[a:b])
		// One of two words, read as printed: sure unless read very unsurely.
		for _, sex := range []string{"Nam", "Nữ"} {
			if vntext.Fold(v) == vntext.Fold(sex) {
				p.set("gioi_tinh", sex, l, a, b, v != sex)
				if f := p.out["gioi_tinh"]; v == sex && f.Confidence >= 60 {
					f.Doubtful = false
					p.out["gioi_tinh"] = f
				}
			}
		}
	}

	for _, l := range p.lines {
		if strings.Contains(vntext.Fold(l.text), "tot nghiep") {
			if m := reYear.FindStringSubmatchIndex(l.text); m != nil {
				p.set("nam_tot_nghiep", l.text[m[2]:m[3]], l, m[2], m[3], false)
				break
			}
		}
	}
	if l, a, b, ok := p.labelled("so hieu"); ok {
		v := strings.TrimSpace(l.text[a:b])
		if m := reSerial.FindStringSubmatch(v); m != nil {
			d, mended := digits(m[2])
			p.set("so_hieu", m[1]+" "+d, l, a, b, mended)
		}
	}
	if l, a, b, ok := p.labelled("so vao so cap bang", "so vao so"); ok {
		v := strings.ReplaceAll(strings.TrimSpace(l.text[a:b]), "⁄", "/")
		if m := reEntry.FindStringSubmatch(v); m != nil {
			n, m1 := digits(m[1])
			y, m2 := digits(m[3])
			p.set("so_vao_so", n+"/"+m[2]+"/"+y, l, a, b, m1 || m2)
		}
	}
}

func isoDate(d, m, y string) (string, bool) {
	dn, e1 := strconv.Atoi(d)
	mn, e2 := strconv.Atoi(m)
	if e1 != nil || e2 != nil || len(y) != 4 {
		return "", false
	}
	iso, err := sohoa.ParseDate(y + "-" + pad(mn) + "-" + pad(dn))
	return iso, err == nil
}

func pad(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// ethnicity maps the names of the 54 peoples of Viet Nam (the General
// Statistics Office's list), folded without marks or separators, to how
// the list writes them: "H Mông", "HMông" and "H'Mông" are "H'Mông".
var ethnicity = map[string]string{}

func init() {
	for _, name := range strings.Split("Kinh,Tày,Thái,Mường,Khmer,Hoa,Nùng,H'Mông,Dao,Gia Rai,Ê Đê,Ba Na,Sán Chay,Chăm,Cơ Ho,"+
		"Xơ Đăng,Sán Dìu,Hrê,Ra Glai,Mnông,Thổ,Xtiêng,Khơ Mú,Bru - Vân Kiều,Cơ Tu,Giáy,Tà Ôi,Mạ,Giẻ - Triêng,Co,Chơ Ro,"+
		"Xinh Mun,Hà Nhì,Chu Ru,Lào,La Chí,Kháng,Phù Lá,La Hủ,La Ha,Pà Thẻn,Lự,Ngái,Chứt,Lô Lô,Mảng,Cơ Lao,Bố Y,Cống,"+
		"Si La,Pu Péo,Rơ Măm,Brâu,Ơ Đu", ",") {
		ethnicity[ethnicKey(name)] = name
	}
}

// ethnicKey is s folded, its letters only.
func ethnicKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// surnames are Vietnamese family names, by their folded spelling: one
// read without a mark (Huynh) is put right when its spelling has one
// family name only, and left for a person to check.
var surnames = map[string][]string{}

func init() {
	for _, n := range strings.Fields("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trịnh Lương Hà " +
		"Kiều Tạ Mai Quách Cao Chu Chử Đàm Đào Giang Hứa Khổng Khúc Lại Lâm Lò Lục Lưu Mạc Mạch Nghiêm Nông Phí Phùng Quan " +
		"Tăng Thái Thân Tô Tôn Triệu Trương Văn Vi Vương Âu Bạch Bế Cù Diệp Doãn Dư Hầu Hoa Kim La Lã Lạc Liêu Mẫn Nhữ Ninh " +
		"Ông Phó Quang Sầm Sơn Tiêu Tống Từ Ứng Vạn Viên Châu Đồng Giáp Hàn Lỗ Mông Thạch Tường Xa Khương Kha Lữ Nhan") {
		surnames[vntext.Fold(n)] = append(surnames[vntext.Fold(n)], n)
	}
}

// familyName reports whether name begins with a family name: one that
// does not lost it (to the cell beside it, or to blur).
func familyName(name string) bool {
	first, _, _ := strings.Cut(name, " ")
	return slices.Contains(surnames[vntext.Fold(first)], first)
}

// mendSurname puts right the family name of name when it was read without
// a mark it must have, or with one letter wrong: the one family name so
// spelled, or of those one letter off, the one most people have (Lâ: Lê,
// not La or Lã). mended says it did.
func mendSurname(name string) (string, bool) {
	first, rest, _ := strings.Cut(name, " ")
	if rest == "" || slices.Contains(surnames[vntext.Fold(first)], first) {
		return name, false
	}
	if c := surnames[vntext.Fold(first)]; len(c) == 1 {
		return c[0] + " " + rest, true
	}
	var near []string
	for _, list := range surnames {
		for _, n := range list {
			if markDistance(first, n) == 1 && commonSurnames[n] {
				near = append(near, n)
			}
		}
	}
	if len(near) == 1 {
		return near[0] + " " + rest, true
	}
	return name, false
}

// signerTitles are the titles a signer of these papers holds, in capitals as
// printed.
var signerTitles = []string{"GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
	"TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC SỞ", "KẾ TOÁN TRƯỞNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"}

// signerTitle is a signer's title as read, or the known title one letter
// off it (mended); known says it is one, as read.
func signerTitle(s string) (string, bool) {
	for _, t := range signerTitles {
		if s == t {
			return s, true
		}
	}
	for _, t := range signerTitles {
		if oneOff(t, s) {
			return t, false
		}
	}
	return s, false
}

// nearEthnicity is the one people whose name, folded, is one letter off
// s's (Kính, Kjnh: Kinh), or "".
func nearEthnicity(s string) string {
	key := vntext.Fold(ethnicKey(s))
	found := ""
	for k, name := range ethnicity {
		if d := differ(vntext.Fold(k), key); d == 0 || d == 1 {
			if found != "" && found != name {
				return ""
			}
			found = name
		}
	}
	return found
}
