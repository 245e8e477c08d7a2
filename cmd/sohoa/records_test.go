package main

import (
	"bytes"
	"database/sql"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestAccessMatrix checks every role against records of its own unit, its
// parent, a sibling and a child: in reads, lists, search, facets, edits.
func TestAccessMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"))
	// SGD ─ PGD ─┬─ THA
	//            └─ THB
	s.newUnit("PGD", "SGD", "phong")
	s.newUnit("THA", "PGD", "truong")
	s.newUnit("THB", "PGD", "truong")
	users := map[string]string{
		"clerk@THA": s.newUser("vt.tha", "THA", "clerk"), "clerk@PGD": s.newUser("vt.pgd", "PGD", "clerk"),
		"official@PGD": s.newUser("cb.pgd", "PGD", "official"), "official@THA": s.newUser("cb.tha", "THA", "official"),
		"official@SGD": s.newUser("ld.sgd", "SGD", "official"), "system@SGD": s.newUser("dvc", "SGD", "system"),
		"admin": adminToken,
	}
	docs := map[string]string{}
	for _, unit := range []string{"SGD", "PGD", "THA", "THB"} {
		r := s.upload(adminToken, part{field: "title", data: []byte("Hồ sơ " + unit)}, part{field: "unit_id", data: []byte(unit)},
			part{"file", "page.jpg", fixture(t, "page-150dpi.jpg")})
		if r.Status != 202 {
			t.Fatalf("upload to %s: %d %s", unit, r.Status, r.Body)
		}
		var d document
		r.json(t, &d)
		docs[unit] = d.ID
	}
	for _, id := range docs {
		if d := s.waitDone(id); d.Status != "ready" {
			t.Fatalf("%+v", d)
		}
	}
	reach := map[string][]string{
		"clerk@THA": {"THA"}, "clerk@PGD": {"PGD"}, "official@PGD": {"PGD", "THA", "THB"},
		"official@THA": {"THA"}, "official@SGD": {"SGD", "PGD", "THA", "THB"}, "system@SGD": nil,
		"admin": {"SGD", "PGD", "THA", "THB"},
	}
	for who, token := range users {
		t.Run(who, func(t *testing.T) {
			role := strings.Split(who, "@")[0]
			for _, unit := range []string{"SGD", "PGD", "THA", "THB"} {
				want := slices.Contains(reach[who], unit)
				for _, path := range []string{"", "/text", "/pages/1/image", "/pages/1/text", "/history"} {
					r := s.do("GET", "/api/v1/documents/"+docs[unit]+path, token, nil, "")
					switch {
					case role == "system" && r.Status != 403:
						t.Errorf("system reads %s%s: %d, want 403", unit, path, r.Status)
					case role != "system" && want && r.Status != 200:
						t.Errorf("reads %s%s: %d %s, want 200", unit, path, r.Status, r.Body)
					case role != "system" && !want && (r.Status != 404 || r.errorCode() != "not_found"):
						t.Errorf("reads %s%s outside its reach: %d, want 404", unit, path, r.Status)
					}
				}
				// Edits: a clerk in its own unit, an admin anywhere; outside
				// one's reach is 404, an official is refused the act.
				r := s.do("PATCH", "/api/v1/documents/"+docs[unit], token, strings.NewReader(`{"title":"Hồ sơ `+unit+`"}`), "application/json")
				var wantStatus int
				switch {
				case role == "admin" || (role == "clerk" && want):
					wantStatus = 200
				case role == "clerk":
					wantStatus = 404
				default:
					wantStatus = 403
				}
				if r.Status != wantStatus {
					t.Errorf("edits %s: %d %s, want %d", unit, r.Status, r.Body, wantStatus)
				}
				if role != "admin" {
					if r := s.do("DELETE", "/api/v1/documents/"+docs[unit], token, nil, ""); r.Status != 403 {
						t.Errorf("deletes %s: %d, want 403", unit, r.Status)
					}
				}
			}
			if role == "system" {
				return
			}
			// Listing, search and facets show exactly the reach.
			var list struct{ Documents []document }
			s.do("GET", "/api/v1/documents", token, nil, "").json(t, &list)
			var listed, found, faceted []string
			for _, d := range list.Documents {
				listed = append(listed, strings.TrimPrefix(d.Title, "Hồ sơ "))
			}
			var res struct {
				Hits []struct {
					ID     string `json:"id"`
					UnitID string `json:"unit_id"`
				}
				Facets map[string][]struct{ Value string }
			}
			r := s.do("GET", "/api/v1/search?q=do+thi+dung", token, nil, "")
			r.json(t, &res)
			for _, h := range res.Hits {
				found = append(found, h.UnitID)
			}
			for _, f := range res.Facets["unit"] {
				faceted = append(faceted, f.Value)
			}
			want := slices.Sorted(slices.Values(reach[who]))
			for _, got := range [][]string{listed, found, faceted} {
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("listed %v, found %v, faceted %v; want %v", listed, found, faceted, reach[who])
					break
				}
			}
		})
	}
	// An upload into a unit outside one's reach: 404, nothing stored.
	r := s.upload(users["clerk@THA"], part{field: "unit_id", data: []byte("THB")}, part{"file", "p.jpg", fixture(t, "page-150dpi.jpg")})
	if r.Status != 404 || r.errorCode() != "not_found" {
		t.Errorf("clerk of THA uploads into THB: %d %s", r.Status, r.Body)
	}
	// A duplicate in another unit: its clerk learns that it exists, not
	// which it is; those above both units see which.
	diploma := func(token string, extra ...part) *response {
		return s.upload(token, append([]part{{field: "type", data: []byte("van_bang")}, {field: "ho_ten", data: []byte("Lê Quang Tuấn")},
			{field: "so_vao_so", data: []byte("0415/THPT/2022")}, {field: "nam_tot_nghiep", data: []byte("2022")},
			{"file", "bang.jpg", fixture(t, "page-150dpi.jpg")}}, extra...)...)
	}
	var first document
	if r := diploma(users["clerk@THA"]); r.Status != 202 {
		t.Fatalf("the first diploma: %d %s", r.Status, r.Body)
	} else {
		r.json(t, &first)
	}
	clerkTHB := s.newUser("vt.thb", "THB", "clerk")
	r = diploma(clerkTHB)
	if r.Status != 409 || bytes.Contains(r.Body, []byte(first.ID)) || bytes.Contains(r.Body, []byte("existing_id")) {
		t.Errorf("a clerk of THB uploads a duplicate of THA's record: %d %s", r.Status, r.Body)
	}
	patch := `{"type":"van_bang","metadata":{"so_vao_so":"0415/THPT/2022","nam_tot_nghiep":"2022"}}`
	r = s.do("PATCH", "/api/v1/documents/"+docs["THB"], clerkTHB, strings.NewReader(patch), "application/json")
	if r.Status != 409 || bytes.Contains(r.Body, []byte(first.ID)) {
		t.Errorf("a clerk of THB edits a record into a duplicate of THA's: %d %s", r.Status, r.Body)
	}
	if r := diploma(adminToken); r.Status != 409 || !bytes.Contains(r.Body, []byte(`"existing_id":"`+first.ID+`"`)) {
		t.Errorf("an admin uploads a duplicate: %d %s, want the existing record named", r.Status, r.Body)
	}
	r = diploma(clerkTHB, part{field: "confirm_duplicate", data: []byte("true")})
	var dup document
	r.json(t, &dup)
	if r.Status != 202 {
		t.Fatalf("a confirmed duplicate: %d %s", r.Status, r.Body)
	}
	for who, token := range map[string]string{"clerk@THB": clerkTHB, "official@PGD": users["official@PGD"], "admin": adminToken} {
		var got struct {
			DuplicateOf string `json:"duplicate_of"`
		}
		s.do("GET", "/api/v1/documents/"+dup.ID, token, nil, "").json(t, &got)
		if seesBoth := who != "clerk@THB"; (got.DuplicateOf == first.ID) != seesBoth {
			t.Errorf("%s sees duplicate_of %q (the other record is %s)", who, got.DuplicateOf, first.ID)
		}
	}

	// A disabled user's session stops at once.
	var me struct{ ID string }
	s.do("GET", "/api/v1/me", users["clerk@PGD"], nil, "").json(t, &me)
	if r := s.do("PATCH", "/api/v1/users/"+me.ID, adminToken, strings.NewReader(`{"disabled":true}`), "application/json"); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := s.do("GET", "/api/v1/documents", users["clerk@PGD"], nil, ""); r.Status != 401 {
		t.Errorf("disabled user: %d, want 401", r.Status)
	}
}

// TestRecordsMetadataAndAudit follows a diploma from upload with its
// fields to edits, duplicates, the person's records and the audit log, and
// then tampers with the log.
func TestRecordsMetadataAndAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data, "SOHOA_AUDIT_SEAL=1s")
	s.newUnit("THA", "SGD", "truong")
	s.newUnit("THB", "SGD", "truong")
	clerk := s.newUser("vt.tha", "THA", "clerk")
	official := s.newUser("cb.thb", "THB", "official")
	const cccd = "030204001234"
	diploma := []part{
		{field: "type", data: []byte("van_bang")}, {field: "ho_ten", data: []byte("Lê Quang Tuấn")},
		{field: "ngay_sinh", data: []byte("12/04/2004")}, {field: "gioi_tinh", data: []byte("Nam")},
		{field: "so_hieu", data: []byte("B 0174420")}, {field: "so_vao_so", data: []byte("0415/THPT/2022")},
		{field: "nam_tot_nghiep", data: []byte("2022")}, {field: "so_dinh_danh", data: []byte(cccd)},
		{"file", "bang.png", fixture(t, "pages/d3-bang-tuan.png")},
	}
	r := s.upload(clerk, diploma...)
	if r.Status != 202 {
		t.Fatalf("upload diploma: %d %s", r.Status, r.Body)
	}
	var d struct {
		document
		Type   string
		UnitID string `json:"unit_id"`
	}
	r.json(t, &d)
	if d.Type != "van_bang" || d.UnitID != "THA" || d.Metadata["ngay_sinh"] != "2004-04-12" || d.Metadata["so_dinh_danh"] != cccd {
		t.Fatalf("accepted %+v", d)
	}
	s.waitDone(d.ID)

	// Bad input names the field, in Vietnamese, and changes nothing.
	bad := []struct {
		name  string
		parts []part
		field string
	}{
		{"30 February", []part{{field: "type", data: []byte("van_bang")}, {field: "ngay_sinh", data: []byte("30/02/2005")}}, "ngay_sinh"},
		{"11-digit CCCD", []part{{field: "type", data: []byte("van_bang")}, {field: "so_dinh_danh", data: []byte("03020400123")}}, "so_dinh_danh"},
		{"unknown province", []part{{field: "type", data: []byte("van_bang")}, {field: "so_dinh_danh", data: []byte("003204001234")}}, "so_dinh_danh"},
		{"unknown field", []part{{field: "type", data: []byte("van_bang")}, {field: "ho_va_ten", data: []byte("x")}}, "ho_va_ten"},
		{"ký hiệu", []part{{field: "type", data: []byte("van_ban")}, {field: "ky_hieu", data: []byte("87 TB")}}, "ky_hieu"},
	}
	for _, tt := range bad {
		r := s.upload(clerk, append(tt.parts, part{"file", "p.jpg", fixture(t, "page-150dpi.jpg")})...)
		var e struct {
			Error struct{ Code, Field, Message string }
		}
		r.json(t, &e)
		if r.Status != 400 || e.Error.Field != tt.field || !strings.Contains(e.Error.Message, tt.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.name, r.Status, r.Body, tt.field)
		}
	}
	patch := func(token, body string) *response {
		return s.do("PATCH", "/api/v1/documents/"+d.ID, token, strings.NewReader(body), "application/json")
	}
	for _, body := range []string{
		`{"metadata":{"dan_toc":"Kinh","ngay_sinh":"2004-02-30"}}`,
		`{"metadata":{"dan_toc":"Kinh","so_dinh_danh":"030205001234"}}`, // birth year 2005 against 2004
		`{"metadata":{"dan_toc":"Kinh"},"owner":"x"}`,
		`{"metadata":{"dan_toc":["Kinh"]}}`,
		`{"type":"ho_so_can_bo"}`, // so_hieu has no place in a staff record
	} {
		if r := patch(clerk, body); r.Status != 400 {
			t.Errorf("PATCH %s: %d %s, want 400", body, r.Status, r.Body)
		}
	}
	// Every field at fault at once, each named.
	r = patch(clerk, `{"title":"","metadata":{"ngay_sinh":"2004-02-30","gioi_tinh":"Khác","so_trang":"x"}}`)
	var all struct {
		Error struct {
			Fields []struct{ Field, Message string }
		}
	}
	r.json(t, &all)
	var named []string
	for _, f := range all.Error.Fields {
		named = append(named, f.Field)
	}
	if r.Status != 400 || strings.Join(named, ",") != "title,gioi_tinh,ngay_sinh,so_trang" {
		t.Errorf("a PATCH with four faults: %d, fields %v\n%s", r.Status, named, r.Body)
	}
	var hist struct{ Changes []map[string]any }
	s.do("GET", "/api/v1/documents/"+d.ID+"/history", clerk, nil, "").json(t, &hist)
	if len(hist.Changes) != 0 {
		t.Fatalf("rejected PATCHes left changes: %v", hist.Changes)
	}
	if r := patch(clerk, `{"metadata":{"dan_toc":"Kinh","noi_sinh":"Cẩm Giàng, Hải Dương"}}`); r.Status != 200 {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	s.do("GET", "/api/v1/documents/"+d.ID+"/history", clerk, nil, "").json(t, &hist)
	if len(hist.Changes) != 2 || hist.Changes[0]["field"] != "metadata.dan_toc" || hist.Changes[0]["new"] != "Kinh" ||
		hist.Changes[0]["by"] != "vt.tha" || hist.Changes[0]["at"] == nil {
		t.Fatalf("history %v", hist.Changes)
	}
	revisions, _ := filepath.Glob(filepath.Join(data, "store", "documents", d.ID, "revisions", "*.json"))
	if len(revisions) < 4 {
		t.Errorf("%d manifest revisions kept, want every one (queued, processing, ready, edited)", len(revisions))
	}

	// The same diploma again is flagged with the existing record.
	r = s.upload(clerk, diploma...)
	var e struct {
		Error struct {
			Code       string
			ExistingID string `json:"existing_id"`
		}
	}
	r.json(t, &e)
	if r.Status != 409 || e.Error.Code != "conflict" || e.Error.ExistingID != d.ID {
		t.Fatalf("duplicate: %d %s", r.Status, r.Body)
	}
	r = s.upload(clerk, append(diploma, part{field: "confirm_duplicate", data: []byte("true")})...)
	var dup struct {
		ID          string
		DuplicateOf string `json:"duplicate_of"`
	}
	r.json(t, &dup)
	if r.Status != 202 || dup.DuplicateOf != d.ID {
		t.Fatalf("confirmed duplicate: %d %s", r.Status, r.Body)
	}
	s.waitDone(dup.ID)

	// The person's records: both, masked in the list; found by filters.
	var people struct{ Documents []map[string]any }
	r = s.do("GET", "/api/v1/people/"+cccd+"/documents", clerk, nil, "")
	r.json(t, &people)
	if len(people.Documents) != 2 || bytes.Contains(r.Body, []byte(cccd)) || bytes.Contains(r.Body, []byte("2004-04-12")) ||
		!bytes.Contains(r.Body, []byte("030******234")) {
		t.Fatalf("person's records (masked): %s", r.Body)
	}
	var full map[string]any
	s.do("GET", "/api/v1/documents/"+d.ID, clerk, nil, "").json(t, &full)
	if full["metadata"].(map[string]any)["so_dinh_danh"] != cccd {
		t.Errorf("the clerk who keeps the record does not see its CCCD whole: %v", full["metadata"])
	}
	for _, q := range []string{"so_hieu=B+0174420", "subject_id=" + cccd, "type=van_bang&from=2022-01-01&to=2022-12-31", "q=le+quang+tuan&type=van_bang"} {
		var res struct {
			Total  int
			Facets map[string][]struct {
				Value string
				Count int
			}
		}
		s.do("GET", "/api/v1/search?"+q, clerk, nil, "").json(t, &res)
		if res.Total != 2 || len(res.Facets["type"]) != 1 || res.Facets["type"][0].Count != 2 || res.Facets["year"][0].Value != "2022" {
			t.Errorf("search %s: %+v", q, res)
		}
	}
	if r := s.do("GET", "/api/v1/people/"+cccd+"/documents", official, nil, ""); !bytes.Contains(r.Body, []byte(`"documents":[]`)) {
		t.Errorf("an official of another school sees the person's records: %s", r.Body)
	}

	// The audit log: every read, with purpose and client.
	req, _ := http.NewRequest("GET", s.base+"/api/v1/documents/"+d.ID+"/text", nil)
	req.Header.Set("Authorization", "Bearer "+clerk)
	req.Header.Set("X-Purpose", "Cấp bản sao văn bằng")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("text: %v %v", err, resp)
	}
	resp.Body.Close()
	var audit struct {
		Entries []struct {
			Seq                                 int
			Username, Action, Document, Purpose string
			UnitID                              string `json:"unit_id"`
			Client                              string
		}
	}
	s.do("GET", "/api/v1/audit?document="+d.ID, adminToken, nil, "").json(t, &audit)
	var actions []string
	for _, e := range audit.Entries {
		actions = append(actions, e.Action)
	}
	last := audit.Entries[len(audit.Entries)-1]
	if !slices.Contains(actions, "document.create") || !slices.Contains(actions, "document.update") ||
		last.Action != "document.text" || last.Purpose != "Cấp bản sao văn bằng" || last.Username != "vt.tha" || last.UnitID != "THA" || last.Client != "127.0.0.1" {
		t.Fatalf("audit of %s: %+v", d.ID, audit.Entries)
	}
	if r := s.do("GET", "/api/v1/audit?document="+d.ID, official, nil, ""); !bytes.Contains(r.Body, []byte(`"entries":[]`)) {
		t.Errorf("an official sees the history of a record outside its reach: %s", r.Body)
	}
	if r := s.do("GET", "/api/v1/audit", clerk, nil, ""); r.Status != 403 {
		t.Errorf("a clerk reads the audit log: %d", r.Status)
	}
	log, _ := os.ReadFile(s.logPath)
	if bytes.Contains(log, []byte(cccd)) || bytes.Contains(log, []byte("2004-04-12")) {
		t.Error("the service log holds a CCCD or a date of birth")
	}
	s.stop()

	check := func() (string, error) {
		cmd := exec.Command(sohoaBin, "check")
		cmd.Env = append(os.Environ(), "SOHOA_DATA="+data)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := check(); err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("check of an untouched log: %v\n%s", err, out)
	}
	// Someone edits an entry in the catalog: check fails and says which.
	db, err := sql.Open("sqlite", filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE audit SET username = 'someone.else' WHERE seq = 5"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err := check()
	if err == nil || !strings.Contains(out, "entry 5 was edited") || !strings.Contains(out, "differs from its sealed copy") {
		t.Fatalf("check after an edit: %v\n%s", err, out)
	}
}

// TestCommandLine adds a unit and a user from the shell, as an operator
// does on a new machine, and uses the token it prints.
func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	data := filepath.Join(t.TempDir(), "data")
	run := func(env []string, args ...string) string {
		cmd := exec.Command(sohoaBin, args...)
		cmd.Env = append(append(os.Environ(), "SOHOA_DATA="+data, "SOHOA_ADMIN_TOKEN="+adminToken), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sohoa %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run(nil, "unit", "add", "-id", "THA", "-name", "Trường THPT A", "-kind", "truong", "-parent", "SGD")
	out := run([]string{"SOHOA_PASSWORD=mật khẩu của văn thư"}, "user", "add", "-username", "vt.tha", "-full-name", "Nguyễn Thị Hoa", "-unit", "THA", "-role", "clerk", "-token")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	s := startServer(t, data)
	var me struct {
		Username string
		UnitID   string `json:"unit_id"`
		Role     string
	}
	r := s.do("GET", "/api/v1/me", token, nil, "")
	r.json(t, &me)
	if r.Status != 200 || me.Username != "vt.tha" || me.UnitID != "THA" || me.Role != "clerk" {
		t.Fatalf("the printed token: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v1/login", "", strings.NewReader(`{"username":"vt.tha","password":"mật khẩu của văn thư"}`), "application/json"); r.Status != 200 {
		t.Fatalf("login with the password given to user add: %d %s", r.Status, r.Body)
	}
}
