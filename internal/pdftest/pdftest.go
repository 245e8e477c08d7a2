// Package pdftest writes small PDFs for tests and benchmarks: scanned
// pages (one JPEG each) or born-digital text; and the blank back of a
// scanned sheet.
package pdftest

import (
	"bytes"
	"fmt"
	"image"
	"strings"
)

// BlankBack draws the blank back of an A4 sheet scanned on both sides at
// 150 dpi (1240×1754): the shadow of the scanner's edge, two punch holes
// and some dust.
func BlankBack() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for i := range img.Pix {
		img.Pix[i] = 0xF4
	}
	for y := range 1754 {
		for x := range 12 {
			img.Pix[y*1240+x] = 0x30 // the scanner's edge
		}
	}
	for _, c := range [][2]int{{60, 600}, {60, 1150}} { // punch holes, 6 mm
		for y := c[1] - 18; y <= c[1]+18; y++ {
			for x := c[0] - 18; x <= c[0]+18; x++ {
				if (x-c[0])*(x-c[0])+(y-c[1])*(y-c[1]) <= 18*18 {
					img.Pix[y*1240+x] = 0x20
				}
			}
		}
	}
	for i := range 40 { // dust
		img.Pix[(100+i*37)*1240+200+i*23] = 0x40
	}
	return img
}

// Page is a page of a test PDF: a grey JPEG scan filling it, or text.
type Page struct {
	JPEG          []byte
	Width, Height int // of the JPEG, in pixels
	DPI           int
	Text          string // a born-digital page's text (Helvetica)
	WPt, HPt      float64
}

// Make writes a plain PDF, as an office scanner or a word processor does:
// one image per scanned page, or text.
func Make(pages []Page) []byte { return MakeWith(pages, "") }

// MakeWith adds catalog entries (JavaScript, forms) to the PDF.
func MakeWith(pages []Page, catalogExtra string) []byte {
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	pagesObj := add("") // filled below
	var kids []string
	for _, p := range pages {
		w, h := p.WPt, p.HPt
		if p.JPEG != nil {
			w, h = float64(p.Width)*72/float64(p.DPI), float64(p.Height)*72/float64(p.DPI)
			img := add(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream",
				p.Width, p.Height, len(p.JPEG), p.JPEG))
			content := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", w, h)
			c := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
			kids = append(kids, fmt.Sprint(add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", pagesObj, w, h, img, c))))
			continue
		}
		var content strings.Builder
		content.WriteString("BT /F1 11 Tf 14 TL 60 780 Td")
		for _, line := range strings.Split(p.Text, "\n") {
			fmt.Fprintf(&content, " (%s) Tj T*", line)
		}
		content.WriteString(" ET")
		c := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()))
		kids = append(kids, fmt.Sprint(add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", pagesObj, w, h, font, c))))
	}
	refs := make([]string, len(kids))
	for i, k := range kids {
		refs[i] = k + " 0 R"
	}
	objs[pagesObj-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(refs, " "), len(kids))
	catalog := add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R %s >>", pagesObj, catalogExtra))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, xref)
	return b.Bytes()
}
