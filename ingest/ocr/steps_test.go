package ocr

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"sohoa"
	"sohoa/internal/pdftest"
)

// Each cleaning step is tested on the kind of scan it is for: it must read
// that scan better than the same engine without the step.

func recognizeFile(t *testing.T, opts int, name string) *sohoa.PageText {
	t.Helper()
	e, err := NewWith("vie", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	img, err := os.ReadFile("../../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := e.Recognize(img)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

func groundTruth(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRedSeal: the signer's name under a red seal (a colour scan) is read.
func TestRedSeal(t *testing.T) {
	text := recognizeFile(t, CleanAll, "redseal-crop.jpg").Text
	if !strings.Contains(text, "Vũ") || !strings.Contains(text, "Khang") {
		t.Fatalf("the name under the seal is lost:\n%s", text)
	}
}

// TestGreySeal: a red seal scanned in grey lies over the end of a line and
// over "GIÁM ĐỐC"; whitening its rings brings them back.
func TestGreySeal(t *testing.T) {
	gt := groundTruth(t, "greyseal-crop.gt.txt")
	with := recognizeFile(t, CleanAll, "greyseal-crop.png").Text
	without := recognizeFile(t, CleanAll&^CleanSeal, "greyseal-crop.png").Text
	cw, co := CER(with, gt), CER(without, gt)
	t.Logf("CER with the seal step %.1f%%, without %.1f%%", 100*cw, 100*co)
	if !strings.Contains(with, "GIÁM ĐỐC") || !strings.Contains(with, "giá trị sử dụng thay cho") {
		t.Fatalf("text under the seal lost:\n%s", with)
	}
	if cw > 0.06 || cw > co/2 {
		t.Fatalf("CER %.1f%% with the seal step, %.1f%% without", 100*cw, 100*co)
	}
}

// TestFadedPhotocopyWithSeal: a speckled grey photocopy of the notice's
// end, its seal over a line and over "GIÁM ĐỐC". The median, the contrast
// stretch (which lets the seal step tell the seal's grey from the letters')
// and the seal step each halve the error rate or better.
func TestFadedPhotocopyWithSeal(t *testing.T) {
	gt := groundTruth(t, "photocopy-seal.gt.txt")
	all := CER(recognizeFile(t, CleanAll, "photocopy-seal.jpg").Text, gt)
	t.Logf("CER with every step %.1f%%", 100*all)
	if all > 0.10 {
		t.Fatalf("CER %.1f%%", 100*all)
	}
	for name, step := range map[string]int{"median": CleanDenoise, "contrast": CleanContrast, "seal": CleanSeal} {
		without := CER(recognizeFile(t, CleanAll&^step, "photocopy-seal.jpg").Text, gt)
		t.Logf("without the %s: %.1f%%", name, 100*without)
		if without < 2*all {
			t.Errorf("the %s step does not help: %.1f%% with it, %.1f%% without", name, 100*all, 100*without)
		}
	}
}

// TestGrainyJPEGIsNotFiltered: fine JPEG grain leaves no specks when
// thresholded, and a median would only blunt the letters.
func TestGrainyJPEGIsNotFiltered(t *testing.T) {
	pt := recognizeFile(t, CleanAll, "grainy-crop.jpg")
	if pt.Denoised || !strings.Contains(pt.Text, "khai thác từ Cơ sở dữ liệu quốc gia về dân cư") {
		t.Fatalf("denoised %v:\n%s", pt.Denoised, pt.Text)
	}
}

// TestShadowedPhoto: a diploma photographed under a lamp, the paper white
// at the top and grey at the bottom; evening the paper out brings back the
// lines under the shadow.
func TestShadowedPhoto(t *testing.T) {
	gt := groundTruth(t, "shadow-diploma.gt.txt")
	pt := recognizeFile(t, CleanAll, "shadow-diploma.jpg")
	with := CER(pt.Text, gt)
	without := CER(recognizeFile(t, CleanAll&^CleanEven, "shadow-diploma.jpg").Text, gt)
	t.Logf("CER %.1f%%, without evening the paper %.1f%%", 100*with, 100*without)
	if with > 0.02 || without < 2*with+0.02 || !strings.Contains(pt.Text, "0415/THPT/2022") {
		t.Fatalf("CER %.1f%% (without the step %.1f%%):\n%s", 100*with, 100*without, pt.Text)
	}
}

// TestUpsideDownPage: a page fed in upside down reads poorly, is found
// turned by half a turn, and is read again upright.
func TestUpsideDownPage(t *testing.T) {
	f, err := os.Open("../../testdata/pages/d1-thongbao.png")
	if err != nil {
		t.Fatal(err)
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	turned := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			turned.Set(b.Max.X-1-x, b.Max.Y-1-y, src.At(x, y))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, turned); err != nil {
		t.Fatal(err)
	}
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	pt, err := e.Recognize(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	cer := CER(pt.Text, groundTruth(t, "pages/d1-thongbao.gt.txt"))
	if pt.Rotation != 180 || cer > 0.02 {
		t.Fatalf("rotation %d, CER %.1f%%:\n%s", pt.Rotation, 100*cer, pt.Text)
	}
}

// TestBlankPage: the blank back of a sheet is found blank and not read; a
// page with one line on it is read.
func TestBlankPage(t *testing.T) {
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	read := func(img image.Image) *sohoa.PageText {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		pt, err := e.Recognize(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return pt
	}
	back := pdftest.BlankBack()
	if pt := read(back); !pt.Blank || len(pt.Words) != 0 {
		t.Fatalf("blank %v, %d words: %q", pt.Blank, len(pt.Words), pt.Text)
	}
	// One line of a diploma (150 dpi) on the same sheet.
	f, err := os.Open("../../testdata/page-150dpi.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	line := page.Bounds()
	line.Min.Y, line.Max.Y = 450, 500
	for y := line.Min.Y; y < line.Max.Y; y++ {
		for x := 100; x < line.Max.X; x++ {
			back.Set(x, y+400, page.At(x, y))
		}
	}
	if pt := read(back); pt.Blank || !strings.Contains(pt.Text, "tốt nghiệp") {
		t.Fatalf("a page with a line on it: blank %v, text %q", pt.Blank, pt.Text)
	}
}
