package ocr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCER(t *testing.T) {
	if c := StrictCER("UBND TỈNH CỘNG HÒA\nSỞ GD Độc lập", "UBND TỈNH\nSỞ GD\nCỘNG HÒA\nĐộc lập"); c < 0.3 {
		t.Errorf("interleaved columns: strict CER %v", c)
	}
	if c := StrictCER("Lê  Quang\nTuấn", "Lê Quang Tuấn"); c != 0 {
		t.Errorf("white space: strict CER %v", c)
	}
	tests := []struct {
		got, want string
		cer       float64
	}{
		{"Lê Quang Tuấn", "Lê Quang Tuấn", 0},
		{"Lê  Quang\nTuấn", "Lê Quang Tuấn", 0},
		{"Le Quang Tuấn", "Lê Quang Tuấn", 1.0 / 13},
		{"", "abcd", 1},
		{"UBND TỈNH CỘNG HÒA\nSỞ GD Độc lập", "UBND TỈNH\nSỞ GD\nCỘNG HÒA\nĐộc lập", 0},
		{"abcd xyz", "abcd", 3.0 / 4},
		// a line that recurs is matched to its own words, not the first ones
		{"GIÁM ĐỐC SỞ GD\nGIÁM ĐỐC", "GIÁM ĐỐC SỞ GD\nGIÁM ĐỐC", 0},
	}
	for _, tt := range tests {
		if got := CER(tt.got, tt.want); got != tt.cer {
			t.Errorf("CER(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.cer)
		}
	}
	gts, _ := filepath.Glob("../../testdata/pages/*.gt.txt")
	for _, p := range gts {
		gt, _ := os.ReadFile(p)
		if c := CER(string(gt), string(gt)); c != 0 {
			t.Errorf("%s against itself: CER %v", filepath.Base(p), c)
		}
	}
}

// TestRecognizeSamples reads the sample pages and holds the character error
// rate against their ground truth under a bound a little above what was
// measured here (0.0-1.2%, mean 0.5%: docs/BENCHMARKS.md).
func TestRecognizeSamples(t *testing.T) {
	if !ThreadLimitSet() {
		t.Log("OMP_THREAD_LIMIT is not 1: recognition will be slow")
	}
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	pages, _ := filepath.Glob("../../testdata/pages/*.png")
	if len(pages) < 3 {
		t.Fatalf("found %d sample pages", len(pages))
	}
	var total float64
	for _, p := range pages {
		name := strings.TrimSuffix(filepath.Base(p), ".png")
		img, _ := os.ReadFile(p)
		gt, err := os.ReadFile(strings.TrimSuffix(p, ".png") + ".gt.txt")
		if err != nil {
			t.Fatal(err)
		}
		pt, err := e.Recognize(img)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cer, strict := CER(pt.Text, string(gt)), StrictCER(pt.Text, string(gt))
		total += cer
		t.Logf("%s: CER %.2f%% (in reading order %.2f%%), confidence %.1f, %d words, %.2f s", name, 100*cer, 100*strict, pt.Confidence, len(pt.Words), pt.Seconds)
		if cer > 0.02 {
			t.Errorf("%s: CER %.2f%% above 2%%:\n%s", name, 100*cer, pt.Text)
		}
		if strict > cer+0.01 {
			t.Errorf("%s: CER in reading order %.2f%%, more than a point above %.2f%%: columns interleaved?\n%s", name, 100*strict, 100*cer, pt.Text)
		}
		if pt.Confidence < 50 || len(pt.Words) < 20 {
			t.Errorf("%s: confidence %.1f over %d words", name, pt.Confidence, len(pt.Words))
		}
		for _, w := range pt.Words {
			if w.X1 <= w.X0 || w.Y1 <= w.Y0 || w.X1 > 2480 || w.Y1 > 3508 {
				t.Fatalf("%s: word %q has box (%d,%d)-(%d,%d)", name, w.Text, w.X0, w.Y0, w.X1, w.Y1)
			}
		}
	}
	mean := total / float64(len(pages))
	t.Logf("mean CER %.2f%% over %d pages", 100*mean, len(pages))
	if mean > 0.01 {
		t.Errorf("mean CER %.2f%% above 1%%", 100*mean)
	}
}

func TestRecognizeRefusesUndecodable(t *testing.T) {
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	img, _ := os.ReadFile("../../testdata/pages/d3-bang-tuan.png")
	if _, err := e.Recognize(img[:200]); err == nil {
		t.Fatal("a truncated PNG was recognised")
	}
	// The engine still works afterwards.
	if pt, err := e.Recognize(img); err != nil || !strings.Contains(pt.Text, "Tuấn") {
		t.Fatalf("after a bad image: %v", err)
	}
}

func TestSpeck(t *testing.T) {
	for _, tt := range []struct {
		w    string
		conf float64
		want bool
	}{
		{"_", 47, true}, {"ˆ", 20, true}, {"`.", 60, true},
		{"-", 95, false}, // a list's dash, read surely
		{"b/c", 40, false}, {"Đ", 30, false}, {"2", 10, false},
	} {
		if got := speck(tt.w, tt.conf); got != tt.want {
			t.Errorf("speck(%q, %v) = %v", tt.w, tt.conf, got)
		}
	}
}

// TestNewLoadsTheModels: a missing language is an error when the engine is
// made, at start-up, not at the first page (gosseract loads lazily).
func TestNewLoadsTheModels(t *testing.T) {
	if e, err := New("xyz"); err == nil {
		e.Close()
		t.Fatal("an engine for a language that is not installed")
	}
}
