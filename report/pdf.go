package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"sohoa"
	"sohoa/pdfcopy"
)

// Heading is what a báo cáo in the layout of Decree 30 says beyond its
// numbers: who issues it, its number, where and when, who signs, who
// receives it.
type Heading struct {
	Parent string // the body above the issuer ("UBND TỈNH HẢI DƯƠNG"); may be empty
	Body   string // the issuer ("SỞ GIÁO DỤC VÀ ĐÀO TẠO")
	Number string // "Số: 123/BC-SGDĐT"; "Số:    /BC-SGDĐT" when not yet numbered
	Place  string // "Hải Dương"
	Date   time.Time
	// Authority (KT. GIÁM ĐỐC), title (PHÓ GIÁM ĐỐC) and name of the
	// signer.
	Authority, Title, Signer string
	Recipients               []string
}

// A4 at 150 dpi.
const (
	pdfDPI    = 150
	pageW     = 1240
	pageH     = 1754
	marginL   = 177 // 30 mm on the left, as Decree 30 has it
	marginR   = 1240 - 89
	marginTop = 118
	marginBot = 1754 - 118
)

// canvas draws text on pages and keeps every word it draws, with its box,
// for the PDF's text layer.
type canvas struct {
	pages []*image.RGBA
	words [][]sohoa.Word
	y     int
	faces map[string]font.Face
	tt    *opentype.Font
}

func (c *canvas) face(size float64, bold bool) font.Face {
	key := fmt.Sprint(size, bold)
	if f, ok := c.faces[key]; ok {
		return f
	}
	f, _ := opentype.NewFace(c.tt, &opentype.FaceOptions{Size: size, DPI: pdfDPI, Hinting: font.HintingFull})
	c.faces[key] = f
	return f
}

func (c *canvas) newPage() {
	img := image.NewRGBA(image.Rect(0, 0, pageW, pageH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	c.pages = append(c.pages, img)
	c.words = append(c.words, nil)
	c.y = marginTop
}

// room starts a new page unless h pixels are left on this one.
func (c *canvas) room(h int) {
	if c.y+h > marginBot {
		c.newPage()
	}
}

func (c *canvas) width(s string, size float64) int {
	return font.MeasureString(c.face(size, false), s).Ceil()
}

// text draws s with its left edge at x and its baseline at y, bold drawn
// twice a pixel apart (one face for every weight).
func (c *canvas) text(s string, x, y int, size float64, bold bool) {
	f := c.face(size, bold)
	img := c.pages[len(c.pages)-1]
	d := &font.Drawer{Dst: img, Src: image.Black, Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
	if bold {
		d.Dot = fixed.P(x+1, y)
		d.DrawString(s)
	}
	m := f.Metrics()
	at := x
	for _, w := range strings.Fields(s) {
		i := strings.Index(s, w)
		at = x + font.MeasureString(f, s[:i]).Ceil()
		ww := font.MeasureString(f, w).Ceil()
		c.words[len(c.words)-1] = append(c.words[len(c.words)-1], sohoa.Word{Text: w, Confidence: 100,
			X0: at, Y0: y - m.Ascent.Ceil(), X1: at + ww, Y1: y + m.Descent.Ceil()})
		s, x = s[i+len(w):], at+ww
	}
}

// centered draws s centred on cx.
func (c *canvas) centered(s string, cx, y int, size float64, bold bool) {
	c.text(s, cx-c.width(s, size)/2, y, size, bold)
}

// paragraph wraps s between the margins, from the current line down.
func (c *canvas) paragraph(s string, size float64) {
	lh := int(size * pdfDPI / 72 * 1.45)
	for _, line := range c.wrap(s, size, marginR-marginL) {
		if line == "" {
			continue
		}
		c.room(lh)
		c.y += lh
		c.text(line, marginL, c.y, size, false)
	}
}

// table draws rows (the first the heading) in columns of the given widths
// (fractions of the text's width), numbers right-aligned.
func (c *canvas) table(rows [][]string, widths []float64, size float64) {
	total := marginR - marginL
	lh := int(size * pdfDPI / 72 * 1.6)
	for i, row := range rows {
		// a heading wraps into as many lines as its longest needs
		h := lh
		if i == 0 {
			for j, cell := range row {
				h = max(h, lh*len(c.wrap(cell, size, int(widths[j]*float64(total))-8)))
			}
		}
		c.room(h + 4)
		if i == 1 {
			c.line(marginL, c.y+2, marginR)
		}
		x := marginL
		for j, cell := range row {
			cw := int(widths[j] * float64(total))
			if i == 0 {
				parts := c.wrap(cell, size, cw-8)
				for k, p := range parts {
					c.text(p, x+4, c.y+lh*(k+1)-6, size, true)
				}
			} else if j == 0 {
				c.text(cell, x+4, c.y+lh-6, size, false)
			} else {
				c.text(cell, x+cw-4-c.width(cell, size), c.y+lh-6, size, false)
			}
			x += cw
		}
		c.y += h
		c.line(marginL, c.y, marginR)
	}
	c.y += lh / 2
}

// wrap breaks s into lines of at most width pixels, a word at a time.
func (c *canvas) wrap(s string, size float64, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && c.width(line+" "+w, size) > width {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(out, line)
}

func (c *canvas) line(x0, y, x1 int) {
	img := c.pages[len(c.pages)-1]
	for x := x0; x < x1; x++ {
		img.Set(x, y, color.Gray{Y: 0x60})
	}
}

// image draws a PNG, scaled to width w, from the current line down.
func (c *canvas) image(p []byte, w int) {
	src, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		return
	}
	b := src.Bounds()
	h := b.Dy() * w / b.Dx()
	c.room(h + 20)
	dst := c.pages[len(c.pages)-1]
	x0 := marginL + (marginR-marginL-w)/2
	for y := range h {
		for x := range w {
			dst.Set(x0+x, c.y+y, src.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	c.y += h + 20
}

// PDFPages lays the report out as a báo cáo of Decree 30 (the issuer and
// number on the left, the national motto, place and date on the right,
// the title, the numbers in tables with their definitions, the charts,
// the recipients and the signer), pages of A4 at 150 dpi with their words
// for the text layer, for pdfcopy to make the PDF an official signs.
func PDFPages(r *Report, h Heading) ([]pdfcopy.Page, error) {
	tt, err := pdfcopy.Font()
	if err != nil {
		return nil, err
	}
	c := &canvas{faces: map[string]font.Face{}, tt: tt}
	c.newPage()
	left, right := marginL+(marginR-marginL)*22/100, marginL+(marginR-marginL)*68/100
	y := c.y + 30
	if h.Parent != "" {
		c.centered(strings.ToUpper(h.Parent), left, y, 11, false)
		y += 32
	}
	c.centered(strings.ToUpper(h.Body), left, y, 11, true)
	c.centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right, c.y+30, 11, true)
	c.centered("Độc lập - Tự do - Hạnh phúc", right, c.y+62, 12, true)
	c.line(right-130, c.y+72, right+130)
	c.line(left-60, y+10, left+60)
	y += 56
	c.centered(h.Number, left, y, 13, false)
	d := h.Date.In(sohoa.Vietnam)
	c.centered(fmt.Sprintf("%s, ngày %02d tháng %02d năm %d", h.Place, d.Day(), int(d.Month()), d.Year()), right, y, 13, false)
	c.y = y + 90
	c.centered("BÁO CÁO", pageW/2+(marginL-89)/2, c.y, 14, true)
	c.y += 40
	c.centered("Kết quả số hóa hồ sơ tháng "+MonthVN(r.Month), pageW/2+(marginL-89)/2, c.y, 14, true)
	c.y += 24
	c.paragraph(fmt.Sprintf("Kết quả số hóa hồ sơ, tài liệu tháng %s (từ ngày %s đến hết ngày %s) của %s và các đơn vị trực thuộc, số liệu lập lúc %s, như sau:",
		MonthVN(r.Month), r.From.Format("02/01/2006"), r.To.AddDate(0, 0, -1).Format("02/01/2006"), r.UnitName, r.MadeAt.Format("15:04 ngày 02/01/2006")), 13)
	c.y += 20
	c.paragraph("1. Số liệu chung", 13)
	c.y += 10
	t := r.Totals
	rows := [][]string{{"Chỉ số", "Số liệu"}}
	for _, kv := range [][2]string{
		{"Hồ sơ số hóa trong tháng", fmt.Sprint(t.Documents)}, {"Số trang", fmt.Sprint(t.Pages)},
		{"Trang dưới 200 dpi", fmt.Sprint(t.PagesBelow200DPI)}, {"Trường thông tin đề xuất / văn thư sửa", fmt.Sprintf("%d / %d", t.FieldsProposed, t.FieldsCorrected)},
		{"Bản sao điện tử được duyệt, ký số", fmt.Sprint(t.Approved)}, {"Bản bị thay thế / thu hồi", fmt.Sprintf("%d / %d", t.Superseded, t.Revoked)},
		{"Lượt hệ thống thủ tục hành chính khai thác", fmt.Sprint(t.Reuse)},
		{"Tồn: chờ nhận dạng / lỗi / chờ xác nhận / chờ duyệt", fmt.Sprintf("%d / %d / %d / %d", t.Queued, t.Failed, t.WaitingReview, t.WaitingApproval)},
		{"Tải lên → đọc xong, trung vị / P90 (giờ)", fmt.Sprintf("%s / %s", orDash(hours(t.UploadToReady.N, t.UploadToReady.Median)), orDash(hours(t.UploadToReady.N, t.UploadToReady.P90)))},
		{"Đọc xong → duyệt, trung vị / P90 (giờ)", fmt.Sprintf("%s / %s", orDash(hours(t.ReadyToApproval.N, t.ReadyToApproval.Median)), orDash(hours(t.ReadyToApproval.N, t.ReadyToApproval.P90)))},
	} {
		rows = append(rows, []string{kv[0], kv[1]})
	}
	c.table(rows, []float64{0.7, 0.3}, 11)
	c.paragraph("2. Theo đơn vị (mỗi dòng gồm cả các đơn vị trực thuộc)", 13)
	c.y += 10
	rows = [][]string{{"Đơn vị", "Hồ sơ", "Trang", "Dưới 200 dpi", "Được duyệt", "Thu hồi", "Khai thác", "Chờ xác nhận", "Chờ duyệt"}}
	for _, u := range r.Units {
		tt := u.Totals
		rows = append(rows, []string{strings.Repeat("   ", u.Depth) + u.Name, fmt.Sprint(tt.Documents), fmt.Sprint(tt.Pages), fmt.Sprint(tt.PagesBelow200DPI),
			fmt.Sprint(tt.Approved), fmt.Sprint(tt.Revoked), fmt.Sprint(tt.Reuse), fmt.Sprint(tt.WaitingReview), fmt.Sprint(tt.WaitingApproval)})
	}
	c.table(rows, []float64{0.28, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09}, 10)
	if len(r.Procedures) > 0 {
		c.paragraph("3. Khai thác theo thủ tục hành chính", 13)
		c.y += 10
		rows = [][]string{{"Thủ tục", "Lượt"}}
		for _, p := range r.Procedures {
			rows = append(rows, []string{p.Procedure, fmt.Sprint(p.Fetches)})
		}
		c.table(rows, []float64{0.8, 0.2}, 11)
	}
	for _, chart := range []func() ([]byte, error){func() ([]byte, error) { return unitPNG(r) }, func() ([]byte, error) { return trendPNG(r.Trend) }} {
		if b, err := chart(); err == nil {
			c.image(b, (marginR-marginL)*4/5)
		}
	}
	c.paragraph("Định nghĩa các chỉ số: "+definitionsLine(), 10)
	// The recipients on the left, the signer on the right.
	c.room(360)
	c.y += 40
	top := c.y
	c.text("Nơi nhận:", marginL, c.y, 11, true)
	for _, rc := range h.Recipients {
		c.y += 30
		c.text("- "+rc, marginL, c.y, 10, false)
	}
	sy := top
	for _, s := range []string{h.Authority, h.Title} {
		if s != "" {
			c.centered(strings.ToUpper(s), right, sy, 13, true)
			sy += 36
		}
	}
	c.centered("(Đã ký số)", right, sy+40, 11, false)
	c.centered(h.Signer, right, sy+190, 13, true)
	var out []pdfcopy.Page
	for i, img := range c.pages {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return nil, err
		}
		out = append(out, pdfcopy.Page{Image: b.Bytes(), ContentType: "image/png", Width: pageW, Height: pageH, DPI: pdfDPI, Words: c.words[i]})
	}
	return out, nil
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func definitionsLine() string {
	var parts []string
	for _, d := range Definitions {
		parts = append(parts, d.Field+": "+d.Text)
	}
	return strings.Join(parts, " ")
}

func unitPNG(r *Report) ([]byte, error) {
	p, err := unitPlot(r)
	if err != nil {
		return nil, err
	}
	return pngOf(p)
}

func trendPNG(m []MonthCount) ([]byte, error) {
	p, err := trendPlot(m)
	if err != nil {
		return nil, err
	}
	return pngOf(p)
}
