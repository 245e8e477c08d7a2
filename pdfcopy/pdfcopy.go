// Package pdfcopy makes the digitized copy that carries legal weight: a PDF
// (1.7) with each page's original image at its scanned resolution, the OCR
// text as an invisible layer placed from the word boxes (so that text
// extraction returns it), a visible mark on page 1 that the copy was
// converted from paper (by whom, when, its verification code and QR code),
// and a PAdES signature (a detached CMS in the PDF, /ETSI.CAdES.detached)
// over the whole file.
//
// The invisible text uses Tesseract's glyphless font, the way Tesseract's
// own PDF renderer does; the mark is drawn with DejaVu Sans, which has
// every Vietnamese letter. Both fonts are embedded in the binary.
package pdfcopy

import (
	"bytes"
	"compress/zlib"
	"crypto/x509"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/skip2/go-qrcode"
	_ "golang.org/x/image/tiff"

	"sohoa"
	"sohoa/sign"
)

//go:embed glyphless.ttf
var glyphlessTTF []byte

// Page is one page of the copy.
type Page struct {
	Image       []byte // the original bytes
	ContentType string
	Width       int
	Height      int
	DPI         int // 0: taken as 300
	Words       []sohoa.Word
	// Rotation turns the page clockwise for display (0, 90, 180, 270): a
	// page fed in sideways shows upright while its image stays as scanned.
	Rotation int
}

// Mark is what page 1 says of the copy. A document born digital (a
// report) has no Code: no mark is drawn, and Title names it.
type Mark struct {
	Title     string    // the PDF's title (default: the copy's, with its code)
	Body      string    // the converting body
	At        time.Time // when
	Code      string    // the verification code
	VerifyURL string    // where the code is checked; also the QR code
}

// Signature says who signs and how.
type Signature struct {
	Name     string
	Reason   string
	Location string
	At       time.Time
	// Sign returns a detached CMS signature over the bytes it is given.
	Sign func(data []byte) ([]byte, error)
}

// sigSpace is the room kept for the CMS signature, in bytes.
const sigSpace = 8192

// Build makes the signed copy.
func Build(pages []Page, mark Mark, sig Signature) ([]byte, error) {
	if len(pages) == 0 {
		return nil, errors.New("pdfcopy: no pages")
	}
	w := newWriter()
	catalog, pagesObj := w.reserve(), w.reserve()
	font := w.glyphlessFont()
	var kids []string
	var widget, sigDict int
	for i, p := range pages {
		dpi := float64(p.DPI)
		if dpi < 50 {
			dpi = 300
		}
		scale := 72 / dpi
		wpt, hpt := float64(p.Width)*scale, float64(p.Height)*scale
		img, err := w.image(p)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		var content bytes.Buffer
		fmt.Fprintf(&content, "q %s 0 0 %s 0 0 cm /Im0 Do Q\n", num(wpt), num(hpt))
		xobjects := fmt.Sprintf("/Im0 %d 0 R", img)
		pageObj := w.reserve()
		annots, rotate := "", ""
		textLayer(&content, p.Words, scale, hpt)
		r := ((p.Rotation % 360) + 360) % 360 / 90 * 90
		if r != 0 {
			rotate = fmt.Sprintf(" /Rotate %d", r)
		}
		if i == 0 {
			// The mark is drawn in the page as displayed, then mapped
			// onto the page's own space.
			dw, dh := wpt, hpt
			if r == 90 || r == 270 {
				dw, dh = hpt, wpt
			}
			if mark.Code != "" {
				markObjs, markWords, ops := w.mark(mark, dw, dh)
				fmt.Fprintf(&content, "q %s cm\n%s", displayToPage(r, wpt, hpt), ops)
				textLayer(&content, markWords, 1/markScale, dh)
				content.WriteString("Q\n")
				xobjects += markObjs
			}
			sigDict = w.reserve()
			widget = w.add(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /V %d 0 R /Rect [0 0 0 0] /F 132 /P %d 0 R >>",
				textString("Chữ ký số"), sigDict, pageObj))
			annots = fmt.Sprintf(" /Annots [%d 0 R]", widget)
		}
		contents := w.stream("", content.Bytes(), true)
		w.set(pageObj, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]%s /Resources << /XObject << %s >> /Font << /F1 %d 0 R >> >> /Contents %d 0 R%s >>",
			pagesObj, num(wpt), num(hpt), rotate, xobjects, font, contents, annots))
		kids = append(kids, fmt.Sprintf("%d 0 R", pageObj))
	}
	w.set(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	w.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>", pagesObj, widget))
	w.set(sigDict, fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange %s /Contents <%s> /M %s /Name %s /Reason %s /Location %s >>",
		byteRangePlaceholder, strings.Repeat("0", 2*sigSpace), pdfDate(sig.At), textString(sig.Name), textString(sig.Reason), textString(sig.Location)))
	title := mark.Title
	if title == "" {
		title = "Bản sao điện tử - " + mark.Code
	}
	info := w.add(fmt.Sprintf("<< /Producer (sohoa) /CreationDate %s /Title %s >>", pdfDate(sig.At), textString(title)))
	out := w.finish(catalog, info)
	return signInPlace(out, sig.Sign)
}

// displayToPage is the matrix from the coordinates of a page as displayed
// (turned r degrees clockwise) to its own, for a page of w×h points.
func displayToPage(r int, w, h float64) string {
	switch r {
	case 90:
		return "0 1 -1 0 " + num(w) + " 0"
	case 180:
		return "-1 0 0 -1 " + num(w) + " " + num(h)
	case 270:
		return "0 -1 1 0 0 " + num(h)
	}
	return "1 0 0 1 0 0"
}

const byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

// signInPlace fills the ByteRange and the signature of a built PDF.
func signInPlace(pdf []byte, sign func([]byte) ([]byte, error)) ([]byte, error) {
	br := bytes.Index(pdf, []byte(byteRangePlaceholder))
	ci := bytes.Index(pdf, []byte("/Contents <"+strings.Repeat("0", 32)))
	if br < 0 || ci < 0 {
		return nil, errors.New("pdfcopy: no signature placeholder")
	}
	start := ci + len("/Contents ")
	end := start + 2 + 2*sigSpace
	ranges := fmt.Sprintf("[0 %010d %010d %010d]", start, end, len(pdf)-end)
	copy(pdf[br:], ranges)
	signed := append(append([]byte{}, pdf[:start]...), pdf[end:]...)
	cms, err := sign(signed)
	if err != nil {
		return nil, err
	}
	if len(cms) > sigSpace {
		return nil, fmt.Errorf("pdfcopy: signature of %d bytes does not fit in %d", len(cms), sigSpace)
	}
	hex.Encode(pdf[start+1:], cms)
	return pdf, nil
}

// textLayer writes the words as invisible text (render mode 3), each
// stretched over its box.
func textLayer(b *bytes.Buffer, words []sohoa.Word, scale, hpt float64) {
	if len(words) == 0 {
		return
	}
	b.WriteString("BT 3 Tr\n")
	for _, wd := range words {
		runes := utf16.Encode([]rune(wd.Text))
		if len(runes) == 0 || wd.X1 <= wd.X0 || wd.Y1 <= wd.Y0 {
			continue
		}
		size := float64(wd.Y1-wd.Y0) * scale
		width := float64(wd.X1-wd.X0) * scale
		// The glyphless font's glyphs are half an em wide.
		hz := 100 * width / (float64(len(runes)) * 0.5 * size)
		var hexText strings.Builder
		for _, r := range runes {
			fmt.Fprintf(&hexText, "%04X", r)
		}
		fmt.Fprintf(b, "/F1 %s Tf %s Tz 1 0 0 1 %s %s Tm <%s> Tj\n", num(size), num(hz),
			num(float64(wd.X0)*scale), num(hpt-float64(wd.Y1)*scale), hexText.String())
	}
	b.WriteString("ET\n")
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// textString encodes a PDF text string in UTF-16BE with its byte order mark.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("(D:%s%s%02d'%02d')", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

// writer assembles numbered objects and the cross-reference table.
type writer struct {
	objs [][]byte
}

func newWriter() *writer { return &writer{} }

func (w *writer) reserve() int { w.objs = append(w.objs, nil); return len(w.objs) }

func (w *writer) set(n int, body string) { w.objs[n-1] = []byte(body) }

func (w *writer) add(body string) int { n := w.reserve(); w.set(n, body); return n }

// stream adds a stream object, Flate-compressed when compress is set.
func (w *writer) stream(dict string, data []byte, compress bool) int {
	if compress {
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
		zw.Write(data)
		zw.Close()
		data = z.Bytes()
		dict += " /Filter /FlateDecode"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	n := w.reserve()
	w.objs[n-1] = b.Bytes()
	return n
}

func (w *writer) finish(catalog, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(w.objs))
	for i, o := range w.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.objs)+1, catalog, info, xref)
	return b.Bytes()
}

// glyphlessFont adds Tesseract's invisible-text font: every character maps
// to one empty glyph, and ToUnicode gives its text back.
func (w *writer) glyphlessFont() int {
	cidToGID := make([]byte, 2*65536)
	for i := 0; i < 65536; i++ {
		binary.BigEndian.PutUint16(cidToGID[2*i:], 1)
	}
	cidMap := w.stream("", cidToGID, true)
	toUnicode := w.stream("", []byte(`/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`), true)
	file := w.stream(fmt.Sprintf("/Length1 %d", len(glyphlessTTF)), glyphlessTTF, true)
	desc := w.add(fmt.Sprintf("<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 %d 0 R >>", file))
	cid := w.add(fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap %d 0 R /DW 500 >>", desc, cidMap))
	return w.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cid, toUnicode))
}

// image adds a page's image: a JPEG as it is, anything else decoded once
// and kept losslessly (Flate), at its own size.
func (w *writer) image(p Page) (int, error) {
	if p.ContentType == "image/jpeg" {
		if comps := jpegComponents(p.Image); comps == 1 || comps == 3 {
			cs := "/DeviceGray"
			if comps == 3 {
				cs = "/DeviceRGB"
			}
			return w.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode",
				p.Width, p.Height, cs), p.Image, false), nil
		}
	}
	img, _, err := image.Decode(bytes.NewReader(p.Image))
	if err != nil {
		return 0, fmt.Errorf("decode image: %w", err)
	}
	return w.rawImage(img), nil
}

// rawImage adds img as 8-bit grey when it has no colour, else RGB.
func (w *writer) rawImage(img image.Image) int {
	bnd := img.Bounds()
	gray := isGray(img)
	comps := 3
	if gray {
		comps = 1
	}
	pix := make([]byte, 0, bnd.Dx()*bnd.Dy()*comps)
	switch g := img.(type) {
	case *image.Gray:
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			pix = append(pix, g.Pix[(y-bnd.Min.Y)*g.Stride:(y-bnd.Min.Y)*g.Stride+bnd.Dx()]...)
		}
	default:
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				r, gg, b, a := img.At(x, y).RGBA()
				if a == 0 { // transparent is paper
					r, gg, b = 0xFFFF, 0xFFFF, 0xFFFF
				}
				if gray {
					pix = append(pix, byte(r>>8))
				} else {
					pix = append(pix, byte(r>>8), byte(gg>>8), byte(b>>8))
				}
			}
		}
	}
	cs := "/DeviceRGB"
	if gray {
		cs = "/DeviceGray"
	}
	return w.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8",
		bnd.Dx(), bnd.Dy(), cs), pix, true)
}

func isGray(img image.Image) bool {
	switch m := img.ColorModel(); m {
	case color.GrayModel, color.Gray16Model:
		return true
	}
	if p, ok := img.(*image.Paletted); ok {
		for _, c := range p.Palette {
			r, g, b, _ := c.RGBA()
			if r != g || g != b {
				return false
			}
		}
		return true
	}
	return false
}

// jpegComponents returns the number of colour components of a JPEG, or 0.
func jpegComponents(b []byte) int {
	for i := 2; i+9 < len(b); {
		if b[i] != 0xFF {
			return 0
		}
		m := b[i+1]
		if m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			return int(b[i+9])
		}
		i += 2 + n
	}
	return 0
}

// qrImage draws the QR code of s, a module per 4 pixels, black on white.
func qrImage(s string) (image.Image, error) {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bits := q.Bitmap()
	const px = 4
	img := image.NewGray(image.Rect(0, 0, len(bits)*px, len(bits)*px))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y, row := range bits {
		for x, on := range row {
			if on {
				draw.Draw(img, image.Rect(x*px, y*px, (x+1)*px, (y+1)*px), image.Black, image.Point{}, draw.Src)
			}
		}
	}
	return img, nil
}

// Verify checks a signed copy offline: its signature covers the whole file
// but the signature itself, and verifies against trusted.
func Verify(pdf []byte, trusted *x509.Certificate) (*x509.Certificate, error) {
	i := bytes.LastIndex(pdf, []byte("/ByteRange ["))
	if i < 0 {
		return nil, errors.New("the PDF is not signed")
	}
	var a, b, c, d int
	if _, err := fmt.Sscanf(string(pdf[i+len("/ByteRange ["):]), "%d %d %d %d]", &a, &b, &c, &d); err != nil {
		return nil, errors.New("the PDF's /ByteRange cannot be read")
	}
	if a != 0 || b <= 0 || c <= b || c+d != len(pdf) {
		return nil, errors.New("the signature does not cover the whole file (bytes were added or cut)")
	}
	contents := pdf[b+1 : c-1]
	sig := make([]byte, hex.DecodedLen(len(contents)))
	if _, err := hex.Decode(sig, contents); err != nil {
		return nil, errors.New("the signature is not hexadecimal")
	}
	// The placeholder is padded with zeros: keep the DER structure only.
	if n := derLength(sig); n > 0 && n <= len(sig) {
		sig = sig[:n]
	}
	signed := append(append([]byte{}, pdf[:b]...), pdf[c:]...)
	return sign.VerifyCMS(sig, signed, trusted)
}

// derLength returns the length of the DER element at the start of b, or 0.
func derLength(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	if b[1] < 0x80 {
		return 2 + int(b[1])
	}
	n := int(b[1] & 0x7f)
	if n == 0 || n > 4 || len(b) < 2+n {
		return 0
	}
	l := 0
	for _, x := range b[2 : 2+n] {
		l = l<<8 | int(x)
	}
	return 2 + n + l
}
