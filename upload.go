package sohoa

import (
	"io"
	"strings"
	"time"
)

// UploadForm is an upload as it arrives, its parts in order: the fields
// (title, type, unit_id, the type's fields…) and the files. Next returns
// io.EOF after the last part. An adapter (the API's multipart form, the web
// page's) makes one; the upload service reads it.
type UploadForm interface {
	Next() (*FormPart, error)
}

// FormPart is one field (Filename empty) or file of an upload form; Body
// is read before the next part is asked for.
type FormPart struct {
	Field    string
	Filename string
	Body     io.Reader
}

// RecordPatch changes a document's record: nil fields are left alone, a
// nil value in Metadata removes that field. Correcting an approved record
// needs a Reason.
type RecordPatch struct {
	Title            *string        `json:"title"`
	Type             *string        `json:"type"`
	Metadata         map[string]any `json:"metadata"`
	ConfirmDuplicate bool           `json:"confirm_duplicate"`
	Reason           string         `json:"reason"`
}

// Vietnam is the time zone of the Department's days: a day a user names
// starts at midnight there.
var Vietnam = time.FixedZone("ICT", 7*3600)

// ParseDayRange reads the parameters from and to, days in Vietnam (either
// "" for none), as the times [start, end): end is the day after the last
// one.
func ParseDayRange(from, to string) (start, end time.Time, err error) {
	return ParseNamedDayRange("from", from, "to", to)
}

// ParseNamedDayRange is ParseDayRange for parameters of other names.
func ParseNamedDayRange(fromName, from, toName, to string) (start, end time.Time, err error) {
	for _, p := range []struct {
		name, raw string
		t         *time.Time
	}{{fromName, from, &start}, {toName, to, &end}} {
		if p.raw == "" {
			continue
		}
		d, err := ParseDate(p.raw)
		if err != nil {
			return start, end, FieldError(p.name, "Tham số %s: %v.", p.name, err)
		}
		*p.t, _ = time.ParseInLocation("2006-01-02", d, Vietnam)
	}
	if !end.IsZero() {
		end = end.Add(24 * time.Hour) // the whole last day
	}
	return start, end, nil
}

// Clutter reports whether a file or folder of this name is what a file
// manager, an archiver or an office program leaves beside scans
// (.DS_Store, Thumbs.db, __MACOSX, ~$ lock files): never a scan, and not
// worth telling a clerk about.
func Clutter(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || name == "__MACOSX" ||
		strings.EqualFold(name, "Thumbs.db") || strings.EqualFold(name, "desktop.ini")
}
