package scan

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// TIFF tags used here.
const (
	tagWidth           = 256
	tagHeight          = 257
	tagCompression     = 259
	tagStripOffsets    = 273
	tagStripByteCounts = 279
	tagXResolution     = 282
	tagResolutionUnit  = 296
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
	tagSubIFDs         = 330
	tagExifIFD         = 34665
	tagGPSIFD          = 34853
	tagInteropIFD      = 40965
)

var typeSize = map[uint16]int64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

type tiffEntry struct {
	tag, typ uint16
	count    uint32
	raw      [4]byte // the value, or its offset when it does not fit
}

func (e tiffEntry) size() int64 { return typeSize[e.typ] * int64(e.count) }

type tiffFile struct {
	r      io.ReaderAt
	size   int64
	bo     binary.ByteOrder
	frames []Frame
	ifds   [][]tiffEntry
}

func readTIFF(r io.ReaderAt, size int64) (*tiffFile, error) {
	var hdr [8]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, corrupt("TIFF header: %v", err)
	}
	t := &tiffFile{r: r, size: size, bo: binary.LittleEndian}
	if hdr[0] == 'M' {
		t.bo = binary.BigEndian
	}
	if t.bo.Uint16(hdr[2:]) != 42 {
		return nil, corrupt("not a classic TIFF (BigTIFF is not supported)")
	}
	off := int64(t.bo.Uint32(hdr[4:]))
	seen := map[int64]bool{}
	for off != 0 {
		if seen[off] || len(t.frames) >= MaxFrames {
			return nil, corrupt("TIFF with a directory loop or more than %d pages", MaxFrames)
		}
		seen[off] = true
		entries, next, err := t.readIFD(off)
		if err != nil {
			return nil, err
		}
		f := Frame{ifd: off}
		var xres float64
		unit := uint32(2)
		for _, e := range entries {
			switch e.tag {
			case tagWidth:
				f.Width = int(t.scalar(e))
			case tagHeight:
				f.Height = int(t.scalar(e))
			case tagResolutionUnit:
				unit = t.scalar(e)
			case tagXResolution:
				if e.typ == 5 && e.count == 1 {
					var v [8]byte
					if _, err := r.ReadAt(v[:], int64(t.bo.Uint32(e.raw[:]))); err == nil && t.bo.Uint32(v[4:]) != 0 {
						xres = float64(t.bo.Uint32(v[:])) / float64(t.bo.Uint32(v[4:]))
					}
				}
			}
		}
		switch unit {
		case 2:
			f.DPI = dpi(xres)
		case 3:
			f.DPI = dpi(xres * 2.54)
		}
		if f.Width == 0 || f.Height == 0 {
			return nil, corrupt("TIFF page %d without a size", len(t.frames)+1)
		}
		t.frames = append(t.frames, f)
		t.ifds = append(t.ifds, entries)
		off = next
	}
	if len(t.frames) == 0 {
		return nil, corrupt("TIFF without pages")
	}
	return t, nil
}

func (t *tiffFile) readIFD(off int64) ([]tiffEntry, int64, error) {
	var nb [2]byte
	if _, err := t.r.ReadAt(nb[:], off); err != nil {
		return nil, 0, corrupt("TIFF directory at %d: %v", off, err)
	}
	n := int64(t.bo.Uint16(nb[:]))
	buf := make([]byte, n*12+4)
	if _, err := t.r.ReadAt(buf, off+2); err != nil {
		return nil, 0, corrupt("TIFF directory at %d: %v", off, err)
	}
	entries := make([]tiffEntry, 0, n)
	for i := int64(0); i < n; i++ {
		b := buf[i*12:]
		e := tiffEntry{tag: t.bo.Uint16(b), typ: t.bo.Uint16(b[2:]), count: t.bo.Uint32(b[4:])}
		copy(e.raw[:], b[8:12])
		if _, ok := typeSize[e.typ]; !ok {
			continue // unknown types are skipped, as readers must
		}
		entries = append(entries, e)
	}
	return entries, int64(t.bo.Uint32(buf[n*12:])), nil
}

// scalar returns the first value of a SHORT or LONG entry.
func (t *tiffFile) scalar(e tiffEntry) uint32 {
	if e.typ == 3 {
		return uint32(t.bo.Uint16(e.raw[:]))
	}
	return t.bo.Uint32(e.raw[:])
}

// values reads every value of a SHORT or LONG entry.
func (t *tiffFile) values(e tiffEntry) ([]uint32, error) {
	if e.typ != 3 && e.typ != 4 {
		return nil, corrupt("TIFF tag %d of type %d, want SHORT or LONG", e.tag, e.typ)
	}
	if e.count > 1<<20 {
		return nil, corrupt("TIFF tag %d with %d values", e.tag, e.count)
	}
	data, err := t.entryData(e)
	if err != nil {
		return nil, err
	}
	vs := make([]uint32, e.count)
	for i := range vs {
		if e.typ == 3 {
			vs[i] = uint32(t.bo.Uint16(data[i*2:]))
		} else {
			vs[i] = t.bo.Uint32(data[i*4:])
		}
	}
	return vs, nil
}

// entryData returns the bytes of an entry's values.
func (t *tiffFile) entryData(e tiffEntry) ([]byte, error) {
	n := e.size()
	if n <= 4 {
		return e.raw[:n], nil
	}
	off := int64(t.bo.Uint32(e.raw[:]))
	if n > 16<<20 || off+n > t.size {
		return nil, corrupt("TIFF tag %d runs past the end of the file", e.tag)
	}
	buf := make([]byte, n)
	if _, err := t.r.ReadAt(buf, off); err != nil {
		return nil, corrupt("TIFF tag %d: %v", e.tag, err)
	}
	return buf, nil
}

type strip struct{ off, n int64 }

// strips returns where page i's image data lies, checking it is in the file.
func (t *tiffFile) strips(i int) ([]strip, error) {
	var offs, counts []uint32
	var err error
	for _, e := range t.ifds[i] {
		switch e.tag {
		case tagStripOffsets, tagTileOffsets:
			offs, err = t.values(e)
		case tagStripByteCounts, tagTileByteCounts:
			counts, err = t.values(e)
		case tagCompression:
			if c := t.scalar(e); c == 6 {
				return nil, corrupt("TIFF page %d uses old-style JPEG compression", i+1)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if len(offs) == 0 || len(offs) != len(counts) {
		return nil, corrupt("TIFF page %d: %d strip offsets, %d byte counts", i+1, len(offs), len(counts))
	}
	ss := make([]strip, len(offs))
	for k := range offs {
		ss[k] = strip{int64(offs[k]), int64(counts[k])}
		if ss[k].off+ss[k].n > t.size {
			return nil, corrupt("TIFF truncated: page %d's data runs past the end of the file (%d bytes)", i+1, t.size)
		}
	}
	return ss, nil
}

// SplitTIFF cuts page i (from 0) out of a TIFF file as a single-page TIFF:
// the same directory and the same compressed image bytes, laid out anew.
func SplitTIFF(r io.ReaderAt, size int64, i int) ([]byte, error) {
	t, err := readTIFF(r, size)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(t.frames) {
		return nil, fmt.Errorf("split TIFF: page %d of %d", i+1, len(t.frames))
	}
	ss, err := t.strips(i)
	if err != nil {
		return nil, err
	}
	page, err := t.layOut(i, ss)
	if err != nil {
		return nil, err
	}
	return page.write(r, t.bo, ss, i)
}

// tiffPage is one page laid out as a TIFF of its own: header, directory,
// out-of-line values, image data.
type tiffPage struct {
	entries []tiffEntry
	extras  []tiffExtra
	size    int64
}

// tiffExtra is an out-of-line value and where it goes.
type tiffExtra struct {
	at   int64
	data []byte
}

// layOut places page i's directory entries, their values and its strips
// ss, and points the strip offsets at where the strips will be.
func (t *tiffFile) layOut(i int, ss []strip) (*tiffPage, error) {
	pg := &tiffPage{}
	for _, e := range t.ifds[i] {
		switch e.tag {
		case tagSubIFDs, tagExifIFD, tagGPSIFD, tagInteropIFD:
			continue // pointers into the old file we do not copy
		}
		pg.entries = append(pg.entries, e)
	}
	pos := 8 + int64(2+12*len(pg.entries)+4)
	offsetsIdx := -1
	for k := range pg.entries {
		e := &pg.entries[k]
		if e.tag == tagStripOffsets || e.tag == tagTileOffsets {
			e.typ = 4 // rewritten as LONG
			offsetsIdx = k
		}
		if e.size() <= 4 {
			continue
		}
		data, err := t.entryData(*e)
		if offsetsIdx == k {
			data, err = make([]byte, e.size()), nil
		}
		if err != nil {
			return nil, err
		}
		pos += pos & 1 // word alignment
		pg.extras = append(pg.extras, tiffExtra{pos, data})
		t.bo.PutUint32(e.raw[:], uint32(pos))
		pos += int64(len(data))
	}
	// The new offsets: the strips follow the values.
	newOffs := make([]byte, 4*len(ss))
	for k, s := range ss {
		t.bo.PutUint32(newOffs[k*4:], uint32(pos))
		pos += s.n
	}
	pg.size = pos
	if offsetsIdx >= 0 {
		e := &pg.entries[offsetsIdx]
		if len(ss) == 1 {
			copy(e.raw[:], newOffs)
		} else {
			for k := range pg.extras {
				if int64(t.bo.Uint32(e.raw[:])) == pg.extras[k].at {
					pg.extras[k].data = newOffs
				}
			}
		}
	}
	return pg, nil
}

// write writes the page, its strips read from r, page i of the file.
func (pg *tiffPage) write(r io.ReaderAt, bo binary.ByteOrder, ss []strip, i int) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(int(pg.size))
	if bo == binary.BigEndian {
		out.WriteString("MM\x00*")
	} else {
		out.WriteString("II*\x00")
	}
	binary.Write(&out, bo, uint32(8))
	binary.Write(&out, bo, uint16(len(pg.entries)))
	for _, e := range pg.entries {
		binary.Write(&out, bo, e.tag)
		binary.Write(&out, bo, e.typ)
		binary.Write(&out, bo, e.count)
		out.Write(e.raw[:])
	}
	binary.Write(&out, bo, uint32(0))
	for _, x := range pg.extras {
		for int64(out.Len()) < x.at {
			out.WriteByte(0)
		}
		out.Write(x.data)
	}
	for _, s := range ss {
		buf := make([]byte, s.n)
		if _, err := r.ReadAt(buf, s.off); err != nil {
			return nil, corrupt("TIFF page %d data: %v", i+1, err)
		}
		out.Write(buf)
	}
	return out.Bytes(), nil
}
