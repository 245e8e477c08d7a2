package scan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Content types of the formats sohoa accepts.
const (
	PNG  = "image/png"
	JPEG = "image/jpeg"
	TIFF = "image/tiff"
)

// ZIP is the content type of an archive of scans; it is opened into its
// files at upload (see ingest.ExpandZip).
const ZIP = "application/zip"

// MaxFrames is the most pages one TIFF file may hold.
const MaxFrames = 2000

// Sniff returns the content type the first bytes of a file announce, or ""
// when they announce none that sohoa reads.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return ZIP
	}
	return ""
}

// Frame is one page image of a file: its size in pixels, its declared
// resolution (0 when none) and, for TIFF, where its directory starts.
type Frame struct {
	Width, Height int
	DPI           int
	ifd           int64
}

// PageDPI is the resolution a page is taken at: the one its file declares
// when credible (100 to 1200), else, for an image of A4's proportions, that
// of an A4 page of its size (estimated true), else 0. A PNG without pHYs
// declares none, and phones and some scanners write 72.
func (f Frame) PageDPI() (dpi int, estimated bool) {
	if f.DPI >= 100 && f.DPI <= 1200 {
		return f.DPI, false
	}
	short, long := min(f.Width, f.Height), max(f.Width, f.Height)
	if short == 0 {
		return 0, false
	}
	if r := float64(long) / float64(short); r > 1.38 && r < 1.45 { // A4: 297/210 = 1.414
		if d := int(float64(long)/11.69 + 0.5); d >= 100 && d <= 1200 {
			return d, true
		}
	}
	return 0, false
}

// Pixels is the frame's area.
func (f Frame) Pixels() int64 { return int64(f.Width) * int64(f.Height) }

// ErrCorrupt is what every error about a damaged or truncated file is
// (errors.Is); a *CorruptError says why.
var ErrCorrupt = errors.New("corrupt image")

// CorruptError is a damaged or truncated file; Reason is for the clerk.
type CorruptError struct{ Reason string }

func (e *CorruptError) Error() string        { return "corrupt image: " + e.Reason }
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

func corrupt(format string, args ...any) error {
	return &CorruptError{Reason: fmt.Sprintf(format, args...)}
}

// CorruptReason returns why err says a file is damaged, or "".
func CorruptReason(err error) string {
	var ce *CorruptError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// Inspect reads the frames of a file of content type ct from its headers.
func Inspect(r io.ReaderAt, size int64, ct string) ([]Frame, error) {
	switch ct {
	case PNG:
		f, err := inspectPNG(r, size)
		return []Frame{f}, err
	case JPEG:
		f, err := inspectJPEG(r, size)
		return []Frame{f}, err
	case TIFF:
		t, err := readTIFF(r, size)
		if err != nil {
			return nil, err
		}
		return t.frames, nil
	}
	return nil, fmt.Errorf("inspect: unknown content type %q", ct)
}

func inspectPNG(r io.ReaderAt, size int64) (Frame, error) {
	var f Frame
	hdr := make([]byte, 8+8+13)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return f, corrupt("PNG header: %v", err)
	}
	if string(hdr[12:16]) != "IHDR" {
		return f, corrupt("PNG without IHDR")
	}
	f.Width = int(binary.BigEndian.Uint32(hdr[16:]))
	f.Height = int(binary.BigEndian.Uint32(hdr[20:]))
	// pHYs comes before the first IDAT.
	off := int64(8)
	var ch [8]byte
	for off+8 <= size {
		if _, err := r.ReadAt(ch[:], off); err != nil {
			break
		}
		n := int64(binary.BigEndian.Uint32(ch[:4]))
		typ := string(ch[4:8])
		if typ == "IDAT" || typ == "IEND" {
			break
		}
		if typ == "pHYs" && n == 9 {
			var p [9]byte
			if _, err := r.ReadAt(p[:], off+8); err == nil && p[8] == 1 {
				f.DPI = dpi(float64(binary.BigEndian.Uint32(p[:4])) * 0.0254)
			}
		}
		off += 12 + n
	}
	return f, nil
}

func dpi(v float64) int { return int(v + 0.5) }

func inspectJPEG(r io.ReaderAt, size int64) (Frame, error) {
	var f Frame
	off := int64(2)
	var m [4]byte
	for off+4 <= size {
		if _, err := r.ReadAt(m[:], off); err != nil {
			return f, corrupt("JPEG marker: %v", err)
		}
		if m[0] != 0xFF {
			return f, corrupt("JPEG marker expected at %d", off)
		}
		marker := m[1]
		if marker == 0xFF { // fill byte
			off++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			off += 2
			continue
		}
		n := int64(binary.BigEndian.Uint16(m[2:]))
		if n < 2 {
			return f, corrupt("JPEG segment length %d", n)
		}
		seg := make([]byte, min(n-2, 64))
		if _, err := r.ReadAt(seg, off+4); err != nil {
			return f, corrupt("JPEG segment: %v", err)
		}
		switch {
		case marker == 0xE0 && len(seg) >= 12 && string(seg[:5]) == "JFIF\x00":
			xd := float64(binary.BigEndian.Uint16(seg[8:]))
			switch seg[7] {
			case 1:
				f.DPI = dpi(xd)
			case 2:
				f.DPI = dpi(xd * 2.54)
			}
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			if len(seg) < 5 {
				return f, corrupt("JPEG frame header too short")
			}
			f.Height = int(binary.BigEndian.Uint16(seg[1:]))
			f.Width = int(binary.BigEndian.Uint16(seg[3:]))
			return f, nil
		case marker == 0xDA:
			return f, corrupt("JPEG scan before frame header")
		}
		off += 2 + n
	}
	return f, corrupt("JPEG without frame header")
}

// Check verifies the structure of a whole file of content type ct: every
// PNG chunk's CRC and the final IEND, the JPEG end-of-image marker, every
// TIFF strip inside the file. It decodes no pixels.
func Check(data []byte, ct string) error {
	switch ct {
	case PNG:
		return checkPNG(data)
	case JPEG:
		return checkJPEG(data)
	case TIFF:
		t, err := readTIFF(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return err
		}
		for i := range t.frames {
			if _, err := t.strips(i); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("check: unknown content type %q", ct)
}

func checkPNG(data []byte) error {
	off := 8
	for {
		if off+12 > len(data) {
			return corrupt("PNG truncated at byte %d of %d (no IEND)", off, len(data))
		}
		n := int(binary.BigEndian.Uint32(data[off:]))
		if n < 0 || off+12+n > len(data) {
			return corrupt("PNG truncated: chunk of %d bytes at %d runs past the end (%d bytes)", n, off, len(data))
		}
		body := data[off+4 : off+8+n]
		if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(data[off+8+n:]) {
			return corrupt("PNG chunk %q at byte %d fails its CRC", body[:4], off)
		}
		if string(body[:4]) == "IEND" {
			return nil
		}
		off += 12 + n
	}
}

func checkJPEG(data []byte) error {
	end := bytes.TrimRight(data, "\x00\r\n ")
	if !bytes.HasSuffix(end, []byte{0xFF, 0xD9}) {
		return corrupt("JPEG truncated: no end-of-image marker")
	}
	return nil
}
