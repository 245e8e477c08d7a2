package ocr

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkPage reads the same page with sohoa's engine (recognition, word
// boxes and confidences, text rebuilt) and with bare `tesseract` (one process
// per page, as a clerk would run it), and reports both and their ratio.
// Run with OMP_THREAD_LIMIT=1 (make bench sets it).
func BenchmarkPage(b *testing.B) {
	for _, name := range []string{"d1-thongbao", "d3-bang-tuan", "d5-sogoc"} {
		b.Run(name, func(b *testing.B) {
			path := "../../testdata/pages/" + name + ".png"
			img, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := exec.LookPath("tesseract"); err != nil {
				b.Skip("no tesseract command")
			}
			e, err := New("vie")
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			var ours, bare time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := e.Recognize(img); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				cmd := exec.Command("tesseract", path, "-", "-l", "vie", "--psm", "4")
				cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
				if out, err := cmd.Output(); err != nil || len(out) == 0 {
					b.Fatalf("tesseract: %v", err)
				}
				ours += t1.Sub(t0)
				bare += time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(ours.Seconds()/n, "sohoa-s/page")
			b.ReportMetric(bare.Seconds()/n, "tesseract-s/page")
			b.ReportMetric(ours.Seconds()/bare.Seconds(), "sohoa/tesseract")
		})
	}
}
