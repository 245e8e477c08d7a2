package ingest

import (
	"archive/zip"
	"io"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"

	"sohoa"
	"sohoa/ingest/scan"
)

// Limits on a ZIP of scans.
const (
	// MaxZipRatio is the most an entry may expand over its compressed
	// size: scans are compressed already, a zip bomb expands a thousandfold.
	MaxZipRatio = 100
	// MaxZipBytes bounds what a ZIP may expand to in all.
	MaxZipBytes = 4 << 30
)

// IsZip reports whether a spooled file is a ZIP archive.
func (f *File) IsZip() bool { return f.ContentType == scan.ZIP }

// ExpandZip spools every scan in a ZIP upload as its own file, in natural
// order of their names (trang2 before trang10). Paths that climb out (../,
// absolute), entries that expand like a zip bomb and files that are not
// scans are refused with what is wrong; nothing is extracted to a path
// named in the archive.
func (s *Service) ExpandZip(f *File) (files []*File, err error) {
	defer func() {
		if err != nil {
			for _, x := range files {
				x.Remove()
			}
			files = nil
		}
	}()
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	zr, err := zip.NewReader(fh, f.Size)
	if err != nil {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Tệp ZIP %q bị hỏng: %v.", f.Name, err)
	}
	var entries []*zip.File
	var total uint64
	for _, e := range zr.File {
		name := e.Name
		if strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || path.IsAbs(name) ||
			strings.Contains("/"+name+"/", "/../") {
			return nil, sohoa.Errorf(sohoa.EINVALID, "Tệp ZIP %q chứa đường dẫn không an toàn %q.", f.Name, name)
		}
		if e.FileInfo().IsDir() || slices.ContainsFunc(strings.Split(name, "/"), sohoa.Clutter) {
			continue
		}
		if e.CompressedSize64 > 0 && e.UncompressedSize64/e.CompressedSize64 > MaxZipRatio {
			return nil, sohoa.Errorf(sohoa.ETOOLARGE, "Tệp %q trong ZIP giãn nở %d lần khi giải nén: nghi là zip bomb, không nhận.",
				name, e.UncompressedSize64/e.CompressedSize64)
		}
		total += e.UncompressedSize64
		if total > MaxZipBytes {
			return nil, sohoa.Errorf(sohoa.ETOOLARGE, "Tệp ZIP %q giải nén ra quá %d GiB.", f.Name, MaxZipBytes>>30)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, sohoa.Errorf(sohoa.EINVALID, "Tệp ZIP %q không chứa tệp quét nào.", f.Name)
	}
	if len(entries) > s.cfg.MaxPages {
		return nil, sohoa.Errorf(sohoa.ETOOLARGE, "Tệp ZIP %q có %d tệp, vượt giới hạn %d.", f.Name, len(entries), s.cfg.MaxPages)
	}
	sort.SliceStable(entries, func(i, j int) bool { return naturalLess(entries[i].Name, entries[j].Name) })
	for _, e := range entries {
		rc, err := e.Open()
		if err != nil {
			return files, sohoa.Errorf(sohoa.EINVALID, "Không đọc được %q trong ZIP: %v.", e.Name, err)
		}
		// The declared size may lie: read no more than it, and check.
		lr := &io.LimitedReader{R: rc, N: int64(e.UncompressedSize64) + 1}
		x, err := s.Spool(lr, e.Name)
		rc.Close()
		if err == nil && lr.N == 0 {
			x.Remove()
			err = sohoa.Errorf(sohoa.ETOOLARGE, "Tệp %q trong ZIP lớn hơn kích thước khai báo.", e.Name)
		}
		if err == nil && x.IsZip() {
			x.Remove()
			err = sohoa.Errorf(sohoa.EUNSUPPORTED, "Tệp ZIP lồng trong ZIP (%q) không được nhận.", e.Name)
		}
		if err != nil {
			return files, err
		}
		files = append(files, x)
	}
	return files, nil
}

// naturalLess orders names as people number them: trang2 before trang10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		if unicode.IsDigit(rune(a[0])) && unicode.IsDigit(rune(b[0])) {
			i, j := digits(a), digits(b)
			na, nb := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
