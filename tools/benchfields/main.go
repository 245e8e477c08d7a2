// Command benchfields measures what sohoa reads off pages no one tuned on:
// it draws new documents (internal/samples: administrative documents,
// diplomas, register pages; new names, numbers and layouts for every seed),
// degrades each as a school's scanner would (scripts/degrade.sh), reads
// them with sohoa's OCR and proposes their fields, and prints per variant:
// the strict CER (reading order counts) beside the line-order-free one; per
// field, the share of printed values proposed exactly (recall), of values
// proposed that are exact (precision), and the wrong values proposed as
// sure; register rows exact whole; and the time proposing adds to OCR.
//
// Run it with `make bench-fields`; -out writes the tables to a Markdown file.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sohoa"
	"sohoa/ingest/ocr"
	"sohoa/ingest/propose"
	"sohoa/internal/samples"
)

var verbose bool

type counts struct{ printed, proposed, exact, sureWrong int }

type variantResult struct {
	pages               int
	cer, strict         float64
	ocrSecs, proposeSec float64
	name                string
	fields              map[string]*counts
	rows, rowsExact     int
	rowSureWrong        int
}

func main() {
	n := flag.Int("n", 3, "documents of each kind to draw")
	seed := flag.Uint64("seed", 0, "the seed of the documents (default: the time, so that every run reads new ones)")
	out := flag.String("out", "", "also write the tables to this Markdown file")
	flag.BoolVar(&verbose, "v", false, "print every value not read as printed")
	kinds := flag.String("kinds", "van_ban,van_bang,so_goc", "the kinds of document to read (all are drawn, so that a seed draws the same ones)")
	keep := flag.String("keep", "", "draw the pages in this folder and keep them (default: a temporary one)")
	only := flag.String("variants", "clean,skew,200dpi,photocopy,150dpi,sideways,shadow", "the variants of degrade.sh to read")
	flag.Parse()
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		fmt.Fprintln(os.Stderr, "benchfields: run with OMP_THREAD_LIMIT=1 (make bench-fields does)")
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	work := *keep
	if work == "" {
		var err error
		work, err = os.MkdirTemp("", "benchfields-")
		check(err)
		defer os.RemoveAll(work)
	} else {
		check(os.MkdirAll(work, 0o755))
	}
	engine, err := ocr.New("vie")
	check(err)
	defer engine.Close()
	variants := strings.Split(*only, ",")
	files := map[string]string{"clean": ".png", "skew": "-skew.jpg", "200dpi": "-200dpi.png", "photocopy": "-photocopy.jpg",
		"sideways": "-sideways.png", "150dpi": "-150dpi.jpg", "tif": ".tif", "upside": "-upside.png", "shadow": "-shadow.jpg"}
	results := map[string]*variantResult{}
	for _, v := range variants {
		results[v] = &variantResult{name: v, fields: map[string]*counts{}}
	}
	rng := rand.New(rand.NewPCG(*seed, 5))
	for i := range *n {
		for _, kind := range []string{samples.KindVanBan, samples.KindVanBang, samples.KindSoGoc} {
			d := samples.Generate(rng, kind, fmt.Sprintf("d%d-%s", i+1, kind))
			if !slices.Contains(strings.Split(*kinds, ","), kind) {
				continue
			}
			img, gt := samples.PNG(d)
			clean := filepath.Join(work, d.ID+".png")
			check(os.WriteFile(clean, img, 0o644))
			dir := filepath.Join(work, d.ID)
			if o, err := exec.Command("scripts/degrade.sh", clean, dir).CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "degrade: %v\n%s", err, o)
				os.Exit(1)
			}
			for _, v := range variants {
				path := clean
				if v != "clean" {
					path = filepath.Join(dir, d.ID+files[v])
				}
				data, err := os.ReadFile(path)
				check(err)
				read(engine, d, gt, data, results[v])
			}
			fmt.Fprintf(os.Stderr, "%s done\n", d.ID)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Seed %d: %d documents of each kind (administrative, diploma, register page), each read in %d variants.\n\n", *seed, *n, len(variants))
	fmt.Fprintf(&b, "| variant | pages | CER | strict CER | fields exact (recall) | precision | wrong and sure | register rows exact | rows with a wrong sure cell | OCR s/page | + proposing |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, v := range variants {
		r := results[v]
		var all counts
		for _, c := range r.fields {
			all.printed += c.printed
			all.proposed += c.proposed
			all.exact += c.exact
			all.sureWrong += c.sureWrong
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f%% | %.2f%% | %s | %s | %d | %d/%d | %d | %.2f | +%.1f%% |\n", v, r.pages, 100*r.cer/float64(r.pages),
			100*r.strict/float64(r.pages), pct(all.exact, all.printed), pct(all.exact, all.proposed), all.sureWrong,
			r.rowsExact, r.rows, r.rowSureWrong, r.ocrSecs/float64(r.pages), 100*r.proposeSec/r.ocrSecs)
	}
	fmt.Fprintf(&b, "\nPer field, clean and photocopy (recall · precision · wrong and sure):\n\n| field | clean | photocopy |\n|---|---|---|\n")
	var names []string
	for name := range results[variants[0]].fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "| %s |", name)
		for _, v := range []string{"clean", "photocopy"} {
			if r, ok := results[v]; ok && r.fields[name] != nil {
				c := r.fields[name]
				fmt.Fprintf(&b, " %s · %s · %d |", pct(c.exact, c.printed), pct(c.exact, c.proposed), c.sureWrong)
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	os.Stdout.Write(b.Bytes())
	if *out != "" {
		check(os.WriteFile(*out, b.Bytes(), 0o644))
	}
}

// read reads one page of d and counts what came of it.
func read(e *ocr.Engine, d samples.Doc, gt string, img []byte, r *variantResult) {
	t0 := time.Now()
	pt, err := e.Recognize(img)
	check(err)
	t1 := time.Now()
	pt.Entries = propose.PageEntries("", 1, pt, e.CellReader(img))
	res := propose.Propose("", []*sohoa.PageText{pt})
	r.ocrSecs += t1.Sub(t0).Seconds()
	r.proposeSec += time.Since(t1).Seconds()
	r.pages++
	r.cer += ocr.CER(pt.Text, gt)
	r.strict += ocr.StrictCER(pt.Text, gt)
	count := func(name, want string, p sohoa.Proposal, ok bool) {
		c := r.fields[name]
		if c == nil {
			c = &counts{}
			r.fields[name] = c
		}
		c.printed++
		if !ok {
			if verbose {
				fmt.Fprintf(os.Stderr, "%s %s %s: not proposed, printed %q\n", r.name, d.ID, name, want)
			}
			return
		}
		c.proposed++
		got := fmt.Sprint(p.Value)
		if list, isList := p.Value.([]string); isList {
			got = strings.Join(list, "\n")
		}
		if got == want {
			c.exact++
			return
		}
		if !p.Doubtful {
			c.sureWrong++
		}
		if verbose {
			fmt.Fprintf(os.Stderr, "%s %s %s: %q (doubtful %v, confidence %.0f), printed %q\n", r.name, d.ID, name, got, p.Doubtful, p.Confidence, want)
		}
	}
	typ := sohoa.Proposal{}
	if res.Type != nil {
		typ = *res.Type
	}
	count("(type)", d.Type, typ, res.Type != nil)
	for name, want := range d.Fields {
		p, ok := res.Fields[name]
		count(name, want, p, ok)
	}
	for i, row := range d.Rows {
		r.rows++
		whole, wrong := i < len(res.Entries), false
		for name, want := range row {
			var p sohoa.Proposal
			ok := false
			if i < len(res.Entries) {
				p, ok = res.Entries[i].Fields[name]
			}
			count("row."+name, want, p, ok)
			if !ok || fmt.Sprint(p.Value) != want {
				whole = false
				wrong = wrong || ok && !p.Doubtful
			}
		}
		if whole {
			r.rowsExact++
		}
		if wrong {
			r.rowSureWrong++
		}
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfields:", err)
		os.Exit(1)
	}
}
