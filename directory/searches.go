package directory

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sohoa"
	"sohoa/store"
)

// A user's saved searches live in the store, one blob a user, so that they
// survive a rebuild of the catalog like everything else a user made.

// MaxSavedSearches is how many searches one user keeps.
const MaxSavedSearches = 50

// The pages a saved search may open, and the parameters each takes.
var searchPages = map[string][]string{
	"/tim-kiem": {"q", "type", "unit", "from", "to"},
	"/ho-so":    {"trang-thai", "loai", "don-vi", "nam", "tu-ngay", "den-ngay", "chua-duyet", "sap-xep"},
}

type savedSearches struct {
	Searches []sohoa.SavedSearch `json:"searches"`
}

// SavedSearches returns p's saved searches, the latest first.
func (d *Directory) SavedSearches(ctx context.Context, p *sohoa.Principal) ([]sohoa.SavedSearch, error) {
	if p.Username == "" {
		return nil, nil
	}
	var s savedSearches
	err := store.GetJSON(ctx, d.store, store.SavedSearchesKey(p.Username), &s)
	if sohoa.IsNotFound(err) {
		return nil, nil
	}
	return s.Searches, err
}

// SaveSearch keeps the search at link (a page of the web page and its
// query, "/tim-kiem?q=...") under name; one of the same name is replaced.
func (d *Directory) SaveSearch(ctx context.Context, p *sohoa.Principal, name, link string) (*sohoa.SavedSearch, error) {
	if p.Username == "" || p.Role == sohoa.RoleSystem {
		return nil, sohoa.Errorf(sohoa.EFORBIDDEN, "Chỉ người dùng đăng nhập mới lưu được tìm kiếm.")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, sohoa.FieldError("name", "Tên tìm kiếm cần từ 1 đến 100 ký tự.")
	}
	clean, err := cleanSearchLink(link)
	if err != nil {
		return nil, err
	}
	saved := sohoa.SavedSearch{ID: sohoa.NewID(d.now()), Name: name, Link: clean, SavedAt: d.now().UTC().Truncate(time.Second)}
	_, err = store.UpdateJSON(ctx, d.store, store.SavedSearchesKey(p.Username), func(s *savedSearches, _ bool) error {
		s.Searches = slices.DeleteFunc(s.Searches, func(x sohoa.SavedSearch) bool { return x.Name == name })
		if len(s.Searches) >= MaxSavedSearches {
			return sohoa.FieldError("name", "Đã lưu %d tìm kiếm, số tối đa; hãy xóa bớt tìm kiếm cũ.", len(s.Searches))
		}
		s.Searches = append([]sohoa.SavedSearch{saved}, s.Searches...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &saved, nil
}

// DeleteSavedSearch removes p's saved search id (gone already is fine).
func (d *Directory) DeleteSavedSearch(ctx context.Context, p *sohoa.Principal, id string) error {
	if p.Username == "" {
		return nil
	}
	_, err := store.UpdateJSON(ctx, d.store, store.SavedSearchesKey(p.Username), func(s *savedSearches, exists bool) error {
		n := len(s.Searches)
		s.Searches = slices.DeleteFunc(s.Searches, func(x sohoa.SavedSearch) bool { return x.ID == id })
		if !exists || len(s.Searches) == n {
			return store.ErrUnchanged
		}
		return nil
	})
	return err
}

// cleanSearchLink keeps of link its page and the parameters that page
// takes, so that a saved search only ever opens a search.
func cleanSearchLink(link string) (string, error) {
	bad := sohoa.FieldError("link", "Không lưu được tìm kiếm này.")
	if len(link) > 2000 {
		return "", bad
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", bad
	}
	params, ok := searchPages[u.Path]
	if !ok {
		return "", bad
	}
	q, kept := u.Query(), url.Values{}
	for _, k := range params {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	if len(kept) == 0 {
		return "", sohoa.FieldError("link", "Hãy tìm hoặc chọn bộ lọc trước khi lưu.")
	}
	return u.Path + "?" + kept.Encode(), nil
}
