package sohoa

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"

	"sohoa/vntext"
)

// Status is where a document is on its way from upload to search.
type Status string

const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusReady      Status = "ready"
	StatusFailed     Status = "failed"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusQueued, StatusProcessing, StatusReady, StatusFailed:
		return true
	}
	return false
}

// Document is what the catalog and the API show of one uploaded record.
type Document struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Type     string   `json:"type,omitempty"`
	UnitID   string   `json:"unit_id"`
	UnitPath string   `json:"-"`
	Metadata Metadata `json:"metadata"`
	// Proposed and ProposedType are the manifest's: read, not confirmed.
	Proposed     map[string]Proposal `json:"proposed,omitempty"`
	ProposedType *Proposal           `json:"proposed_type,omitempty"`
	Entries      []Entry             `json:"entries,omitempty"`
	Subject      *Subject            `json:"subject,omitempty"`
	Status       Status              `json:"status"`
	Error        string              `json:"error,omitempty"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	// ReadyAt is when it was first read whole (nil before).
	ReadyAt   *time.Time `json:"ready_at,omitempty"`
	CreatedBy string     `json:"created_by,omitempty"`
	// DuplicateOf names the record this one was knowingly stored beside.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	Pages       []Page `json:"pages"`
	// PagesRead says, while the document is queued or being read, how many
	// of its pages are read.
	PagesRead *int `json:"pages_read,omitempty"`
	// Revision is that of the manifest the document shows.
	Revision int `json:"-"`
}

// Masked returns a copy with dates of birth and CCCD numbers masked.
func (d *Document) Masked() *Document {
	c := *d
	c.Metadata = d.Metadata.Masked(d.Type)
	if len(d.Proposed) > 0 {
		typ := d.Type
		if typ == "" && d.ProposedType != nil {
			typ, _ = d.ProposedType.Value.(string)
		}
		c.Proposed = maskedProposals(typ, d.Proposed)
	}
	if len(d.Entries) > 0 {
		c.Entries = make([]Entry, len(d.Entries))
		for i := range d.Entries {
			c.Entries[i] = d.Entries[i].Masked()
		}
	}
	if d.Subject != nil {
		s := *d.Subject
		if s.ID != "" {
			s.ID = MaskCCCD(s.ID)
		}
		if s.BirthDate != "" {
			s.BirthDate = MaskPersonal(KindDate, s.BirthDate)
		}
		c.Subject = &s
	}
	return &c
}

// Page is one page image of a document, numbered from 1.
type Page struct {
	Number int `json:"number"`
	// SHA256 is the digest of the page's own image bytes: the uploaded file,
	// or for a page of a multi-page TIFF the single-page TIFF cut from it.
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	// DPI is the resolution the file declares; 0 when it declares none.
	DPI int `json:"dpi"`
	// OCRConfidence is the mean word confidence (0–100) once OCR has run.
	OCRConfidence *float64 `json:"ocr_confidence"`
	// Rotation is how far the page was turned clockwise to stand upright.
	Rotation int `json:"rotation,omitempty"`
	// Unreadable says why the uploaded file could not be read at upload
	// (damaged headers, an encrypted PDF): the document is accepted, then
	// fails with this reason without the file reaching a decoder.
	Unreadable string `json:"unreadable,omitempty"`
	// Warnings tell the clerk what to look at (a resolution under the 200
	// dpi a digitized copy needs, say); the page is processed all the same.
	Warnings []string `json:"warnings,omitempty"`
	// Source is the SHA-256 of the uploaded file the page comes from, Frame
	// its index in that file (0 but for multi-page TIFF).
	Source string `json:"source"`
	Frame  int    `json:"frame"`
}

// Original is one uploaded file, kept byte for byte in the store under its
// SHA-256.
type Original struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	Filename    string `json:"filename,omitempty"`
}

// Manifest is the system of record for one document, kept in the object
// store beside its originals; the catalog and the index are rebuilt from it.
type Manifest struct {
	Version int `json:"version"`
	// Revision counts the manifest's writes; every revision is also kept
	// in the store under its number.
	Revision int      `json:"revision"`
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Type     string   `json:"type,omitempty"`
	UnitID   string   `json:"unit_id"`
	UnitPath string   `json:"unit_path"`
	Metadata Metadata `json:"metadata,omitempty"`
	// Proposed is what was read off the pages for the clerk to confirm,
	// by field; ProposedType the type, for a document uploaded without.
	Proposed     map[string]Proposal `json:"proposed,omitempty"`
	ProposedType *Proposal           `json:"proposed_type,omitempty"`
	// Entries are the rows of a register page, read off it.
	Entries     []Entry       `json:"entries,omitempty"`
	CreatedBy   string        `json:"created_by,omitempty"`
	DuplicateOf string        `json:"duplicate_of,omitempty"`
	Changes     []Change      `json:"changes,omitempty"`
	Approvals   []Approval    `json:"approvals,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	Status      Status        `json:"status"`
	Error       string        `json:"error,omitempty"`
	Originals   []Original    `json:"originals"`
	Pages       []Page        `json:"pages"`
	History     []StatusEvent `json:"history"`
	// Deleted is set when the document was deleted: the manifest stays as a
	// tombstone so that a rebuild does not bring the document back.
	Deleted *Deletion `json:"deleted,omitempty"`
}

// ManifestVersion is the layout version of manifests written by this code.
const ManifestVersion = 1

// StatusEvent is one step of a document's history.
type StatusEvent struct {
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
	Error  string    `json:"error,omitempty"`
}

// Deletion records who deleted a document and when.
type Deletion struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
}

// SetStatus moves the manifest to status s at time at, appending to its history.
func (m *Manifest) SetStatus(s Status, at time.Time, reason string) {
	m.Status, m.Error = s, reason
	m.History = append(m.History, StatusEvent{Status: s, At: at.UTC(), Error: reason})
}

// Document returns what the catalog shows of the manifest.
func (m *Manifest) Document() *Document {
	d := &Document{ID: m.ID, Title: m.Title, Type: m.Type, UnitID: m.UnitID, UnitPath: m.UnitPath,
		Metadata: m.Metadata, Proposed: m.Proposed, ProposedType: m.ProposedType, Entries: m.Entries, Subject: SubjectOf(m.Type, m.Metadata), Status: m.Status, Error: m.Error,
		CreatedAt: m.CreatedAt, CreatedBy: m.CreatedBy, DuplicateOf: m.DuplicateOf, Pages: m.Pages, Revision: m.Revision}
	if d.Metadata == nil {
		d.Metadata = Metadata{}
	}
	for _, e := range m.History {
		if e.Status == StatusReady {
			at := e.At
			d.ReadyAt = &at
			break
		}
	}
	// Updated when its status or its record last changed.
	d.UpdatedAt = m.CreatedAt
	if n := len(m.History); n > 0 && m.History[n-1].At.After(d.UpdatedAt) {
		d.UpdatedAt = m.History[n-1].At
	}
	if n := len(m.Changes); n > 0 && m.Changes[n-1].At.After(d.UpdatedAt) {
		d.UpdatedAt = m.Changes[n-1].At
	}
	return d
}

// PageText is what OCR read on one page: the text, its mean confidence and
// every word with its box, kept in the store as an artifact.
type PageText struct {
	Document   string  `json:"document"`
	Page       int     `json:"page"`
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	Words      []Word  `json:"words"`
	Engine     string  `json:"engine"`
	Languages  string  `json:"languages"`
	// Seconds is how long recognition took, for the record.
	Seconds float64 `json:"seconds"`
	// What cleaning did before OCR (the image kept is the original; the
	// word boxes refer to it): the page turned clockwise by Rotation
	// degrees to stand upright, straightened by Skew degrees, upscaled
	// from under 200 dpi, a median filter against speckles, a seal's grey
	// rings whitened where they crossed the text, the paper's grey evened
	// out under a shadow.
	Rotation int     `json:"rotation,omitempty"`
	Skew     float64 `json:"skew,omitempty"`
	Upscaled bool    `json:"upscaled,omitempty"`
	Denoised bool    `json:"denoised,omitempty"`
	Unsealed bool    `json:"unsealed,omitempty"`
	Evened   bool    `json:"evened,omitempty"`
	// Upright is Words as they lie on the page once turned upright and
	// straightened, one for one, where the layout is read (not kept).
	Upright []Word `json:"-"`
	// Entries are the rows read off a register page, with its image at
	// hand (numbers in doubt read again from their cells).
	Entries []Entry `json:"entries,omitempty"`
	// Blank: the page holds nothing to read (the empty back of a sheet
	// scanned on both sides) and was not read.
	Blank bool `json:"blank,omitempty"`
}

// Word is one recognised word: its text, confidence and box in pixels of the
// page image (X0,Y0 top left, X1,Y1 bottom right), with Tesseract's block,
// paragraph and line numbers.
type Word struct {
	Text       string  `json:"t"`
	Confidence float64 `json:"c"`
	X0         int     `json:"x0"`
	Y0         int     `json:"y0"`
	X1         int     `json:"x1"`
	Y1         int     `json:"y1"`
	Block      int     `json:"b"`
	Par        int     `json:"p"`
	Line       int     `json:"l"`
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a new document ID: 26 characters, sortable by creation time
// (a ULID: 48 bits of milliseconds, 80 random bits, Crockford base32).
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	var sb strings.Builder
	// 128 bits as 26 base32 digits, most significant first (2 leading bits zero).
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		shift := uint(i * 5)
		var v uint64
		switch {
		case shift >= 64:
			v = hi >> (shift - 64)
		case shift > 59:
			v = lo>>shift | hi<<(64-shift)
		default:
			v = lo >> shift
		}
		sb.WriteByte(crockford[v&31])
	}
	return sb.String()
}

// ValidID reports whether id looks like an ID NewID made, so that nothing
// else reaches a store key.
func ValidID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(crockford, id[i]) < 0 {
			return false
		}
	}
	return true
}

// Box is a rectangle in pixels of a page image: X0,Y0 top left, X1,Y1
// bottom right.
type Box struct {
	X0 int `json:"x0"`
	Y0 int `json:"y0"`
	X1 int `json:"x1"`
	Y1 int `json:"y1"`
}

// Union is the smallest box holding b and c.
func (b Box) Union(c Box) Box {
	return Box{X0: min(b.X0, c.X0), Y0: min(b.Y0, c.Y0), X1: max(b.X1, c.X1), Y1: max(b.Y1, c.Y1)}
}

// Height is the box's height.
func (b Box) Height() int { return b.Y1 - b.Y0 }

// Width is the box's width, in pixels.
func (b Box) Width() int { return b.X1 - b.X0 }

// Proposal is a value read off a document's pages for a person to
// confirm: where it was read (page, box), how surely (the lowest
// confidence of its words, 0–100), and whether a person must look at it
// (read unsurely, or mended from a look-alike).
type Proposal struct {
	Value      any     `json:"value"`
	Confidence float64 `json:"confidence"`
	Page       int     `json:"page"`
	Box        Box     `json:"box"`
	Doubtful   bool    `json:"doubtful,omitempty"`
}

// Entry is a row of a register page: a person, read off the page, with
// where the row is and each of its cells (stt, ho_ten, ngay_sinh,
// noi_sinh, gioi_tinh, dan_toc, so_hieu, so_vao_so) as read.
type Entry struct {
	Row    int                 `json:"row"`
	Page   int                 `json:"page"`
	Box    Box                 `json:"box"`
	Fields map[string]Proposal `json:"fields"`
}

// EntryFields are the cells of a register row a person may set, as the
// fields of a diploma (van_bang) check them; a row also has its stt.
var EntryFields = []string{"ho_ten", "ngay_sinh", "noi_sinh", "gioi_tinh", "dan_toc", "so_hieu", "so_vao_so", "so_dinh_danh"}

// Value is the entry's field name as a string ("" when not read).
func (e *Entry) Value(name string) string {
	s, _ := e.Fields[name].Value.(string)
	return s
}

// Sure is the entry's field name when it was read surely or confirmed,
// else "": only such a value finds the row.
func (e *Entry) Sure(name string) string {
	if f, ok := e.Fields[name]; ok && !f.Doubtful {
		return e.Value(name)
	}
	return ""
}

// Masked returns a copy of the entry with its birth date and CCCD masked,
// as a diploma's.
func (e Entry) Masked() Entry {
	e.Fields = maskedProposals(TypeVanBang, e.Fields)
	return e
}

// maskedProposals returns a copy of ps, the values of the personal fields
// of type typ masked.
func maskedProposals(typ string, ps map[string]Proposal) map[string]Proposal {
	out := make(map[string]Proposal, len(ps))
	t := DocTypes[typ]
	for k, p := range ps {
		if t != nil {
			if f, ok := t.Field(k); ok && f.Personal {
				s, _ := p.Value.(string)
				p.Value = MaskPersonal(f.Kind, s)
			}
		}
		out[k] = p
	}
	return out
}

// NameKey is a person's name as looked up: folded, one space between its
// words ("Lê  Quang Tuấn" and "le quang tuan" are "le quang tuan").
func NameKey(name string) string { return strings.Join(strings.Fields(vntext.Fold(name)), " ") }

// Doubtful reports whether any of the entry's cells is for a person to
// check.
func (e *Entry) Doubtful() bool {
	for _, f := range e.Fields {
		if f.Doubtful {
			return true
		}
	}
	return false
}

// IndexDocument is what the search index holds of a ready document: its
// title and the normalized text of each page, in order.
type IndexDocument struct {
	ID       string
	Title    string
	Pages    []string
	Type     string
	UnitID   string
	UnitPath string
	Metadata Metadata
	// CreatedAt is when the document was digitized (uploaded); Approved
	// whether it has a current verified copy.
	CreatedAt time.Time
	Approved  bool
	// Entries are a register page's rows.
	Entries []Entry
}

// IndexDocument returns what the index holds of the manifest's document,
// given its page texts.
func (m *Manifest) IndexDocument(pages []string) *IndexDocument {
	return &IndexDocument{ID: m.ID, Title: m.Title, Pages: pages, Type: m.Type, UnitID: m.UnitID, UnitPath: m.UnitPath, Metadata: m.Metadata,
		CreatedAt: m.CreatedAt, Approved: m.Active() != nil, Entries: m.Entries}
}
