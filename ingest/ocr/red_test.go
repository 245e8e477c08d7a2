package ocr

import (
	"os"
	"strings"
	"testing"
)

// TestRedSeal: the signer's name under a red seal is read. The crop is the
// lower half of the notice with a red seal drawn over "Vũ Đình Khang".
func TestRedSeal(t *testing.T) {
	e, err := New("vie")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	img, _ := os.ReadFile("../../testdata/redseal-crop.jpg")
	pt, err := e.Recognize(img)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pt.Text, "Vũ") || !strings.Contains(pt.Text, "Khang") {
		t.Fatalf("the name under the seal is lost:\n%s", pt.Text)
	}
}
