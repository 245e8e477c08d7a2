package main

import (
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"sohoa/internal/samples"
	"sohoa/vntext"
)

// TestFieldsProposed: a clerk uploads a diploma drawn for the test (a name,
// numbers and dates no one tuned on) with no type and no fields; once
// read, the record proposes its type and its fields, each with its page
// and box, none wrong and sure; one call takes them in, kept in the
// history, and the record is then found by the name typed without
// diacritics.
func TestFieldsProposed(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	s.newUnit("THA", "SGD", "truong")
	clerk := s.newUser("vt.tha", "THA", "clerk")
	rng := rand.New(rand.NewPCG(20261201, 11))
	d := samples.Generate(rng, samples.KindVanBang, "bang")
	img, _ := samples.PNG(d)
	r := s.upload(clerk, part{"file", "bang.png", img})
	var up document
	r.json(t, &up)
	if r.Status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	s.waitDone(up.ID)

	type proposal struct {
		Value      any     `json:"value"`
		Confidence float64 `json:"confidence"`
		Page       int     `json:"page"`
		Box        struct{ X0, Y0, X1, Y1 int }
		Doubtful   bool `json:"doubtful"`
	}
	var got struct {
		Type         string              `json:"type"`
		Metadata     map[string]any      `json:"metadata"`
		Proposed     map[string]proposal `json:"proposed"`
		ProposedType *proposal           `json:"proposed_type"`
	}
	s.do("GET", "/api/v1/documents/"+up.ID, clerk, nil, "").json(t, &got)
	if got.Type != "" || got.ProposedType == nil || got.ProposedType.Value != "van_bang" {
		t.Fatalf("proposed type %+v (type %q)", got.ProposedType, got.Type)
	}
	sure := 0
	for _, name := range []string{"ho_ten", "ngay_sinh", "noi_sinh", "gioi_tinh", "dan_toc", "nam_tot_nghiep", "so_hieu", "so_vao_so"} {
		p, ok := got.Proposed[name]
		switch {
		case !ok:
			t.Errorf("%s: not proposed", name)
		case p.Page != 1 || p.Box.X1 <= p.Box.X0 || p.Box.Y1 <= p.Box.Y0 || p.Confidence <= 0:
			t.Errorf("%s: proposed at page %d, box %+v, confidence %v", name, p.Page, p.Box, p.Confidence)
		case p.Value != d.Fields[name] && !p.Doubtful:
			t.Errorf("%s: %q proposed as sure, the page says %q", name, p.Value, d.Fields[name])
		case !p.Doubtful:
			sure++
		}
	}
	if sure < 6 {
		t.Errorf("only %d of 8 fields proposed as sure: %+v", sure, got.Proposed)
	}
	if r := s.do("POST", "/api/v1/documents/"+up.ID+"/accept", clerk, strings.NewReader(`{"fields":["khong_co"]}`), "application/json"); r.Status != 400 {
		t.Errorf("accept a field with no proposal: %d %s", r.Status, r.Body)
	}
	r = s.do("POST", "/api/v1/documents/"+up.ID+"/accept", clerk, nil, "")
	if r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	r.json(t, &got)
	if got.Type != "van_bang" || got.Metadata["ho_ten"] != d.Fields["ho_ten"] || got.Metadata["so_hieu"] != got.Proposed["so_hieu"].Value && !got.Proposed["so_hieu"].Doubtful {
		t.Fatalf("after accepting: type %q, metadata %v", got.Type, got.Metadata)
	}
	if res := s.search(vntext.Fold(d.Fields["ho_ten"])); len(res.Hits) != 1 || res.Hits[0].ID != up.ID {
		t.Errorf("the accepted name without diacritics finds %+v", res.Hits)
	}
	var hist struct{ Changes []struct{ Field, By string } }
	s.get("/api/v1/documents/"+up.ID+"/history").json(t, &hist)
	taken := map[string]bool{}
	for _, c := range hist.Changes {
		taken[c.Field] = c.By == "vt.tha"
	}
	if !taken["type"] || !taken["metadata.ho_ten"] || !taken["metadata.so_vao_so"] == !got.Proposed["so_vao_so"].Doubtful {
		t.Errorf("history of the accepted values: %+v", hist.Changes)
	}
	t.Logf("proposed: %+v", got.Proposed)
}
