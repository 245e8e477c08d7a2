package records

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sohoa"
)

// Fakes of the parts below the services; the real ones are tested in their
// packages and together end to end in cmd/sohoa.
type fakeCatalog struct {
	Catalog
	docs map[string]*sohoa.Document
}

func (c fakeCatalog) Document(_ context.Context, id string) (*sohoa.Document, error) {
	if d, ok := c.docs[id]; ok {
		cp := *d
		return &cp, nil
	}
	return nil, sohoa.Errorf(sohoa.ENOTFOUND, "Không tìm thấy văn bản.")
}

type fakeAudit struct {
	entries []*sohoa.AuditEntry
	err     error
}

func (a *fakeAudit) Record(_ context.Context, e *sohoa.AuditEntry) error {
	if a.err != nil {
		return a.err
	}
	a.entries = append(a.entries, e)
	return nil
}

type fakeSearch struct{ asked sohoa.SearchQuery }

func (s *fakeSearch) Search(_ context.Context, q sohoa.SearchQuery) (*sohoa.SearchResult, error) {
	s.asked = q
	return &sohoa.SearchResult{Total: 1, Hits: []sohoa.Hit{{ID: "A", Snippet: "Số định danh: <mark>030204001234</mark>, số báo danh 1234567890123, <mark>ngày</mark> <mark>sinh</mark>: 12/04/2004, ngày cấp 15/06/2022"}}}, nil
}

const (
	idTHA = "01M8CABJP4V5SGET1J097Q7D2Q"
	idTHB = "01M8CABJP4V5SGET1J097Q7D2R"
)

func newService() (*Service, *fakeAudit, *fakeSearch) {
	cat := fakeCatalog{docs: map[string]*sohoa.Document{
		idTHA: {ID: idTHA, UnitPath: "/SGD/THA/", Type: sohoa.TypeVanBang, Metadata: sohoa.Metadata{"ngay_sinh": "2004-04-12", "so_dinh_danh": "030204001234"}},
		idTHB: {ID: idTHB, UnitPath: "/SGD/THB/", DuplicateOf: idTHA},
	}}
	a, s := &fakeAudit{}, &fakeSearch{}
	return New(cat, nil, s, a, Config{}), a, s
}

var (
	clerkTHB   = &sohoa.Principal{UserID: "U1", Username: "vt.thb", Role: sohoa.RoleClerk, UnitID: "THB", UnitPath: "/SGD/THB/", Purpose: "tra cứu", Address: "10.0.0.5"}
	officerSGD = &sohoa.Principal{UserID: "U2", Username: "ld.sgd", Role: sohoa.RoleOfficial, UnitID: "SGD", UnitPath: "/SGD/"}
	system     = &sohoa.Principal{UserID: "U3", Username: "dvc", Role: sohoa.RoleSystem, UnitPath: "/SGD/"}
)

func TestAReadThatCannotBeRecordedIsNotServed(t *testing.T) {
	s, a, _ := newService()
	a.err = errors.New("disk full")
	d, err := s.Get(context.Background(), officerSGD, idTHA)
	if d != nil || sohoa.ErrorCode(err) != sohoa.EUNAVAILABLE {
		t.Fatalf("Get with the audit log down: %+v, %v", d, err)
	}
}

func TestOutOfReachIsNotThere(t *testing.T) {
	s, a, _ := newService()
	ctx := context.Background()
	if _, err := s.Get(ctx, clerkTHB, idTHA); !sohoa.IsNotFound(err) {
		t.Fatalf("a clerk of THB reads THA's record: %v", err)
	}
	if _, err := s.Get(ctx, system, idTHA); !sohoa.IsNotFound(err) {
		t.Fatalf("a procedure system reads a record through the record routes: %v", err)
	}
	d, err := s.Get(ctx, clerkTHB, idTHB)
	if err != nil || d.DuplicateOf != "" {
		t.Fatalf("a clerk of THB sees its record stored beside THA's as %+v, %v", d, err)
	}
	if d, _ := s.Get(ctx, officerSGD, idTHB); d.DuplicateOf != idTHA {
		t.Fatalf("an official above both units does not see which record it duplicates: %+v", d)
	}
	e := a.entries[len(a.entries)-2]
	if e.Action != sohoa.ActionRead || e.Document != idTHB || e.Purpose != "tra cứu" || e.Client != "10.0.0.5" || e.Username != "vt.thb" {
		t.Fatalf("the read was audited as %+v", e)
	}
}

func TestPersonalDataIsMaskedInLists(t *testing.T) {
	s, _, _ := newService()
	d, _ := s.Get(context.Background(), officerSGD, idTHA)
	if d.Metadata["so_dinh_danh"] != "030204001234" {
		t.Fatalf("an official opening a record sees %v", d.Metadata)
	}
	if v := s.view(context.Background(), officerSGD, d, true); v.Metadata["so_dinh_danh"] != "030******234" || v.Metadata["ngay_sinh"] != "2004-**-**" {
		t.Fatalf("in a list: %v", v.Metadata)
	}
}

func TestSearchIsWithinReachAndMasked(t *testing.T) {
	s, a, idx := newService()
	res, err := s.Search(context.Background(), clerkTHB, sohoa.SearchQuery{Text: "le quang tuan", Reach: sohoa.Reach{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if idx.asked.Reach != (sohoa.Reach{Path: "/SGD/THB/"}) {
		t.Fatalf("the index was asked with reach %+v", idx.asked.Reach)
	}
	if sn := res.Hits[0].Snippet; strings.Contains(sn, "030204001234") || !strings.Contains(sn, "030******234") || !strings.Contains(sn, "1234567890123") ||
		strings.Contains(sn, "12/04") || !strings.Contains(sn, "<mark>sinh</mark>: **/**/2004") || !strings.Contains(sn, "15/06/2022") {
		t.Fatalf("snippet %q", sn)
	}
	if e := a.entries[len(a.entries)-1]; e.Action != sohoa.ActionSearch || e.Detail != "A" {
		t.Fatalf("search audited as %+v", e)
	}
	if _, err := s.Search(context.Background(), clerkTHB, sohoa.SearchQuery{Type: "bang"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("an unknown type: %v", err)
	}
}

func TestVerifiedFetchNeedsPurposeAndCase(t *testing.T) {
	s, _, _ := newService()
	for _, use := range []Use{{}, {Purpose: "Tuyển dụng"}, {CaseID: "HS-1"}, {Purpose: "  ", CaseID: "HS-1"}} {
		if _, err := s.VerifiedPDF(context.Background(), system, idTHA, use); sohoa.ErrorCode(err) != sohoa.EINVALID {
			t.Errorf("fetch with %+v: %v", use, err)
		}
	}
}
