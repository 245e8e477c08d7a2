package scan

import (
	"bytes"
	"errors"
	"image"
	_ "image/png"
	"os"
	"testing"

	"golang.org/x/image/tiff"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSniffIgnoresNames(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"png", read(t, "pages/d3-bang-tuan.png"), PNG},
		{"tiff", read(t, "two-pages.tif"), TIFF},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, JPEG},
		{"pdf", []byte("%PDF-1.7\n"), PDF},
		{"text", []byte("Họ và tên"), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(tt.head); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	png := read(t, "pages/d3-bang-tuan.png")
	frames, err := Inspect(bytes.NewReader(png), int64(len(png)), PNG)
	if err != nil || len(frames) != 1 || frames[0].Width != 2480 || frames[0].Height != 3508 {
		t.Fatalf("PNG frames = %+v, %v", frames, err)
	}
	tif := read(t, "two-pages.tif")
	frames, err = Inspect(bytes.NewReader(tif), int64(len(tif)), TIFF)
	if err != nil || len(frames) != 2 {
		t.Fatalf("TIFF frames = %+v, %v", frames, err)
	}
	if f := frames[0]; f.Width != 1653 || f.Height != 2339 || f.DPI != 200 {
		t.Errorf("TIFF page 1 = %+v, want 1653×2339 at 200 dpi", f)
	}
	if f := frames[1]; f.Width != 1240 || f.Height != 1754 {
		t.Errorf("TIFF page 2 = %+v, want 1240×1754", f)
	}
	jpg := read(t, "page-150dpi.jpg")
	frames, err = Inspect(bytes.NewReader(jpg), int64(len(jpg)), JPEG)
	if err != nil || frames[0].Width != 1240 || frames[0].Height != 1754 || frames[0].DPI != 150 {
		t.Fatalf("JPEG frames = %+v, %v", frames, err)
	}
}

func TestCheckFindsTruncation(t *testing.T) {
	for _, tt := range []struct{ file, ct string }{
		{"pages/d3-bang-tuan.png", PNG}, {"page-150dpi.jpg", JPEG}, {"two-pages.tif", TIFF},
	} {
		t.Run(tt.ct, func(t *testing.T) {
			data := read(t, tt.file)
			if err := Check(data, tt.ct); err != nil {
				t.Fatalf("whole file: %v", err)
			}
			for _, cut := range []int{len(data) / 3, len(data) * 2 / 3, len(data) - 3} {
				if err := Check(data[:cut], tt.ct); !errors.Is(err, ErrCorrupt) {
					t.Errorf("cut at %d of %d: %v, want ErrCorrupt", cut, len(data), err)
				}
			}
		})
	}
	png := bytes.Clone(read(t, "pages/d3-bang-tuan.png"))
	png[len(png)/2] ^= 0xFF
	if err := Check(png, PNG); !errors.Is(err, ErrCorrupt) {
		t.Errorf("flipped byte in a PNG: %v, want ErrCorrupt", err)
	}
}

func TestSplitTIFFKeepsPixels(t *testing.T) {
	tif := read(t, "two-pages.tif")
	want, err := tiff.Decode(bytes.NewReader(tif)) // the first page
	if err != nil {
		t.Fatal(err)
	}
	for i, size := range []image.Point{{1653, 2339}, {1240, 1754}} {
		page, err := SplitTIFF(bytes.NewReader(tif), int64(len(tif)), i)
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		if err := Check(page, TIFF); err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		frames, err := Inspect(bytes.NewReader(page), int64(len(page)), TIFF)
		if err != nil || len(frames) != 1 || frames[0].DPI != 200 {
			t.Fatalf("page %d frames = %+v, %v", i+1, frames, err)
		}
		img, err := tiff.Decode(bytes.NewReader(page))
		if err != nil {
			t.Fatalf("decode page %d: %v", i+1, err)
		}
		if img.Bounds().Size() != size {
			t.Fatalf("page %d is %v, want %v", i+1, img.Bounds().Size(), size)
		}
		if i == 0 && !samePixels(img, want) {
			t.Fatal("page 1 cut from the TIFF differs from the original's first page")
		}
	}
	if _, err := SplitTIFF(bytes.NewReader(tif), int64(len(tif)), 2); err == nil {
		t.Fatal("SplitTIFF gave a third page of two")
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				return false
			}
		}
	}
	return true
}

func TestPageDPI(t *testing.T) {
	tests := []struct {
		f         Frame
		dpi       int
		estimated bool
	}{
		{Frame{Width: 1653, Height: 2339, DPI: 200}, 200, false},
		{Frame{Width: 2480, Height: 3508}, 300, true},          // a PNG without pHYs
		{Frame{Width: 1240, Height: 1754, DPI: 72}, 150, true}, // 72: a default, not a measure
		{Frame{Width: 3508, Height: 2480}, 300, true},          // sideways
		{Frame{Width: 3024, Height: 4032, DPI: 72}, 0, false},  // a phone photo: not A4's shape
		{Frame{Width: 210, Height: 297}, 0, false},             // an icon of a page
	}
	for _, tt := range tests {
		if dpi, est := tt.f.PageDPI(); dpi != tt.dpi || est != tt.estimated {
			t.Errorf("%+v: %d dpi (estimated %v), want %d (%v)", tt.f, dpi, est, tt.dpi, tt.estimated)
		}
	}
}
