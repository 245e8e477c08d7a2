package web

import (
	"strings"

	"sohoa"
	"sohoa/vntext"
)

// line is one line of a page's OCR text, word by word, as the viewer shows
// it: each word with its box on the image, doubtful ones and those a
// search asked for marked.
type line struct{ Words []word }

type word struct {
	Text           string
	X0, Y0, X1, Y1 int
	Low, Mark      bool
}

// lowConfidence is under what a word is shown as doubtful.
const lowConfidence = 70

// lines groups a page's words by Tesseract's block, paragraph and line.
func lines(pt *sohoa.PageText, marks []string) []line {
	if pt == nil {
		return nil
	}
	want := map[string]bool{}
	for _, m := range marks {
		want[vntext.Fold(m)] = true
	}
	var out []line
	var key [3]int
	for i, w := range pt.Words {
		k := [3]int{w.Block, w.Par, w.Line}
		if i == 0 || k != key {
			out = append(out, line{})
			key = k
		}
		folded := vntext.Fold(strings.Trim(w.Text, ".,;:()\"'“”"))
		out[len(out)-1].Words = append(out[len(out)-1].Words, word{Text: w.Text, X0: w.X0, Y0: w.Y0, X1: w.X1, Y1: w.Y1,
			Low: w.Confidence < lowConfidence, Mark: want[folded]})
	}
	return out
}
