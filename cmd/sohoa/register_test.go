package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"sohoa/internal/samples"
	"sohoa/vntext"
)

type entry struct {
	Row    int `json:"row"`
	Page   int `json:"page"`
	Box    struct{ X0, Y0, X1, Y1 int }
	Fields map[string]struct {
		Value    any  `json:"value"`
		Doubtful bool `json:"doubtful"`
	} `json:"fields"`
}

func (e entry) sure(name string) (string, bool) {
	f, ok := e.Fields[name]
	s, _ := f.Value.(string)
	return s, ok && !f.Doubtful
}

// TestRegisterAsPeople: a register page drawn for the test, uploaded with
// no type, is a row a person: each row is an entry with its box, found by
// the name typed without diacritics (the hit names the row); once the page
// is approved, a procedure system finds a person by register number, or
// name and birth date, and gets the row; a CCCD a clerk adds to a row
// (checked against its birth date and sex) finds it in /people and
// /verified.
func TestRegisterAsPeople(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	s.newUnit("THA", "SGD", "truong")
	clerk := s.newUser("vt.tha", "THA", "clerk")
	official := s.newUser("cb.sgd", "SGD", "official")
	r := s.do("POST", "/api/v1/users", adminToken, strings.NewReader(`{"username":"dvc","full_name":"Cổng dịch vụ công","unit_id":"SGD","role":"system","scope":{"types":["van_bang"],"units":["SGD"],"rate_per_minute":600}}`), "application/json")
	var sys struct{ ID string }
	r.json(t, &sys)
	var tok struct{ Token string }
	s.do("POST", "/api/v1/tokens", adminToken, strings.NewReader(`{"name":"dvc","user_id":"`+sys.ID+`"}`), "application/json").json(t, &tok)

	d := samples.Generate(rand.New(rand.NewPCG(1512, 2026)), samples.KindSoGoc, "so-goc")
	img, _ := samples.PNG(d)
	r = s.upload(clerk, part{"file", "so-goc.png", img})
	var up document
	r.json(t, &up)
	if r.Status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	s.waitDone(up.ID)
	if r := s.do("POST", "/api/v1/documents/"+up.ID+"/accept", clerk, nil, ""); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	var got struct {
		Type     string         `json:"type"`
		Metadata map[string]any `json:"metadata"`
		Entries  []entry        `json:"entries"`
	}
	s.do("GET", "/api/v1/documents/"+up.ID, clerk, nil, "").json(t, &got)
	if got.Type != "so_goc" || got.Metadata["nam_tot_nghiep"] != d.Fields["nam_tot_nghiep"] || len(got.Entries) != len(d.Rows) {
		t.Fatalf("the register: type %q, metadata %v, %d entries of %d rows", got.Type, got.Metadata, len(got.Entries), len(d.Rows))
	}
	exact := 0
	for i, e := range got.Entries {
		whole := true
		for name, want := range d.Rows[i] {
			v, sure := e.sure(name)
			if v != want {
				whole = false
				t.Logf("row %d %s: %q (sure %v), printed %q", i+1, name, v, sure, want)
				if sure {
					t.Errorf("row %d %s: %q proposed as sure, printed %q", i+1, name, v, want)
				}
			}
		}
		if whole {
			exact++
		}
		if e.Row != i+1 || e.Page != 1 || e.Box.Y1 <= e.Box.Y0 || i > 0 && e.Box.Y0 <= got.Entries[i-1].Box.Y0 {
			t.Errorf("row %d at page %d, box %+v", e.Row, e.Page, e.Box)
		}
	}
	if exact < len(d.Rows)-1 {
		t.Errorf("%d of %d rows exact", exact, len(d.Rows))
	}

	// Found by name without diacritics, the hit at the row.
	row := d.Rows[2]
	var res struct {
		Hits []struct {
			ID    string `json:"id"`
			Page  int    `json:"page"`
			Entry *entry `json:"entry"`
		} `json:"hits"`
	}
	s.do("GET", "/api/v1/search?q="+url.QueryEscape(vntext.Fold(row["ho_ten"])), official, nil, "").json(t, &res)
	if len(res.Hits) != 1 || res.Hits[0].ID != up.ID || res.Hits[0].Entry == nil || res.Hits[0].Entry.Row != 3 {
		t.Errorf("search %q: %+v", vntext.Fold(row["ho_ten"]), res.Hits)
	}

	if r := s.do("POST", "/api/v1/documents/"+up.ID+"/approve", official, nil, ""); r.Status != 201 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	lookup := func(q string) (int, []struct{ Entry *entry }) {
		r := s.do("GET", "/api/v1/verified?"+q, tok.Token, nil, "")
		var out struct{ Records []struct{ Entry *entry } }
		json.Unmarshal(r.Body, &out)
		return r.Status, out.Records
	}
	for i, e := range got.Entries {
		if n, sure := e.sure("so_vao_so"); sure {
			if status, recs := lookup("so_vao_so=" + url.QueryEscape(n)); status != 200 || len(recs) != 1 || recs[0].Entry == nil || recs[0].Entry.Row != i+1 {
				t.Errorf("a procedure system looks %s up: %d %+v", n, status, recs)
			}
			break
		}
	}
	for i, e := range got.Entries {
		name, ok1 := e.sure("ho_ten")
		birth, ok2 := e.sure("ngay_sinh")
		if ok1 && ok2 {
			q := "ho_ten=" + url.QueryEscape(vntext.Fold(name)) + "&ngay_sinh=" + birth
			if status, recs := lookup(q); status != 200 || len(recs) != 1 || recs[0].Entry == nil || recs[0].Entry.Row != i+1 {
				t.Errorf("a procedure system looks %s up: %d %+v", q, status, recs)
			}
			if status, recs := lookup("ho_ten=" + url.QueryEscape(name) + "&ngay_sinh=1900-01-01"); status != 200 || len(recs) != 0 {
				t.Errorf("another birth date: %d %+v", status, recs)
			}
			break
		}
	}

	// A CCCD added to a row: checked against the row, then found.
	five := d.Rows[4]
	century := map[string]int{"Nam": 0, "Nữ": 1}[five["gioi_tinh"]]
	if five["ngay_sinh"] >= "2000" {
		century += 2
	}
	cccd := fmt.Sprintf("030%d%s123456", century, five["ngay_sinh"][2:4])
	wrong := fmt.Sprintf("030%d%s123456", century^1, five["ngay_sinh"][2:4])
	if r := s.do("PATCH", "/api/v1/documents/"+up.ID+"/entries/5", clerk, strings.NewReader(`{"fields":{"so_dinh_danh":"`+wrong+`"}}`), "application/json"); r.Status != 400 || !strings.Contains(string(r.Body), "so_dinh_danh") {
		t.Errorf("a CCCD of the other sex: %d %s", r.Status, r.Body)
	}
	// the row's cells confirmed as read (null), its CCCD added
	r = s.do("PATCH", "/api/v1/documents/"+up.ID+"/entries/5", clerk, strings.NewReader(`{"fields":{"so_dinh_danh":"`+cccd+`","ngay_sinh":"`+five["ngay_sinh"]+`","gioi_tinh":"`+five["gioi_tinh"]+`"}}`), "application/json")
	if r.Status != 200 {
		t.Fatalf("add a CCCD: %d %s", r.Status, r.Body)
	}
	var people struct{ Documents []struct{ ID string } }
	s.do("GET", "/api/v1/people/"+cccd+"/documents", official, nil, "").json(t, &people)
	if len(people.Documents) != 1 || people.Documents[0].ID != up.ID {
		t.Errorf("/people/%s: %+v", cccd, people.Documents)
	}
	if status, recs := lookup("subject_id=" + cccd); status != 200 || len(recs) != 1 || recs[0].Entry == nil || recs[0].Entry.Row != 5 {
		t.Errorf("a procedure system looks the CCCD up: %d %+v", status, recs)
	}
	var hist struct{ Changes []struct{ Field, By string } }
	s.get("/api/v1/documents/"+up.ID+"/history").json(t, &hist)
	if n := len(hist.Changes); n == 0 || hist.Changes[n-1].Field != "entries.5.so_dinh_danh" || hist.Changes[n-1].By != "vt.tha" {
		t.Errorf("history: %+v", hist.Changes)
	}
}
