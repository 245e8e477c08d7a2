package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"sohoa"
	"sohoa/report"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// view is what every page template gets.
type view struct {
	Title     string
	Principal *sohoa.Principal
	// CSRF is the token every form of the page carries.
	CSRF string
	// Problem is an error to show at the top, Notice a success.
	Problem, Notice string
	// Fields are the form's fields at fault, by name.
	Fields  map[string]string
	Data    any
	Version string
	// Nav is the menu entry of the page.
	Nav string
}

// entryColumn is a column of the table of a register page's rows.
type entryColumn struct {
	Name, Label string
	Date        bool
}

// entryCells are the cells of a row a person may set (sohoa.EntryFields,
// labelled as a diploma's fields, the CCCD's shorter for a table);
// entryColumns the table's columns, the row's stt first.
var entryCells, entryColumns = func() ([]entryColumn, []entryColumn) {
	var cells []entryColumn
	for _, name := range sohoa.EntryFields {
		f, _ := sohoa.DocTypes[sohoa.TypeVanBang].Field(name)
		label := f.Label
		if name == "so_dinh_danh" {
			label = "Số định danh"
		}
		cells = append(cells, entryColumn{Name: name, Label: label, Date: f.Kind == sohoa.KindDate})
	}
	return cells, append([]entryColumn{{Name: "stt", Label: "STT"}}, cells...)
}()

// inputField is what the template "input" shows.
type inputField struct{ Name, Label, Value, Placeholder, Problem string }

// pages are the parsed templates, one set per page with the layout.
type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	// date is dd/mm/yyyy, datetime hh:mm dd/mm/yyyy, in Vietnam's time.
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(sohoa.Vietnam).Format("02/01/2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(sohoa.Vietnam).Format("15:04 02/01/2006")
	},
	// isoDate shows a YYYY-MM-DD field as dd/mm/yyyy.
	"isoDate": func(s string) string {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t.Format("02/01/2006")
		}
		return s
	},
	"number":      formatNumber,
	"statusName":  statusName,
	"roleName":    roleName,
	"typeLabel":   typeLabel,
	"changeField": changeField,
	"changeValue": changeValue,
	"add":         func(a, b int) int { return a + b },
	"monthVN":     report.MonthVN,
	// duration is a median of n cases, in hours or days.
	"duration": func(n int, seconds float64) string {
		switch {
		case n == 0:
			return "–"
		case seconds < 60:
			return "dưới 1 phút"
		case seconds < 3600:
			return strconv.Itoa(int(seconds/60+0.5)) + " phút"
		case seconds < 48*3600:
			return strconv.FormatFloat(seconds/3600, 'f', 1, 64) + " giờ"
		}
		return strconv.FormatFloat(seconds/86400, 'f', 1, 64) + " ngày"
	},
	"lines": lines,
	"kindName": func(k string) string {
		return map[string]string{"so": "Sở", "phong": "phòng, ban", "truong": "trường", "khac": "khác"}[k]
	},
	"roles": func() []string { return []string{sohoa.RoleClerk, sohoa.RoleOfficial, sohoa.RoleAdmin} },
	"actionName": func(a string) string {
		if n, ok := actionNames[a]; ok {
			return n
		}
		return a
	},
	"typesOf": docTypes,
	"sent": func(form map[string]string, m sohoa.Metadata, name string) string {
		if form != nil {
			return form[name]
		}
		switch v := m[name].(type) {
		case nil:
			return ""
		case []string:
			return strings.Join(v, "\n")
		case string:
			if len(v) == 10 && v[4] == '-' && v[7] == '-' { // a date, as people write it
				if t, err := time.Parse("2006-01-02", v); err == nil {
					return t.Format("02/01/2006")
				}
			}
			return v
		default:
			return fmt.Sprint(v)
		}
	},
	"isText":  func(k sohoa.FieldKind) bool { return k == sohoa.KindLongText || k == sohoa.KindList },
	"isEnum":  func(k sohoa.FieldKind) bool { return k == sohoa.KindEnum },
	"isDate":  func(k sohoa.FieldKind) bool { return k == sohoa.KindDate },
	"percent": func(a, b int) string { return strconv.FormatFloat(100*float64(a)/float64(max(b, 1)), 'f', 3, 64) + "%" },
	"safe":    func(s string) template.HTML { return template.HTML(s) }, // snippets: escaped by the index, <mark> its own
	// input is a short text field of a page's form, with its problem.
	"input": func(v *view, name, label, value, placeholder string) inputField {
		return inputField{Name: name, Label: label, Value: value, Placeholder: placeholder, Problem: v.Fields[name]}
	},
	"proposalValue": func(p sohoa.Proposal) string { return fmt.Sprint(p.Value) },
	// searchLabel is the label of a field of the search form.
	"searchLabel": func(name string) string { return searchLabels[name] },
	// entryColumns are the columns of a register page's rows.
	"entryColumns": func() []entryColumn { return entryColumns },
	// pair passes two values to a template.
	"pair": func(a, b any) struct{ A, B any } { return struct{ A, B any }{a, b} },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
	"field": func(m sohoa.Metadata, name string) string {
		switch v := m[name].(type) {
		case nil:
			return ""
		case []string:
			return strings.Join(v, "\n")
		default:
			return fmt.Sprint(v)
		}
	},
}

// formatNumber writes an integer the Vietnamese way: 41.736.
func formatNumber(v any) string {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case uint64:
		n = int64(v)
	case *int:
		if v != nil {
			n = int64(*v)
		}
	default:
		return fmt.Sprint(v)
	}
	if n < 0 {
		return "-" + formatNumber(-n)
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// actionNames say in Vietnamese what an audit entry records.
var actionNames = map[string]string{
	sohoa.ActionRead: "xem hồ sơ", sohoa.ActionText: "xem nội dung", sohoa.ActionPageText: "xem nội dung trang", sohoa.ActionPageImage: "xem ảnh trang",
	sohoa.ActionSearch: "tìm kiếm", sohoa.ActionList: "xem danh sách", sohoa.ActionPeople: "tra theo người", sohoa.ActionCreate: "tải lên",
	sohoa.ActionUpdate: "sửa thông tin", sohoa.ActionDelete: "xóa", sohoa.ActionHistory: "xem lịch sử", sohoa.ActionLogin: "đăng nhập",
	sohoa.ActionUnitAdd: "thêm đơn vị", sohoa.ActionUserAdd: "thêm người dùng", sohoa.ActionUserEdit: "sửa người dùng",
	sohoa.ActionTokenAdd: "cấp mã truy cập", sohoa.ActionTokenDrop: "thu hồi mã truy cập", sohoa.ActionAuditRead: "xem nhật ký",
	sohoa.ActionApprove: "phê duyệt", sohoa.ActionRevoke: "thu hồi phê duyệt", sohoa.ActionSignedPDF: "tải bản sao", sohoa.ActionReceipt: "tải biên nhận",
	sohoa.ActionVerifiedLookup: "hệ thống tra cứu", sohoa.ActionVerifiedFetch: "hệ thống lấy bản sao",
}

func statusName(s sohoa.Status) string {
	switch s {
	case sohoa.StatusQueued:
		return "Đang chờ nhận dạng"
	case sohoa.StatusProcessing:
		return "Đang nhận dạng"
	case sohoa.StatusReady:
		return "Sẵn sàng"
	case sohoa.StatusFailed:
		return "Lỗi"
	}
	return string(s)
}

func roleName(r string) string {
	return map[string]string{sohoa.RoleAdmin: "Quản trị", sohoa.RoleClerk: "Văn thư", sohoa.RoleOfficial: "Cán bộ", sohoa.RoleSystem: "Hệ thống"}[r]
}

func mustParsePages(as *assets) *pages {
	ps := &pages{byName: map[string]*template.Template{}}
	fm := template.FuncMap{"asset": as.url}
	for k, v := range funcs {
		fm[k] = v
	}
	layout := template.Must(template.New("layout.html").Funcs(fm).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html"))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "parts.html" {
			continue
		}
		t := template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, n))
		ps.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return ps
}

// render writes page name with v, or the fragment "fragment" of it when
// htmx asks for part of a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t, ok := s.pages.byName[name]
	if !ok {
		panic("no page " + name)
	}
	if v.CSRF == "" {
		v.CSRF, _ = r.Context().Value(csrfKey{}).(string)
	}
	v.Version = s.Version
	root := "layout.html"
	if t.Lookup("content") == nil || r.Header.Get("HX-Request") == "true" && t.Lookup("fragment") != nil {
		root = "fragment" // a part of a page, asked for by the page's script
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, root, v); err != nil {
		s.Log.Error("render", "page", name, "err", err)
		http.Error(w, "Lỗi hệ thống khi hiển thị trang.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// assets are the embedded static files, each kept gzipped too, served
// under a name with their digest so that a browser keeps them for good.
type assets struct {
	byName map[string]*asset
}

type asset struct {
	name, hash, contentType string
	plain, gzipped          []byte
}

func mustLoadAssets() *assets {
	as := &assets{byName: map[string]*asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		name := path.Base(p)
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		as.byName[name] = &asset{name: name, hash: hex.EncodeToString(sum[:6]), contentType: ct, plain: b, gzipped: gz.Bytes()}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return as
}

// url is where the page links asset name: with its digest, so that a new
// release is fetched anew and an unchanged one never again.
func (as *assets) url(name string) string {
	a, ok := as.byName[name]
	if !ok {
		panic("no asset " + name)
	}
	return "/static/" + name + "?v=" + a.hash
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets.byName[mux.Vars(r)["name"]]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", `"`+a.hash+`"`)
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if strings.Contains(r.Header.Get("If-None-Match"), a.hash) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.plain
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func typeLabel(t string) string {
	if dt, ok := sohoa.DocTypes[t]; ok {
		return dt.Label
	}
	return "Chưa phân loại"
}

// changedField is the field of a record a change names ("title", "type",
// "metadata.<name>"), looked for in the record's type first, then in the
// others (a field of the type it had before).
func changedField(typ, name string) *sohoa.Field {
	name, ok := strings.CutPrefix(name, "metadata.")
	if !ok {
		return nil
	}
	if t, ok := sohoa.DocTypes[typ]; ok {
		if f, ok := t.Field(name); ok {
			return f
		}
	}
	for _, n := range sohoa.TypeNames() {
		if f, ok := sohoa.DocTypes[n].Field(name); ok {
			return f
		}
	}
	return nil
}

// changeField is a change's field as the record's form labels it.
func changeField(typ, name string) string {
	switch name {
	case "title":
		return "Tiêu đề"
	case "type":
		return "Loại hồ sơ"
	}
	if f := changedField(typ, name); f != nil {
		return f.Label
	}
	return name
}

// changeValue is a changed value as the form shows it: a type by its
// label, a date as dd/mm/yyyy, a list a line each, nothing as "".
func changeValue(typ, name string, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if name == "type" {
			if v == "" {
				return ""
			}
			return typeLabel(v)
		}
		if f := changedField(typ, name); f != nil && f.Kind == sohoa.KindDate {
			if t, err := time.Parse("2006-01-02", v); err == nil {
				return t.Format("02/01/2006")
			}
			if year, masked := strings.CutSuffix(v, "-**-**"); masked { // a birth date, masked, as people write it
				return "**/**/" + year
			}
		}
		return v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}
