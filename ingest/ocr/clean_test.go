package ocr

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"strings"
	"testing"

	"sohoa"
)

// inkRatio is how much darker the word boxes are than the page: boxes that
// land on the words they name hold far more ink than the page on average.
func inkRatio(t *testing.T, img image.Image, words []sohoa.Word) float64 {
	t.Helper()
	gray := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
	var pageInk, pagePx, boxInk, boxPx int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			pagePx++
			if gray(x, y) {
				pageInk++
			}
		}
	}
	for _, w := range words {
		for y := w.Y0; y < w.Y1; y += 2 {
			for x := w.X0; x < w.X1; x += 2 {
				boxPx++
				if gray(x, y) {
					boxInk++
				}
			}
		}
	}
	if boxPx == 0 || pageInk == 0 {
		return 0
	}
	return (float64(boxInk) / float64(boxPx)) / (float64(pageInk) / float64(pagePx))
}

func TestSidewaysPageIsReadAndBoxesStayOnTheOriginal(t *testing.T) {
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	data, _ := os.ReadFile("../../testdata/sideways-150dpi.jpg")
	pt, err := e.Recognize(data)
	if err != nil {
		t.Fatal(err)
	}
	if pt.Rotation != 270 || !strings.Contains(pt.Text, "Đỗ Thị Dung") || !pt.Upscaled {
		t.Fatalf("rotation %d, upscaled %v, text:\n%s", pt.Rotation, pt.Upscaled, pt.Text)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range pt.Words {
		if w.X1 > 1754 || w.Y1 > 1240 {
			t.Fatalf("word %q box (%d,%d)-(%d,%d) outside the 1754×1240 original", w.Text, w.X0, w.Y0, w.X1, w.Y1)
		}
	}
	if r := inkRatio(t, img, pt.Words); r < 3 {
		t.Fatalf("word boxes hold %.1f× the page's ink density: they are not on the words", r)
	}
}

func TestUnmapQuarterTurns(t *testing.T) {
	// A 100×50 original turned once clockwise is 50×100: the original's
	// top-left corner box lands at the top right.
	tr := &Transform{Width: 100, Height: 50, Scale: 1, Quads: 1}
	w := sohoa.Word{X0: 40, Y0: 0, X1: 50, Y1: 10} // top right of the turned image
	tr.Unmap(&w)
	if w.X0 != 0 || w.Y0 != 0 || w.X1 != 10 || w.Y1 != 10 {
		t.Fatalf("unmapped to (%d,%d)-(%d,%d), want (0,0)-(10,10)", w.X0, w.Y0, w.X1, w.Y1)
	}
	tr = &Transform{Width: 100, Height: 50, Scale: 2}
	w = sohoa.Word{X0: 20, Y0: 20, X1: 40, Y1: 40}
	tr.Unmap(&w)
	if w.X0 != 10 || w.Y1 != 20 {
		t.Fatalf("scale not undone: %+v", w)
	}
}
