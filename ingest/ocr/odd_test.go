package ocr

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/png"
	"testing"
)

// TestOddImages: images of odd sizes and kinds are read or refused, and the
// process stays up (the cleaning is C: a crash there would take the service
// down).
func TestOddImages(t *testing.T) {
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	enc := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	gray := func(w, h int, v uint8) *image.Gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = v
		}
		return g
	}
	pal := image.NewPaletted(image.Rect(0, 0, 600, 800), palette.Plan9)
	g16 := image.NewGray16(image.Rect(0, 0, 600, 800))
	rgba := image.NewRGBA(image.Rect(0, 0, 600, 800))
	for i := range rgba.Pix {
		rgba.Pix[i] = 0x80
	}
	mono := image.NewPaletted(image.Rect(0, 0, 2480, 3508), color.Palette{color.Black, color.White})
	cases := map[string][]byte{
		"1×1": enc(gray(1, 1, 0)), "3×1": enc(gray(3, 1, 255)), "1×3000": enc(gray(1, 3000, 0)),
		"3000×2": enc(gray(3000, 2, 0)), "black A4": enc(gray(1240, 1754, 0)), "grey A4": enc(gray(1240, 1754, 128)),
		"palette": enc(pal), "16-bit": enc(g16), "RGBA": enc(rgba), "1-bit A4": enc(mono),
	}
	for name, img := range cases {
		if _, err := e.Recognize(img); err != nil {
			t.Logf("%s: %v", name, err)
		}
	}
	// still working
	if pt, err := e.Recognize(enc(gray(100, 100, 255))); err != nil || !pt.Blank {
		t.Fatalf("after the odd images: %+v, %v", pt, err)
	}
}
