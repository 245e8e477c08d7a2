// Package samples draws Vietnamese documents as a school's scanner would
// see them, laid out as Decree 30/2020 prescribes, at 300 dpi, with the
// text and the fields printed on them as ground truth: the OCR, layout and
// field tests and benchmarks read pages no one tuned on.
//
// Render is the renderer of the project's sample scans (its shared tools,
// copied so that the project stands alone); Generate makes new documents
// to render, with new names, numbers and layouts for every seed. Fonts:
// Debian's fonts-liberation2 (scripts/deps.sh installs it).
package samples

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

const (
	dpi    = 300
	pageW  = 2480 // A4 at 300 dpi
	pageH  = 3508
	left   = 355 // 30 mm
	right  = 2480 - 200
	top    = 260
	bottom = 3508 - 260
)

// Block is one paragraph or line of a page.
type Block struct {
	Col   string   `json:"col"`  // "L" left header column, "R" right header column, "" body, "C" centred, "SIG" signature column
	Size  float64  `json:"size"` // points
	Bold  bool     `json:"bold"`
	Ital  bool     `json:"ital"`
	Text  string   `json:"text"`
	Gap   float64  `json:"gap"`   // extra points before
	Sync  bool     `json:"sync"`  // start this block at the lower of the two column cursors
	Stamp bool     `json:"stamp"` // draw a red seal over this block
	Cells []string `json:"cells"` // a table row: one string per column, at the x positions in Cols
	Cols  []int    `json:"cols"`  // left edge of each cell, in pixels from the left margin
}

var (
	facesMu sync.Mutex
	faces   = map[string]*opentype.Font{}
)

func loadFont(name string) *opentype.Font {
	facesMu.Lock()
	defer facesMu.Unlock()
	if f, ok := faces[name]; ok {
		return f
	}
	b, err := os.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("samples: %v (Debian's fonts-liberation2 has the fonts)", err))
	}
	f, err := opentype.Parse(b)
	if err != nil {
		panic(err)
	}
	faces[name] = f
	return f
}

func face(b Block) font.Face {
	dir := "/usr/share/fonts/truetype/liberation2/"
	name := "LiberationSerif-Regular.ttf"
	switch {
	case b.Bold && b.Ital:
		name = "LiberationSerif-BoldItalic.ttf"
	case b.Bold:
		name = "LiberationSerif-Bold.ttf"
	case b.Ital:
		name = "LiberationSerif-Italic.ttf"
	}
	f, err := opentype.NewFace(loadFont(dir+name), &opentype.FaceOptions{Size: b.Size, DPI: dpi, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	return f
}

func pt(p float64) int { return int(p * dpi / 72) }

// wrap splits text into lines no wider than w pixels.
func wrap(f font.Face, text string, w int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		cur := ""
		for _, wd := range words {
			try := wd
			if cur != "" {
				try = cur + " " + wd
			}
			if font.MeasureString(f, try).Ceil() > w && cur != "" {
				lines = append(lines, cur)
				cur = wd
			} else {
				cur = try
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// Render draws one page of blocks at 300 dpi and returns it with its text
// in reading order, a line per printed line.
func Render(blocks []Block) (*image.Gray, string) {
	img := image.NewGray(image.Rect(0, 0, pageW, pageH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
	var text []string
	mid := (left + right) / 2
	yL, yR, yB := top, top, top
	colX := map[string][2]int{"L": {left - 150, left + 850}, "R": {left + 850, right + 60}, "SIG": {mid + 100, right}}
	for _, b := range blocks {
		f := face(b)
		lh := pt(b.Size * 1.35)
		if len(b.Cells) > 0 {
			m := yL
			for _, v := range []int{yR, yB} {
				if v > m {
					m = v
				}
			}
			m += pt(b.Gap) + lh
			for i, c := range b.Cells {
				d := &font.Drawer{Dst: rgba, Src: image.Black, Face: f, Dot: fixed.P(left-150+b.Cols[i], m)}
				d.DrawString(c)
			}
			// a ruled line under the row, as registers have
			for x := left - 160; x < right+60; x++ {
				for t := 0; t < 3; t++ {
					rgba.Set(x, m+pt(b.Size*0.4)+t, image.Black)
				}
			}
			text = append(text, strings.Join(b.Cells, " "))
			yL, yR, yB = m, m, m
			continue
		}
		var x0, x1 int
		var y *int
		switch b.Col {
		case "NL":
			x0, x1 = left, left+1000
			y = &yL
		case "L", "R", "SIG":
			x0, x1 = colX[b.Col][0], colX[b.Col][1]
			if b.Col == "L" {
				y = &yL
			} else {
				y = &yR
			}
			if b.Col == "SIG" {
				y = &yR
			}
		default:
			x0, x1 = left, right
			y = &yB
		}
		if b.Sync {
			m := yL
			if yR > m {
				m = yR
			}
			if yB > m {
				m = yB
			}
			yL, yR, yB = m, m, m
		}
		*y += pt(b.Gap)
		startY := *y
		centred := b.Col == "L" || b.Col == "R" || b.Col == "SIG" || b.Col == "C"
		for _, ln := range wrap(f, b.Text, x1-x0) {
			w := font.MeasureString(f, ln).Ceil()
			x := x0
			if centred {
				x = x0 + (x1-x0-w)/2
			}
			*y += lh
			d := &font.Drawer{Dst: rgba, Src: image.Black, Face: f, Dot: fixed.P(x, *y)}
			d.DrawString(ln)
			text = append(text, ln)
		}
		if b.Stamp {
			seal(rgba, (x0+x1)/2-220, (startY+*y)/2+60, 210)
		}
		if b.Col == "" || b.Col == "C" {
			if yB > yL {
				yL = yB
			}
			if yB > yR {
				yR = yB
			}
		}
	}
	out := image.NewGray(rgba.Bounds())
	draw.Draw(out, out.Bounds(), rgba, image.Point{}, draw.Src)
	return out, strings.Join(text, "\n") + "\n"
}

// seal draws a red ring, the way a round office seal lies across a signature.
func seal(img *image.RGBA, cx, cy, r int) {
	red := color.RGBA{200, 30, 40, 255}
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			d := math.Hypot(float64(x-cx), float64(y-cy))
			if (d < float64(r) && d > float64(r)-14) || (d < float64(r)-40 && d > float64(r)-48) {
				c := img.RGBAAt(x, y)
				// multiply, like ink over ink
				img.SetRGBA(x, y, color.RGBA{uint8(int(c.R) * int(red.R) / 255), uint8(int(c.G) * int(red.G) / 255), uint8(int(c.B) * int(red.B) / 255), 255})
			}
		}
	}
}

// PNG draws d's page as a scanner's PNG file, with its text.
func PNG(d Doc) ([]byte, string) {
	img, text := Render(d.Blocks)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding into memory does not fail
	}
	return b.Bytes(), text
}
