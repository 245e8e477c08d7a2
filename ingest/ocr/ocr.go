// Package ocr runs Tesseract through gosseract; it is the only cgo package.
//
// An Engine owns one Tesseract handle and must be used by one goroutine at a
// time: sharing a handle crashed the process in our measurements. Create
// engines one after another (concurrent creation silenced stderr for good),
// and run the process with OMP_THREAD_LIMIT=1: parallelism comes from one
// engine per core, and OpenMP threads made each page 4–5× slower on 2 cores.
// libgomp reads that variable when the process loads, so setting it later
// from Go has no effect; cmd/sohoa re-executes itself with it set.
package ocr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // pages as scanners send them, for CellReader
	"image/png"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/otiai10/gosseract/v2"
	_ "golang.org/x/image/tiff" // and TIFF, for CellReader

	"sohoa"
	"sohoa/ingest/scan"
	"sohoa/vntext"
)

// Engine is one Tesseract handle, and one for orientation detection.
type Engine struct {
	client *gosseract.Client
	osd    osdHandle
	langs  string
	clean  int
}

// ErrUnreadable is returned when Leptonica cannot decode an image.
var ErrUnreadable = errors.New("image cannot be decoded")

// ThreadLimitSet reports whether OMP_THREAD_LIMIT=1 is in effect.
func ThreadLimitSet() bool { return os.Getenv("OMP_THREAD_LIMIT") == "1" }

// New returns an engine for langs ("vie", "vie+eng"), its models loaded, that
// cleans every page (CleanAll) before reading it.
func New(langs string) (*Engine, error) { return NewWith(langs, CleanAll) }

// NewWith returns an engine that applies the given cleaning steps.
func NewWith(langs string, cleanOpts int) (*Engine, error) {
	c := gosseract.NewClient()
	if err := c.SetLanguage(strings.Split(langs, "+")...); err != nil {
		c.Close()
		return nil, err
	}
	// SetPageSegMode is ignored before the first recognition (gosseract #167).
	// Mode 4 (one column of lines of varying size) reads a register's table
	// row by row, as a person does. Mode 3 does as well once Tesseract is
	// told the page's resolution (read below); without it, mode 3 read the
	// table column by column (17% CER against 4%). docs/BENCHMARKS.md.
	// Tesseract's own chatter ("Estimating resolution as 488") would land
	// in our logs unstructured.
	c.SetVariable("debug_file", "/dev/null")
	if err := c.SetVariable("tessedit_pageseg_mode", "4"); err != nil {
		c.Close()
		return nil, err
	}
	e := &Engine{client: c, langs: langs, clean: cleanOpts}
	if cleanOpts&CleanOrient != 0 {
		if e.osd = newOSD(); e.osd == nil {
			c.Close()
			return nil, errors.New("init tesseract orientation detection: osd.traineddata missing (tesseract-ocr-osd)")
		}
	}
	// Load the models now, at start-up, on a blank page read without
	// cleaning (which would find it blank and not run Tesseract): a missing
	// language is a configuration error, not a failed document, and
	// gosseract silences stderr while it loads them, which must not happen
	// while other engines' pages are being logged.
	if _, err := e.read(blankPNG(), 0, 0); err != nil {
		c.Close()
		return nil, fmt.Errorf("init tesseract (%s): %w", langs, err)
	}
	return e, nil
}

// Close frees the handles.
func (e *Engine) Close() error {
	deleteOSD(e.osd)
	return e.client.Close()
}

// Recognize reads one page image (PNG, JPEG or TIFF bytes). It runs
// recognition once and builds the text from the words, their boxes and
// confidences.
func (e *Engine) Recognize(img []byte) (*sohoa.PageText, error) {
	start := time.Now()
	// Orientation detection costs a fifth of a page's time; most pages are
	// upright. So read first, and only when the reading is poor (a page
	// sideways or upside down gives few words, or low confidence) detect
	// the orientation and, if the page is turned, read it again upright.
	frame := header(img)
	first := e.clean &^ CleanOrient
	if e.clean&CleanOrient != 0 && frame.Width > frame.Height {
		// An A4 page wider than tall was most likely fed in sideways: look
		// at its orientation first rather than read it twice.
		first = e.clean
	}
	dpi, _ := frame.PageDPI()
	pt, err := e.read(img, dpi, first)
	if err != nil {
		return nil, err
	}
	if first&CleanOrient == 0 && e.clean&CleanOrient != 0 && !pt.Blank && (len(pt.Words) < 30 || pt.Confidence < 70) {
		again, err := e.read(img, dpi, e.clean)
		if err != nil {
			return nil, err
		}
		if again.Rotation != 0 {
			pt = again
		}
	}
	pt.Seconds = time.Since(start).Seconds()
	return pt, nil
}

// read cleans img, a page of dpi (0 when unknown), with opts and runs
// recognition once, building the text from the words, their boxes and
// confidences.
func (e *Engine) read(img []byte, dpi, opts int) (*sohoa.PageText, error) {
	var tr *Transform
	if opts != 0 {
		cleaned, t, err := clean(img, dpi, e.osd, opts)
		if err != nil {
			return nil, err
		}
		img, tr = cleaned, t
		if t.Blank {
			return &sohoa.PageText{Engine: "tesseract " + gosseract.Version(), Languages: e.langs, Words: []sohoa.Word{}, Blank: true}, nil
		}
		// The cleaned image carries no resolution; without one Tesseract
		// assumes 70 dpi, and its layout analysis, whose limits are in
		// inches, then misreads tables.
		e.client.SetVariable("user_defined_dpi", strconv.Itoa(t.DPI))
	}
	if err := e.client.SetImageFromBytes(img); err != nil {
		return nil, err
	}
	// gosseract keeps a NULL image when Leptonica fails to decode and would
	// hand it to Tesseract, which crashes: look before we leap.
	if reflect.ValueOf(e.client).Elem().FieldByName("pixImage").IsNil() {
		return nil, ErrUnreadable
	}
	boxes, err := e.client.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	pt := &sohoa.PageText{Engine: "tesseract " + gosseract.Version(), Languages: e.langs}
	pt.Words = make([]sohoa.Word, 0, len(boxes))
	var sum float64
	for _, b := range boxes {
		w := strings.TrimSpace(b.Word)
		if w == "" || speck(w, b.Confidence) {
			continue
		}
		pt.Words = append(pt.Words, sohoa.Word{
			Text: vntext.Normalize(w), Confidence: b.Confidence,
			X0: b.Box.Min.X, Y0: b.Box.Min.Y, X1: b.Box.Max.X, Y1: b.Box.Max.Y,
			Block: b.BlockNum, Par: b.ParNum, Line: b.LineNum,
		})
		sum += b.Confidence
	}
	// Columns are found upright, on the page as cleaned; the boxes kept
	// are on the image as uploaded.
	pt.Words = readingOrder(pt.Words)
	if tr != nil {
		pt.Upright = slices.Clone(pt.Words)
		for i := range pt.Words {
			tr.Unmap(&pt.Words[i])
		}
	}
	if len(pt.Words) > 0 {
		pt.Confidence = sum / float64(len(pt.Words))
	}
	pt.Text = Text(pt.Words)
	if tr != nil {
		pt.Rotation, pt.Skew, pt.Upscaled, pt.Denoised, pt.Unsealed, pt.Evened = tr.Quads*90, round2(tr.Skew), tr.Scale != 1, tr.Median, tr.Sealed, tr.Evened
	}
	return pt, nil
}

// speck reports whether a word is a mark Tesseract made of a speck, a rule
// or empty space: punctuation, symbols or modifier letters alone ("_", "~",
// "ˆ", "`"), read with confidence under 70. Dropping them took 0.1–0.2
// points of CER off the variants of the sample and held-out pages.
func speck(w string, confidence float64) bool {
	if confidence >= 70 {
		return false
	}
	for _, r := range w {
		if !unicode.IsPunct(r) && !unicode.IsSymbol(r) && !unicode.Is(unicode.Lm, r) {
			return false
		}
	}
	return true
}

// Text lays words out as lines: a space between words of a line, a newline
// between lines.
func Text(words []sohoa.Word) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			p := words[i-1]
			if p.Block == w.Block && p.Par == w.Par && p.Line == w.Line {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// blankPNG returns a small white page.
func blankPNG() []byte {
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// header returns what an image's header says of its size and resolution
// (nothing for a file that is not one image).
func header(img []byte) scan.Frame {
	ct := scan.Sniff(img)
	if ct == "" {
		return scan.Frame{}
	}
	frames, err := scan.Inspect(bytes.NewReader(img), int64(len(img)), ct)
	if err != nil || len(frames) != 1 {
		return scan.Frame{}
	}
	return frames[0]
}

// CellReader returns a reader of cells of img, a page Recognize read: the
// text in a box of the page as uploaded, read alone as one line with only
// the characters chars, and its lowest word confidence. The page is
// decoded at the first cell read (most pages have none to read again),
// once for all its cells; one that cannot be decoded reads none.
func (e *Engine) CellReader(img []byte) func(box sohoa.Box, chars string) (string, float64, bool) {
	var page image.Image
	decoded := false
	return func(box sohoa.Box, chars string) (string, float64, bool) {
		if !decoded {
			page, _, _ = image.Decode(bytes.NewReader(img))
			decoded = true
		}
		if page == nil {
			return "", 0, false
		}
		pad := box.Height() / 2
		r := image.Rect(box.X0-pad, box.Y0-pad, box.X1+pad, box.Y1+pad).Intersect(page.Bounds())
		if r.Empty() {
			return "", 0, false
		}
		cell := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(cell, cell.Bounds(), page, r.Min, draw.Src)
		var b bytes.Buffer
		if png.Encode(&b, cell) != nil {
			return "", 0, false
		}
		defer func() {
			e.client.SetVariable("tessedit_char_whitelist", "")
			e.client.SetVariable("tessedit_pageseg_mode", "4")
		}()
		e.client.SetVariable("tessedit_char_whitelist", chars)
		e.client.SetVariable("tessedit_pageseg_mode", "7") // one line
		if e.client.SetImageFromBytes(b.Bytes()) != nil || reflect.ValueOf(e.client).Elem().FieldByName("pixImage").IsNil() {
			return "", 0, false
		}
		boxes, err := e.client.GetBoundingBoxesVerbose()
		if err != nil || len(boxes) == 0 {
			return "", 0, false
		}
		var words []string
		conf := 100.0
		for _, w := range boxes {
			if t := strings.TrimSpace(w.Word); t != "" {
				words = append(words, t)
				conf = min(conf, w.Confidence)
			}
		}
		return strings.Join(words, " "), conf, len(words) > 0
	}
}
