package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"sohoa"
	"sohoa/ingest/scan"
	"sohoa/vntext"
)

// File is an uploaded file spooled to disk, checked and hashed.
type File struct {
	Name        string
	path        string
	SHA256      string
	Size        int64
	ContentType string
	Frames      []scan.Frame
	// PDF describes a PDF upload's pages.
	PDF *scan.PDFInfo
	// unreadable says why the file's headers could not be read: the
	// document is accepted, then fails with this reason.
	unreadable string
}

// Remove deletes the spooled copy.
func (f *File) Remove() { os.Remove(f.path) }

// Spool copies one uploaded file to disk while hashing it, tells its format
// by its bytes and reads its pages' sizes from the headers. A file of no
// accepted format is EUNSUPPORTED, an empty one EINVALID, a page larger than
// MaxPixels ETOOLARGE: all before a pixel is decoded. On error nothing is
// left on disk.
func (s *Service) Spool(r io.Reader, name string) (_ *File, err error) {
	tmp, err := os.CreateTemp(s.cfg.TempDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	f := &File{Name: cleanName(name), path: tmp.Name()}
	defer func() {
		tmp.Close()
		if err != nil {
			os.Remove(f.path)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return nil, err // the caller knows whether the request was too large
	}
	if n == 0 {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Tệp %q rỗng (0 byte).", f.Name)
	}
	f.Size, f.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	head := make([]byte, 16)
	hn, _ := tmp.ReadAt(head, 0)
	f.ContentType = scan.Sniff(head[:hn])
	if f.ContentType == "" {
		return nil, sohoa.Errorf(sohoa.EUNSUPPORTED,
			"Tệp %q không phải ảnh quét PNG, JPEG, TIFF, tệp PDF hoặc ZIP các tệp đó (nội dung tệp được kiểm tra, không dựa vào tên tệp).", f.Name)
	}
	if f.ContentType == scan.ZIP {
		return f, nil // opened by ExpandZip
	}
	if err := s.inspect(f, tmp); err != nil {
		return nil, err
	}
	return f, nil
}

// inspect reads the pages' sizes from a spooled file's headers.
func (s *Service) inspect(f *File, tmp *os.File) error {
	var err error
	if f.ContentType == scan.PDF {
		if f.PDF, err = scan.InspectPDF(context.Background(), f.path); err == nil {
			f.Frames = f.PDF.Frames()
		}
	} else {
		f.Frames, err = scan.Inspect(tmp, f.Size, f.ContentType)
	}
	if err != nil {
		// Damaged headers: the document is accepted and fails with the reason,
		// without its pages ever reaching the decoder.
		s.log.Warn("upload with unreadable headers", "content_type", f.ContentType, "err", err)
		f.unreadable = scan.CorruptReason(err)
		if f.unreadable == "" {
			f.unreadable = "không đọc được tệp"
		}
		f.Frames, f.PDF = []scan.Frame{{}}, nil
	}
	for i, fr := range f.Frames {
		if fr.Pixels() > s.cfg.MaxPixels {
			return sohoa.Errorf(sohoa.ETOOLARGE,
				"Ảnh %q (trang %d) khai báo kích thước %d×%d điểm ảnh (%.0f megapixel), vượt giới hạn %.0f megapixel.",
				f.Name, i+1, fr.Width, fr.Height, float64(fr.Pixels())/1e6, float64(s.cfg.MaxPixels)/1e6)
		}
	}
	return nil
}

func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, vntext.Normalize(name))
	if len(name) > 255 {
		name = name[:255]
	}
	return name
}

// MinDPI is the least resolution of a digitized copy (Decree 30, Appendix I).
const MinDPI = 200

// dpiWarnings tells the clerk when a page is under MinDPI: as its file
// declares, or, when the file declares none, as an A4 page of its size.
func dpiWarnings(f scan.Frame) []string {
	dpi, estimated := f.PageDPI()
	if dpi <= 0 || dpi >= MinDPI {
		return nil
	}
	const rest = "thấp hơn mức tối thiểu %d dpi của bản số hóa; nên quét lại. Trang vẫn được nhận dạng (đã phóng to trước khi nhận dạng)."
	if estimated {
		return []string{fmt.Sprintf("Tệp không ghi độ phân giải; theo khổ A4, trang khoảng %d dpi, "+rest, dpi, MinDPI)}
	}
	return []string{fmt.Sprintf("Độ phân giải %d dpi "+rest, dpi, MinDPI)}
}
