// Command benchocr measures OCR on degraded scans, side by side in one run:
// bare `tesseract -l vie`, OCRmyPDF (--deskew --clean --rotate-pages) and
// sohoa's engine. For each page of testdata/pages it makes the variants a
// school would send (scripts/degrade.sh: skewed JPEG, 200 dpi, photocopy,
// sideways, 150 dpi, TIFF, upside down, a photo under a lamp) and prints, per variant, the character error
// rate, the word recall and the seconds per page of each pipeline.
//
// Run it with `make bench-ocr`; -out writes the table to a Markdown file.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"sohoa/ingest/ocr"
	"sohoa/internal/samples"
	"sohoa/vntext"
)

type result struct {
	cer, strict, recall, seconds float64
	n                            int
}

func (r *result) add(got, want string, seconds float64) float64 {
	cer := ocr.CER(got, want)
	r.cer += cer
	r.strict += ocr.StrictCER(got, want)
	r.recall += wordRecall(got, want)
	r.seconds += seconds
	r.n++
	return cer
}

func (r *result) String() string {
	if r.n == 0 {
		return "– | – | – | –"
	}
	n := float64(r.n)
	return fmt.Sprintf("%.1f%% | %.1f%% | %.1f%% | %.2f", 100*r.cer/n, 100*r.strict/n, 100*r.recall/n, r.seconds/n)
}

// wordRecall is the share of the ground truth's words (folded? no: exact,
// normalized) that the OCR text holds, counted with multiplicity.
func wordRecall(got, want string) float64 {
	have := map[string]int{}
	for _, w := range strings.Fields(vntext.Normalize(got)) {
		have[strings.Trim(w, ".,;:()")]++
	}
	total, found := 0, 0
	for _, w := range strings.Fields(vntext.Normalize(want)) {
		w = strings.Trim(w, ".,;:()")
		total++
		if have[w] > 0 {
			have[w]--
			found++
		}
	}
	if total == 0 {
		return 1
	}
	return float64(found) / float64(total)
}

func main() {
	pagesDir := flag.String("pages", "testdata/pages", "clean pages with their .gt.txt")
	names := flag.String("only", "", "pages to use, comma-separated (default: every page with a .gt.txt in -pages)")
	out := flag.String("out", "", "also write the table to this Markdown file")
	skipOCRmyPDF := flag.Bool("no-ocrmypdf", false, "leave OCRmyPDF out")
	skipTesseract := flag.Bool("no-tesseract", false, "leave bare tesseract out")
	cleanOpts := flag.Int("clean", ocr.CleanAll, "sohoa's cleaning steps (bits: 1 orient, 2 deskew, 4 upscale, 8 denoise, 16 seal, 32 contrast, 64 even)")
	fresh := flag.Int("new", 0, "also draw this many new documents of each kind (internal/samples), never seen before, and read them")
	seed := flag.Uint64("seed", 0, "the seed of the new documents (default: the time)")
	flag.Parse()
	if *fresh > 0 {
		if *seed == 0 {
			*seed = uint64(time.Now().UnixNano())
		}
		dir, err := os.MkdirTemp("", "benchocr-new-")
		check(err)
		defer os.RemoveAll(dir)
		var all []string
		rng := rand.New(rand.NewPCG(*seed, 11))
		for i := range *fresh {
			for _, kind := range []string{samples.KindVanBan, samples.KindVanBang, samples.KindSoGoc} {
				d := samples.Generate(rng, kind, fmt.Sprintf("new%d-%s", i+1, kind))
				img, gt := samples.PNG(d)
				check(os.WriteFile(filepath.Join(dir, d.ID+".png"), img, 0o644))
				check(os.WriteFile(filepath.Join(dir, d.ID+".gt.txt"), []byte(gt), 0o644))
				all = append(all, d.ID)
			}
		}
		fmt.Fprintf(os.Stderr, "benchocr: %d new documents, seed %d\n", len(all), *seed)
		*pagesDir, *names = dir, strings.Join(all, ",")
	}
	if *names == "" {
		gts, _ := filepath.Glob(filepath.Join(*pagesDir, "*.gt.txt"))
		var all []string
		for _, g := range gts {
			all = append(all, strings.TrimSuffix(filepath.Base(g), ".gt.txt"))
		}
		*names = strings.Join(all, ",")
	}
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		fmt.Fprintln(os.Stderr, "benchocr: run with OMP_THREAD_LIMIT=1 (make bench-ocr does)")
		os.Exit(2)
	}
	work, err := os.MkdirTemp("", "benchocr-")
	check(err)
	defer os.RemoveAll(work)
	engine, err := ocr.NewWith("vie", *cleanOpts)
	check(err)
	defer engine.Close()
	variants := []string{"clean", "skew", "200dpi", "photocopy", "sideways", "150dpi", "tif", "upside", "shadow"}
	files := map[string]string{"clean": ".png", "skew": "-skew.jpg", "200dpi": "-200dpi.png", "photocopy": "-photocopy.jpg",
		"sideways": "-sideways.png", "150dpi": "-150dpi.jpg", "tif": ".tif", "upside": "-upside.png", "shadow": "-shadow.jpg"}
	results := map[string]map[string]*result{}
	pipelines := []string{"tesseract", "ocrmypdf", "sohoa"}
	perPage := map[string]float64{} // "page variant pipeline" → CER
	for _, v := range variants {
		results[v] = map[string]*result{}
		for _, p := range pipelines {
			results[v][p] = &result{}
		}
	}
	for _, name := range strings.Split(*names, ",") {
		clean := filepath.Join(*pagesDir, name+".png")
		gt, err := os.ReadFile(filepath.Join(*pagesDir, name+".gt.txt"))
		check(err)
		dir := filepath.Join(work, name)
		cmd := exec.Command("scripts/degrade.sh", clean, dir)
		if o, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "degrade: %v\n%s", err, o)
			os.Exit(1)
		}
		for _, v := range variants {
			img := clean
			if v != "clean" {
				img = filepath.Join(dir, name+files[v])
				if v == "tif" {
					img = filepath.Join(dir, name+".tif")
				}
			}
			data, err := os.ReadFile(img)
			check(err)
			// bare tesseract
			if !*skipTesseract {
				t0 := time.Now()
				text, err := run("tesseract", img, "-", "-l", "vie")
				check(err)
				perPage[name+" "+v+" tesseract"] = results[v]["tesseract"].add(text, string(gt), time.Since(t0).Seconds())
			}
			// OCRmyPDF
			if !*skipOCRmyPDF {
				side := filepath.Join(dir, v+".txt")
				t0 := time.Now()
				_, err = run("ocrmypdf", "-q", "-j", "1", "--deskew", "--clean", "--rotate-pages", "-l", "vie",
					"--image-dpi", "300", "--sidecar", side, "--output-type", "pdf", img, filepath.Join(dir, v+".pdf"))
				secs := time.Since(t0).Seconds()
				if err == nil {
					b, _ := os.ReadFile(side)
					perPage[name+" "+v+" ocrmypdf"] = results[v]["ocrmypdf"].add(string(b), string(gt), secs)
				} else {
					fmt.Fprintf(os.Stderr, "ocrmypdf %s %s: %v\n", name, v, err)
				}
			}
			// sohoa
			t0 := time.Now()
			pt, err := engine.Recognize(data)
			check(err)
			perPage[name+" "+v+" sohoa"] = results[v]["sohoa"].add(pt.Text, string(gt), time.Since(t0).Seconds())
			fmt.Fprintf(os.Stderr, "%s %s done\n", name, v)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "| variant | tesseract CER | in order | recall | s/page | OCRmyPDF CER | in order | recall | s/page | sohoa CER | in order | recall | s/page | sohoa time / tesseract |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, v := range variants {
		ratio := "–"
		if t := results[v]["tesseract"]; t.seconds > 0 {
			ratio = fmt.Sprintf("%.2f×", results[v]["sohoa"].seconds/t.seconds)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", v, results[v]["tesseract"], results[v]["ocrmypdf"], results[v]["sohoa"], ratio)
	}
	fmt.Fprintf(&b, "\nCER per page (tesseract / OCRmyPDF / sohoa):\n\n| page | %s |\n|---|%s\n", strings.Join(variants, " | "), strings.Repeat("---|", len(variants)))
	for _, name := range strings.Split(*names, ",") {
		fmt.Fprintf(&b, "| %s |", name)
		for _, v := range variants {
			var cells []string
			for _, p := range pipelines {
				if c, ok := perPage[name+" "+v+" "+p]; ok {
					cells = append(cells, fmt.Sprintf("%.1f", 100*c))
				} else {
					cells = append(cells, "–")
				}
			}
			fmt.Fprintf(&b, " %s |", strings.Join(cells, " / "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nPages: %s (%s), each degraded by scripts/degrade.sh. CER is order-free at line level (ingest/ocr.CER); \"in order\" is the strict CER, in reading order (ingest/ocr.StrictCER); recall counts ground-truth words found; seconds per page are wall time on one core (OMP_THREAD_LIMIT=1, OCRmyPDF -j 1).\n", *names, *pagesDir)
	os.Stdout.Write(b.Bytes())
	if *out != "" {
		check(os.WriteFile(*out, b.Bytes(), 0o644))
	}
}

func run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", name, err, stderr.String())
	}
	return stdout.String(), nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchocr:", err)
		os.Exit(1)
	}
}
