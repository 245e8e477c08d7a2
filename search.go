package sohoa

// SearchQuery is a search request: words (may be empty when a filter is
// set), filters, and the reach of who asks.
type SearchQuery struct {
	Text     string
	Type     string
	Unit     string // a unit's path: that unit and every unit below it
	From, To string // YYYY-MM-DD, the record's own date, inclusive
	Year     string // the year of the record's own date
	// DigitizedFrom and DigitizedTo are days (in Vietnam) the document was
	// uploaded between, inclusive.
	DigitizedFrom, DigitizedTo string
	// Approved, when set, keeps only the documents that have (true) or
	// have not (false) a current verified copy.
	Approved  *bool
	SoKyHieu  string
	SoHieu    string
	SubjectID string
	// Reach limits the hits to what the asker may read.
	Reach  Reach
	Limit  int
	Offset int
}

// SearchResult is one page of hits, with counts by type, unit and year of
// every document that matched.
type SearchResult struct {
	Total  uint64             `json:"total"`
	Hits   []Hit              `json:"hits"`
	Facets map[string][]Facet `json:"facets"`
}

// Facet is how many matching documents have a value.
type Facet struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Hit is one matching document, at its best page.
type Hit struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Type    string  `json:"type,omitempty"`
	UnitID  string  `json:"unit_id"`
	Score   float64 `json:"score"`
	Page    int     `json:"page"`
	Snippet string  `json:"snippet"`
	// Entry is the row of a register page the words found: the person,
	// its page and box.
	Entry *Entry `json:"entry,omitempty"`
}

// ParseApproved reads the parameter name of a SearchQuery's Approved:
// "true" or "1", "false" or "0", or "" for either.
func ParseApproved(name, s string) (*bool, error) {
	var v bool
	switch s {
	case "":
		return nil, nil
	case "true", "1":
		v = true
	case "false", "0":
	default:
		return nil, FieldError(name, "Tham số %s phải là true hoặc false.", name)
	}
	return &v, nil
}
