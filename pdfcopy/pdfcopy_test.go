package pdfcopy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sohoa"
	"sohoa/sign"
)

func testSigner(t *testing.T) *sign.Signer {
	c, k, _, err := sign.DevPair(t.TempDir(), "Sở Giáo dục và Đào tạo")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.Load(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSignedCopy builds a copy of two pages (a PNG and a JPEG) and checks
// it as a reader would: pdftotext returns the OCR text and the mark,
// pdfsig says the signature is valid, pdfimages finds the images at their
// own size, and one changed byte breaks the signature.
func TestSignedCopy(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfsig", "pdfimages"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (poppler-utils)", tool)
		}
	}
	png, _ := os.ReadFile("../testdata/pages/d3-bang-tuan.png")
	jpg, _ := os.ReadFile("../testdata/page-150dpi.jpg")
	words := []sohoa.Word{{Text: "Lê", X0: 700, Y0: 1000, X1: 800, Y1: 1060}, {Text: "Quang", X0: 820, Y0: 1000, X1: 1000, Y1: 1060}, {Text: "Tuấn", X0: 1020, Y0: 1000, X1: 1160, Y1: 1060}}
	pages := []Page{
		{Image: png, ContentType: "image/png", Width: 2480, Height: 3508, Words: words},
		{Image: jpg, ContentType: "image/jpeg", Width: 1240, Height: 1754, DPI: 150, Words: []sohoa.Word{{Text: "Đỗ", X0: 100, Y0: 100, X1: 150, Y1: 130}}},
	}
	s := testSigner(t)
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600))
	pdf, err := Build(pages, Mark{Body: "Sở Giáo dục và Đào tạo", At: at, Code: "K7Q2-M9XD", VerifyURL: "http://127.0.0.1:8080/verify/K7Q2-M9XD"},
		Signature{Name: "Sở Giáo dục và Đào tạo", Reason: "Bản sao điện tử", Location: "Hải Dương", At: at, Sign: s.CMS})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("SOHOA_KEEP_PDF"); d != "" {
		dir = d // to look at it
	}
	path := filepath.Join(dir, "copy.pdf")
	os.WriteFile(path, pdf, 0o644)
	text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Lê", "Quang", "Tuấn", "Đỗ", "K7Q2-M9XD", "Sở", "chuyển", "đổi"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid") || !strings.Contains(string(out), "Total document signed") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	imgs, _ := exec.Command("pdfimages", "-list", path).Output()
	if !strings.Contains(string(imgs), "2480  3508") || !strings.Contains(string(imgs), "1240  1754") {
		t.Errorf("page images not at their scanned size:\n%s", imgs)
	}
	if cert, err := Verify(pdf, s.Certificate()); err != nil || cert.Subject.CommonName == "" {
		t.Fatalf("Verify: %v", err)
	}
	bad := bytes.Clone(pdf)
	i := bytes.Index(bad, []byte("/Producer"))
	bad[i+1] = 'p'
	path = filepath.Join(dir, "changed.pdf")
	os.WriteFile(path, bad, 0o644)
	out, _ = exec.Command("pdfsig", path).CombinedOutput()
	if strings.Contains(string(out), "Signature is Valid") {
		t.Fatalf("pdfsig accepts a changed byte:\n%s", out)
	}
	if _, err := Verify(bad, s.Certificate()); err == nil {
		t.Fatal("Verify accepts a changed byte")
	}
	if _, err := Verify(append(bytes.Clone(pdf), []byte("% appended\n")...), s.Certificate()); err == nil {
		t.Fatal("Verify accepts bytes appended after the signature")
	}
}

// TestSidewaysPageShowsUpright: a page scanned sideways keeps its image
// and is displayed turned, the mark on top right of the page as shown.
func TestSidewaysPageShowsUpright(t *testing.T) {
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("poppler-utils not installed")
	}
	png, _ := os.ReadFile("../testdata/pages/d3-bang-tuan.png")
	s := testSigner(t)
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	// The sideways image is 3508×2480; shown upright after a 270° turn.
	pdf, err := Build([]Page{{Image: png, ContentType: "image/png", Width: 2480, Height: 3508, Rotation: 90,
		Words: []sohoa.Word{{Text: "Tuấn", X0: 100, Y0: 100, X1: 140, Y1: 240}}}},
		Mark{Body: "Sở GD&ĐT", At: at, Code: "AAAA-BBBB", VerifyURL: "http://127.0.0.1/verify/AAAA-BBBB"},
		Signature{Name: "x", At: at, Sign: s.CMS})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("SOHOA_KEEP_PDF"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "rotated.pdf")
	os.WriteFile(path, pdf, 0o644)
	info, _ := exec.Command("pdfinfo", path).Output()
	if !strings.Contains(strings.Join(strings.Fields(string(info)), " "), "Page rot: 90") {
		t.Fatalf("pdfinfo:\n%s", info)
	}
	text, _ := exec.Command("pdftotext", path, "-").Output()
	if !strings.Contains(string(text), "AAAA-BBBB") {
		t.Fatalf("the mark's text is lost on a turned page:\n%s", text)
	}
	if _, err := Verify(pdf, s.Certificate()); err != nil {
		t.Fatal(err)
	}
}
