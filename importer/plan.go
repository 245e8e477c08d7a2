// Package importer sends a backlog of scans to a sohoa server through its
// API, from the clerk's machine: folders and ZIP files of scans become
// documents (one per file, or one per folder with its files as pages in
// natural name order), sent in parallel within what the server takes, and
// skipped when the server already holds them (by SHA-256), so that a run
// interrupted and started again loses and duplicates nothing.
package importer

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"sohoa"
)

// scanExts are the files the server reads as scans; a ZIP is opened here.
var scanExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".tif": true, ".tiff": true, ".pdf": true}

// File is one scan to send: on disk, or inside a ZIP.
type File struct {
	// Name is where it is, as the clerk would find it (a path, or
	// archive.zip/inner/path).
	Name string
	Size int64
	open func() (io.ReadCloser, error)
	sha  string
}

// Open reads the file.
func (f *File) Open() (io.ReadCloser, error) { return f.open() }

// SHA256 is the file's digest, read once.
func (f *File) SHA256() (string, error) {
	if f.sha != "" {
		return f.sha, nil
	}
	r, err := f.open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	f.sha = hex.EncodeToString(h.Sum(nil))
	return f.sha, nil
}

// Item is one document to make: its title and its files, pages in order.
type Item struct {
	Name  string // the file, or the folder, it comes from
	Title string
	Files []*File
}

// Bytes is the size of the item's files.
func (it *Item) Bytes() int64 {
	var n int64
	for _, f := range it.Files {
		n += f.Size
	}
	return n
}

// Plan lists the documents the paths hold (folders, ZIP files, scans):
// with perFolder, one per folder of scans, else one per scan. Other files
// are returned as ignored, hidden ones (.DS_Store, Thumbs.db) not at all.
// Close releases the ZIPs it opened.
type Plan struct {
	Items   []*Item
	Ignored []string
	zips    []*zip.ReadCloser
}

// Close closes the ZIP files the plan reads from.
func (p *Plan) Close() {
	for _, z := range p.zips {
		z.Close()
	}
}

// NewPlan walks the paths.
func NewPlan(paths []string, perFolder bool) (*Plan, error) {
	p := &Plan{}
	folders := map[string][]*File{}
	var order []string
	add := func(folder string, f *File) {
		if _, ok := folders[folder]; !ok {
			order = append(order, folder)
		}
		folders[folder] = append(folders[folder], f)
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			p.Close()
			return nil, err
		}
		if !info.IsDir() {
			if err := p.addFile(root, filepath.Dir(root), info.Size(), add); err != nil {
				p.Close()
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if sohoa.Clutter(d.Name()) && name != root {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			return p.addFile(name, filepath.Dir(name), info.Size(), add)
		})
		if err != nil {
			p.Close()
			return nil, err
		}
	}
	for _, folder := range order {
		files := folders[folder]
		slices.SortStableFunc(files, func(a, b *File) int { return naturalCompare(a.Name, b.Name) })
		if perFolder {
			p.Items = append(p.Items, &Item{Name: folder, Title: baseTitle(folder), Files: files})
			continue
		}
		for _, f := range files {
			p.Items = append(p.Items, &Item{Name: f.Name, Title: baseTitle(f.Name), Files: []*File{f}})
		}
	}
	return p, nil
}

// addFile adds a scan, or the scans of a ZIP (each ZIP a folder, and its
// folders within), or notes the file as ignored.
func (p *Plan) addFile(name, folder string, size int64, add func(string, *File)) error {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".zip" {
		z, err := zip.OpenReader(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		p.zips = append(p.zips, z)
		for _, zf := range z.File {
			inner := path.Clean(zf.Name)
			if zf.FileInfo().IsDir() || slices.ContainsFunc(strings.Split(inner, "/"), sohoa.Clutter) {
				continue
			}
			full := name + "/" + inner
			if !scanExts[strings.ToLower(path.Ext(inner))] {
				p.Ignored = append(p.Ignored, full)
				continue
			}
			zf := zf
			dir := name
			if d := path.Dir(inner); d != "." {
				dir = name + "/" + d
			}
			add(dir, &File{Name: full, Size: int64(zf.UncompressedSize64), open: func() (io.ReadCloser, error) { return zf.Open() }})
		}
		return nil
	}
	if !scanExts[ext] {
		p.Ignored = append(p.Ignored, name)
		return nil
	}
	add(folder, &File{Name: name, Size: size, open: func() (io.ReadCloser, error) { return os.Open(name) }})
	return nil
}

// baseTitle is a document's title from its file or folder name.
func baseTitle(name string) string {
	base := filepath.Base(strings.TrimSuffix(name, "/"))
	if ext := filepath.Ext(base); ext != "" && scanExts[strings.ToLower(ext)] {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// naturalCompare orders names as a person does: trang2 before trang10.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ra, rb := []rune(a), []rune(b)
		if unicode.IsDigit(ra[0]) && unicode.IsDigit(rb[0]) {
			da, db := leadingDigits(a), leadingDigits(b)
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		ca, cb := unicode.ToLower(ra[0]), unicode.ToLower(rb[0])
		if ca != cb {
			return int(ca) - int(cb)
		}
		a, b = string(ra[1:]), string(rb[1:])
	}
	return len(a) - len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
