package pdfcopy

import (
	_ "embed"
	"fmt"
	"image"
	"image/draw"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"sohoa"
)

//go:embed DejaVuSans.ttf
var dejaVuSans []byte

var (
	fontOnce sync.Once
	markFace *opentype.Font
	fontErr  error
)

// Font is the typeface the copies' words are drawn in (DejaVu Sans, every
// Vietnamese letter), parsed once.
func Font() (*opentype.Font, error) {
	fontOnce.Do(func() { markFace, fontErr = opentype.Parse(dejaVuSans) })
	return markFace, fontErr
}

// MarkLines is what the mark on page 1 says.
func (m Mark) Lines() []string {
	return []string{
		"BẢN SAO ĐIỆN TỬ CHUYỂN ĐỔI TỪ VĂN BẢN GIẤY",
		"Cơ quan chuyển đổi: " + m.Body,
		"Thời gian: " + m.At.Format("2006-01-02T15:04:05-07:00") + " · Mã xác minh: " + m.Code,
		"Tra cứu: " + m.VerifyURL,
	}
}

// mark draws the conversion mark in the top right corner of a page wpt×hpt
// points: the text (rendered, since it must show every Vietnamese letter),
// the QR code of the verification address, a red frame. It returns the
// XObject entries, the words to add to the text layer (in pixels at 300
// dpi of the page), and the drawing operators.
func (w *writer) mark(m Mark, wpt, hpt float64) (xobjects string, words []sohoa.Word, ops string) {
	Font()
	lines := m.Lines()
	dpi, sizePt := 300.0, 5.5
	face, err := opentype.NewFace(markFace, &opentype.FaceOptions{Size: sizePt, DPI: dpi, Hinting: font.HintingFull})
	if fontErr != nil || err != nil {
		return "", nil, ""
	}
	defer face.Close()
	lineH := int(sizePt * 1.45 * dpi / 72)
	widest := 0
	for _, l := range lines {
		if wd := font.MeasureString(face, l).Ceil(); wd > widest {
			widest = wd
		}
	}
	pad := int(dpi / 72 * 4)
	tw, th := widest+2*pad, lineH*len(lines)+2*pad
	textImg := image.NewGray(image.Rect(0, 0, tw, th))
	draw.Draw(textImg, textImg.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: textImg, Src: image.Black, Face: face}
	ascent := face.Metrics().Ascent.Ceil()
	toPt := 72 / dpi
	// The frame's place on the page: top right, 4 mm from the edges, above
	// the 20 mm top margin of an official document's text.
	margin := 11.3
	qrPt := float64(th) * toPt
	boxW, boxH := float64(tw)*toPt+qrPt, qrPt
	x0, y0 := wpt-margin-boxW, hpt-margin-boxH
	for i, l := range lines {
		y := pad + i*lineH + ascent
		d.Dot = fixed.P(pad, y)
		d.DrawString(l)
		// Invisible words for the text layer, in 300-dpi pixels of the page
		// (the caller's scale is 72/page dpi; convert back through points).
		x := pad
		for _, word := range strings.Fields(l) {
			wdPx := font.MeasureString(face, word).Ceil()
			words = append(words, pageWord(word, x0+qrPt+float64(x)*toPt, hpt-(y0+boxH)+float64(y-ascent)*toPt, float64(wdPx)*toPt, float64(lineH)*toPt*0.8))
			x += wdPx + font.MeasureString(face, " ").Ceil()
		}
	}
	text := w.rawImage(textImg)
	xobjects = fmt.Sprintf(" /Mark %d 0 R", text)
	ops = fmt.Sprintf("q 1 1 1 rg %s %s %s %s re f Q\n", num(x0), num(y0), num(boxW), num(boxH))
	ops += fmt.Sprintf("q %s 0 0 %s %s %s cm /Mark Do Q\n", num(float64(tw)*toPt), num(float64(th)*toPt), num(x0+qrPt), num(y0))
	if qr, err := qrImage(m.VerifyURL); err == nil {
		xobjects += fmt.Sprintf(" /QR %d 0 R", w.rawImage(qr))
		ops += fmt.Sprintf("q %s 0 0 %s %s %s cm /QR Do Q\n", num(qrPt), num(qrPt), num(x0), num(y0))
	}
	ops += fmt.Sprintf("q 0.8 0 0 RG 1.2 w %s %s %s %s re S Q\n", num(x0), num(y0), num(boxW), num(boxH))
	return xobjects, words, ops
}

// pageWord makes a text-layer word from a box in points (x, top y from
// the page's top, width, height), in units of 1/markScale point.
func pageWord(text string, x, top, w, h float64) sohoa.Word {
	return sohoa.Word{Text: text, X0: int(x * markScale), Y0: int(top * markScale), X1: int((x + w) * markScale), Y1: int((top + h) * markScale), Confidence: 100}
}

// markScale is how many units of a mark word make a point.
const markScale = 10.0
