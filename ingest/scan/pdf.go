package scan

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sohoa"
)

// PDF is the content type of PDF uploads. A PDF is never kept as a page:
// its pages are cut out of it as images (see PDFPage).
const PDF = "application/pdf"

// Poppler's tools read the PDFs: nothing in a PDF is executed (no
// JavaScript, no forms, no embedded files); only page images and text are
// taken. Each call is bounded in time.
const popplerTimeout = 2 * time.Minute

func poppler(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, popplerTimeout)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return nil, fmt.Errorf("%s: %v: %s", name, err, msg)
	}
	return out.Bytes(), nil
}

// PDFInfo is what pdfinfo says of a PDF: its pages and their sizes in points.
type PDFInfo struct {
	Pages []PDFPageSize
}

// PDFPageSize is a page's size in points.
type PDFPageSize struct{ W, H float64 }

var (
	pagesRE    = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)
	encryptRE  = regexp.MustCompile(`(?m)^Encrypted:\s+yes`)
	pageSizeRE = regexp.MustCompile(`(?m)^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`)
)

// InspectPDF reads a PDF's page count and sizes. An encrypted or malformed
// PDF, or one of more than MaxFrames pages, is an error (ErrCorrupt for the
// first two).
func InspectPDF(ctx context.Context, path string) (*PDFInfo, error) {
	out, err := poppler(ctx, "pdfinfo", path)
	if err != nil {
		return nil, corrupt("PDF bị hỏng, không đọc được (%v)", err)
	}
	if encryptRE.Match(out) {
		return nil, corrupt("PDF được mã hóa (đặt mật khẩu): hãy gửi bản không mã hóa")
	}
	m := pagesRE.FindSubmatch(out)
	if m == nil {
		return nil, corrupt("PDF không có trang nào")
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n < 1 {
		return nil, corrupt("PDF không có trang nào")
	}
	if n > MaxFrames {
		return &PDFInfo{Pages: make([]PDFPageSize, n)}, nil // the caller refuses it by count
	}
	out, err = poppler(ctx, "pdfinfo", "-f", "1", "-l", strconv.Itoa(n), path)
	if err != nil {
		return nil, corrupt("PDF bị hỏng, không đọc được (%v)", err)
	}
	info := &PDFInfo{Pages: make([]PDFPageSize, n)}
	for _, m := range pageSizeRE.FindAllSubmatch(out, -1) {
		i, _ := strconv.Atoi(string(m[1]))
		w, _ := strconv.ParseFloat(string(m[2]), 64)
		h, _ := strconv.ParseFloat(string(m[3]), 64)
		if i >= 1 && i <= n {
			info.Pages[i-1] = PDFPageSize{w, h}
		}
	}
	return info, nil
}

// RenderDPI is the resolution PDF pages are rendered at when their scan
// cannot be taken out as it is.
const RenderDPI = 300

// Frames returns one frame a page at RenderDPI, for the size checks.
func (info *PDFInfo) Frames() []Frame {
	fs := make([]Frame, len(info.Pages))
	for i, p := range info.Pages {
		fs[i] = Frame{Width: int(p.W / 72 * RenderDPI), Height: int(p.H / 72 * RenderDPI), DPI: RenderDPI}
	}
	return fs
}

// PDFPage is one page taken out of a PDF: its image (the scan as it is
// when the page is one scanned image, else the page rendered), and the
// words of its text layer when it has one (a born-digital page).
type PDFPage struct {
	Image       []byte
	ContentType string
	Width       int
	Height      int
	DPI         int
	Words       []sohoa.Word // in pixels of Image; nil when the page has no text
	Text        string
	Extracted   bool // the scan was taken out without recompression
}

type pdfImage struct {
	width, height int
	enc           string
	ppi           float64
	num           int // pdfimages' number of the image
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// minTextLayer is how many characters make a page's text layer worth
// keeping instead of OCR.
const minTextLayer = 40

// pdfBatch is how many pages each call of poppler's tools takes: four
// calls a page cost 60 ms a page; a batch bounds the disk its images take.
const pdfBatch = 50

// ExtractPDF takes the pages out of the PDF at path (info from InspectPDF)
// and hands them to fn in order. With keepText, a page that has a text
// layer keeps it (no OCR needed).
func ExtractPDF(ctx context.Context, path string, info *PDFInfo, keepText bool, fn func(n int, p *PDFPage) error) error {
	for first := 1; first <= len(info.Pages); first += pdfBatch {
		last := min(first+pdfBatch-1, len(info.Pages))
		if err := extractBatch(ctx, path, info.Pages, first, last, keepText, fn); err != nil {
			return err
		}
	}
	return nil
}

func extractBatch(ctx context.Context, path string, sizes []PDFPageSize, first, last int, keepText bool, fn func(int, *PDFPage) error) error {
	dir, err := os.MkdirTemp(filepath.Dir(path), "pdfpages-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	from, to := strconv.Itoa(first), strconv.Itoa(last)
	list, err := poppler(ctx, "pdfimages", "-list", "-f", from, "-l", to, path)
	if err != nil {
		return corrupt("PDF trang %d–%d: %v", first, last, err)
	}
	images := map[int][]pdfImage{} // by page
	for _, line := range strings.Split(string(list), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 14 || f[2] != "image" {
			continue // masks and stencils are not the scan
		}
		pg, _ := strconv.Atoi(f[0])
		num, _ := strconv.Atoi(f[1])
		w, _ := strconv.Atoi(f[3])
		h, _ := strconv.Atoi(f[4])
		ppi, _ := strconv.ParseFloat(f[12], 64)
		images[pg] = append(images[pg], pdfImage{w, h, f[8], ppi, num})
	}
	// The scans, as they are: JPEGs as JPEG files, other images as PNG
	// (lossless), named img-PAGE-NUM.
	extracted := false
	for n := first; n <= last; n++ {
		if scanImage(images[n], sizes[n-1]) != nil {
			extracted = true
		}
	}
	if extracted {
		if _, err := poppler(ctx, "pdfimages", "-j", "-png", "-p", "-f", from, "-l", to, path, filepath.Join(dir, "img")); err != nil {
			return corrupt("PDF trang %d–%d: %v", first, last, err)
		}
	}
	var words [][]byte
	var texts []string
	if keepText {
		if out, err := poppler(ctx, "pdftotext", "-bbox", "-f", from, "-l", to, path, "-"); err == nil {
			words = bytes.Split(out, []byte("<page "))[1:]
		}
		if out, err := poppler(ctx, "pdftotext", "-layout", "-f", from, "-l", to, path, "-"); err == nil {
			texts = strings.Split(string(out), "\f")
		}
	}
	for n := first; n <= last; n++ {
		p, err := extractPage(ctx, path, dir, n, sizes[n-1], images[n])
		if err != nil {
			return err
		}
		if i := n - first; i < len(words) && i < len(texts) && sizes[n-1].W > 0 {
			p.textLayer(words[i], texts[i], float64(p.Width)/sizes[n-1].W)
		}
		if err := fn(n, p); err != nil {
			return err
		}
	}
	return nil
}

// scanImage returns the page's scan when the page is one image of the
// page's proportions, in an encoding that can be taken out as it is.
func scanImage(images []pdfImage, size PDFPageSize) *pdfImage {
	if len(images) != 1 || size.W == 0 || !coversPage(images[0], size) {
		return nil
	}
	if im := images[0]; im.enc == "jpeg" || im.enc == "image" {
		return &im
	}
	return nil
}

// extractPage takes page n's scan out of dir (where pdfimages put it), or
// renders the page.
func extractPage(ctx context.Context, path, dir string, n int, size PDFPageSize, images []pdfImage) (*PDFPage, error) {
	p := &PDFPage{}
	if im := scanImage(images, size); im != nil {
		ext, ct := ".png", PNG
		if im.enc == "jpeg" {
			ext, ct = ".jpg", JPEG
		}
		name := filepath.Join(dir, fmt.Sprintf("img-%03d-%03d%s", n, im.num, ext))
		if b, err := os.ReadFile(name); err == nil && Sniff(b) == ct {
			p.Image, p.ContentType, p.Width, p.Height = b, ct, im.width, im.height
			p.DPI = int(math.Round(float64(im.width) / (size.W / 72)))
			p.Extracted = true
			return p, nil
		}
	}
	dpi := RenderDPI
	if len(images) == 1 && images[0].ppi >= 100 && images[0].ppi < RenderDPI {
		dpi = int(images[0].ppi) // no finer than the scan it holds
	}
	pg := strconv.Itoa(n)
	out := filepath.Join(dir, "page-"+pg)
	if _, err := poppler(ctx, "pdftoppm", "-r", strconv.Itoa(dpi), "-f", pg, "-l", pg, "-singlefile", "-png", path, out); err != nil {
		return nil, corrupt("PDF trang %d không dựng được ảnh: %v", n, err)
	}
	b, err := os.ReadFile(out + ".png")
	if err != nil {
		return nil, err
	}
	os.Remove(out + ".png")
	frames, err := Inspect(bytes.NewReader(b), int64(len(b)), PNG)
	if err != nil {
		return nil, err
	}
	p.Image, p.ContentType, p.Width, p.Height, p.DPI = b, PNG, frames[0].Width, frames[0].Height, dpi
	return p, nil
}

// textLayer keeps a born-digital page's words (pdftotext -bbox, scaled from
// points to the image's pixels) and text (pdftotext -layout), when there
// are enough of them to be worth more than OCR.
func (p *PDFPage) textLayer(bbox []byte, layout string, scale float64) {
	var lines []string
	for _, l := range strings.Split(layout, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	text := strings.Join(lines, "\n")
	if len([]rune(strings.Join(strings.Fields(text), ""))) < minTextLayer {
		return
	}
	p.Text = text
	for _, m := range wordRE.FindAllSubmatch(bbox, -1) {
		x0, _ := strconv.ParseFloat(string(m[1]), 64)
		y0, _ := strconv.ParseFloat(string(m[2]), 64)
		x1, _ := strconv.ParseFloat(string(m[3]), 64)
		y1, _ := strconv.ParseFloat(string(m[4]), 64)
		p.Words = append(p.Words, sohoa.Word{Text: html.UnescapeString(string(m[5])), Confidence: 100,
			X0: int(x0 * scale), Y0: int(y0 * scale), X1: int(x1 * scale), Y1: int(y1 * scale)})
	}
}

// coversPage reports whether an image has the page's proportions, as a
// scan placed on its page has.
func coversPage(im pdfImage, size PDFPageSize) bool {
	if im.width == 0 || im.height == 0 || size.H == 0 {
		return false
	}
	a, b := float64(im.width)/float64(im.height), size.W/size.H
	return math.Abs(a-b)/b < 0.03
}
