package scan

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sohoa/internal/pdftest"
)

// BenchmarkExtractPDF takes the pages out of a 100-page scanned PDF, and
// in the same run has bare `pdfimages -j` take its images out (the least
// any extraction costs), and reports both and their ratio.
func BenchmarkExtractPDF(b *testing.B) {
	if _, err := exec.LookPath("pdfimages"); err != nil {
		b.Skip("no poppler-utils")
	}
	img := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for i := range img.Pix {
		img.Pix[i] = 0xF0
		if (i/1240)%40 < 3 && i%1240 > 150 && i%1240 < 1090 {
			img.Pix[i] = 0x20 // lines of "text"
		}
	}
	var j bytes.Buffer
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 75}); err != nil {
		b.Fatal(err)
	}
	const n = 100
	pages := make([]pdftest.Page, n)
	for i := range pages {
		pages[i] = pdftest.Page{JPEG: j.Bytes(), Width: 1240, Height: 1754, DPI: 150}
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(path, pdftest.Make(pages), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	info, err := InspectPDF(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	var ours, bare time.Duration
	for b.Loop() {
		t0 := time.Now()
		got := 0
		err := ExtractPDF(ctx, path, info, true, func(_ int, p *PDFPage) error {
			if p.Extracted {
				got++
			}
			return nil
		})
		if err != nil || got != n {
			b.Fatalf("%d of %d pages taken out as they are: %v", got, n, err)
		}
		t1 := time.Now()
		out := b.TempDir()
		if err := exec.Command("pdfimages", "-j", path, filepath.Join(out, "img")).Run(); err != nil {
			b.Fatal(err)
		}
		ours += t1.Sub(t0)
		bare += time.Since(t1)
	}
	runs := float64(b.N) * n
	b.ReportMetric(1000*ours.Seconds()/runs, "sohoa-ms/page")
	b.ReportMetric(1000*bare.Seconds()/runs, "pdfimages-ms/page")
	b.ReportMetric(ours.Seconds()/bare.Seconds(), "sohoa/pdfimages")
}
