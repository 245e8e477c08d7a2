package directory

import (
	"context"
	"fmt"
	"testing"

	"sohoa"
)

// TestSavedSearches: a user's searches are theirs, kept in the store (a
// new directory over the same store has them), one name once, only ever a
// search of the page.
func TestSavedSearches(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	hoa := &sohoa.Principal{Username: "vt.hoa", Role: sohoa.RoleClerk, UnitPath: "/SGD/THA/"}
	lan := &sohoa.Principal{Username: "cb.lan", Role: sohoa.RoleOfficial, UnitPath: "/SGD/"}
	first, err := f.dir.SaveSearch(ctx, hoa, " Bằng 2022 ", "/tim-kiem?q=nguyen+van+an&type=van_bang&csrf=abc&tu=40")
	if err != nil {
		t.Fatal(err)
	}
	if first.Name != "Bằng 2022" || first.Link != "/tim-kiem?q=nguyen+van+an&type=van_bang" {
		t.Errorf("saved %q as %q: the page's own parameters only", first.Name, first.Link)
	}
	if _, err := f.dir.SaveSearch(ctx, hoa, "Chưa duyệt", "/ho-so?chua-duyet=1&sap-xep=title"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.SaveSearch(ctx, hoa, "Bằng 2022", "/tim-kiem?q=nguyen+van+an&from=01/01/2022"); err != nil {
		t.Fatal(err)
	}
	again := New(f.cat, f.store, f.audit) // as after a restart
	got, err := again.SavedSearches(ctx, hoa)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Bằng 2022" || got[0].Link != "/tim-kiem?from=01%2F01%2F2022&q=nguyen+van+an" || got[1].Name != "Chưa duyệt" {
		t.Fatalf("after a restart: %+v", got)
	}
	if other, _ := again.SavedSearches(ctx, lan); len(other) != 0 {
		t.Errorf("another user sees %d saved searches", len(other))
	}
	if err := again.DeleteSavedSearch(ctx, lan, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if still, _ := again.SavedSearches(ctx, hoa); len(still) != 2 {
		t.Errorf("another user deleted a saved search: %d left", len(still))
	}
	if err := again.DeleteSavedSearch(ctx, hoa, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := again.SavedSearches(ctx, hoa); len(left) != 1 || left[0].Name != "Chưa duyệt" {
		t.Errorf("after deleting one: %+v", left)
	}
	for _, link := range []string{"https://example.org/tim-kiem?q=x", "//example.org/tim-kiem?q=x", "/quan-tri?q=x", "/tim-kiem", "/tim-kiem?csrf=x"} {
		if _, err := f.dir.SaveSearch(ctx, hoa, "x", link); sohoa.ErrorCode(err) != sohoa.EINVALID {
			t.Errorf("saving %q: %v, want invalid", link, err)
		}
	}
	for i := range MaxSavedSearches {
		if _, err := f.dir.SaveSearch(ctx, lan, fmt.Sprint("tìm ", i), fmt.Sprintf("/tim-kiem?q=%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.dir.SaveSearch(ctx, lan, "một nữa", "/tim-kiem?q=x"); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Errorf("search %d: %v, want refused", MaxSavedSearches+1, err)
	}
	if _, err := f.dir.SaveSearch(ctx, &sohoa.Principal{Username: "he-thong", Role: sohoa.RoleSystem}, "x", "/tim-kiem?q=x"); sohoa.ErrorCode(err) != sohoa.EFORBIDDEN {
		t.Errorf("a procedure system saving a search: %v", err)
	}
}
