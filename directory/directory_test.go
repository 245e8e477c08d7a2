package directory

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sohoa"
	"sohoa/catalog"
	"sohoa/store"
	"sohoa/store/fs"
)

type auditLog struct {
	mu      sync.Mutex
	entries []*sohoa.AuditEntry
}

func (a *auditLog) Record(_ context.Context, e *sohoa.AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return nil
}

// brokenStore fails every write while broken is set, as a full disk does.
type brokenStore struct {
	store.Store
	mu     sync.Mutex
	broken bool
}

func (b *brokenStore) fail() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.broken {
		return store.Unavailable("put", "x", errors.New("no space left on device"))
	}
	return nil
}

func (b *brokenStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := b.fail(); err != nil {
		return err
	}
	return b.Store.Put(ctx, key, r, size)
}

func (b *brokenStore) Swap(ctx context.Context, key string, data []byte, old store.Version) (store.Version, error) {
	if err := b.fail(); err != nil {
		return store.Absent, err
	}
	return b.Store.Swap(ctx, key, data, old)
}

// flakyCatalog fails the next insert of a user, as a process dying between
// the store and the catalog leaves things.
type flakyCatalog struct {
	*catalog.DB
	failUsers int
}

func (f *flakyCatalog) InsertUser(ctx context.Context, u *sohoa.User) error {
	if f.failUsers > 0 {
		f.failUsers--
		return errors.New("database is locked")
	}
	return f.DB.InsertUser(ctx, u)
}

type fixture struct {
	dir   *Directory
	cat   *catalog.DB
	store *brokenStore
	audit *auditLog
	path  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	s, err := fs.Open(filepath.Join(root, "store"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: &brokenStore{Store: s}, audit: &auditLog{}, path: root}
	f.cat = openCatalog(t, filepath.Join(root, "catalog.db"))
	f.dir = New(f.cat, f.store, f.audit)
	f.dir.PasswordCost = Argon2{Time: 1, Memory: 1 << 10} // a test's passwords need not resist anyone
	if _, _, err := f.dir.Bootstrap(context.Background(), &sohoa.Unit{ID: "SGD", Name: "Sở Giáo dục và Đào tạo", Kind: "so"}, "admin-token-0123456789"); err != nil {
		t.Fatal(err)
	}
	return f
}

func openCatalog(t *testing.T, path string) *catalog.DB {
	t.Helper()
	db, err := catalog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var op = sohoa.Operator()

func clerk(username string) *sohoa.User {
	return &sohoa.User{Username: username, FullName: "Nguyễn Thị Hoa", UnitID: "THA", Role: sohoa.RoleClerk}
}

func TestStoreFirst(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.store.broken = true
	if err := f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"}); sohoa.ErrorCode(err) != sohoa.EUNAVAILABLE {
		t.Fatalf("AddUnit with the store down: %v", err)
	}
	if _, err := f.cat.Unit(ctx, "THA"); !sohoa.IsNotFound(err) {
		t.Fatalf("a unit the store refused is in the catalog: %v", err)
	}
	admin, _ := f.cat.UserByUsername(ctx, "admin")
	if _, _, err := f.dir.AddToken(ctx, op, admin.ID, "máy quét"); sohoa.ErrorCode(err) != sohoa.EUNAVAILABLE {
		t.Fatalf("AddToken with the store down: %v", err)
	}
	if ts, _ := f.cat.Tokens(ctx, admin.ID); len(ts) != 1 {
		t.Fatalf("a token the store refused is in the catalog: %d tokens", len(ts))
	}
	f.store.broken = false
	if err := f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"}); err != nil {
		t.Fatal(err)
	}
	u := clerk("vt.tha")
	if err := f.dir.AddUser(ctx, op, u, "mật khẩu đủ dài"); err != nil {
		t.Fatal(err)
	}
	f.store.broken = true
	if _, err := f.dir.SetUserDisabled(ctx, op, u.ID, true); sohoa.ErrorCode(err) != sohoa.EUNAVAILABLE {
		t.Fatalf("disable with the store down: %v", err)
	}
	if got, _ := f.cat.User(ctx, u.ID); got.DisabledAt != nil {
		t.Fatal("the catalog disabled a user the store still holds enabled")
	}
}

// TestAnInterruptedAddIsTakenOver: the store took the user, the catalog did
// not; adding it again works, and a rebuild finds one user.
func TestAnInterruptedAddIsTakenOver(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	flaky := &flakyCatalog{DB: f.cat, failUsers: 1}
	f.dir.cat = flaky
	if err := f.dir.AddUser(ctx, op, clerk("vt.tha"), "mật khẩu thứ nhất"); err == nil {
		t.Fatal("the catalog failed and AddUser said nothing")
	}
	u := clerk("vt.tha")
	if err := f.dir.AddUser(ctx, op, u, "mật khẩu thứ hai"); err != nil {
		t.Fatalf("adding again after an interrupted add: %v", err)
	}
	if err := f.dir.AddUser(ctx, op, clerk("vt.tha"), "mật khẩu thứ ba"); sohoa.ErrorCode(err) != sohoa.ECONFLICT {
		t.Fatalf("a third add of a user that exists: %v", err)
	}
	rebuilt := New(openCatalog(t, filepath.Join(t.TempDir(), "catalog.db")), f.store, &auditLog{})
	if _, users, _, err := rebuilt.Restore(ctx); err != nil || users != 2 {
		t.Fatalf("restore: %d users, %v; want admin and vt.tha", users, err)
	}
	if _, err := rebuilt.Login(ctx, "vt.tha", "mật khẩu thứ hai", "127.0.0.1"); err != nil {
		t.Fatalf("the password of the add that completed: %v", err)
	}
}

// TestTwoAddsOfOneUsername: two directories on one store and catalog (two
// processes) add the same username at once; one wins, and the store and
// the catalog agree on which.
func TestTwoAddsOfOneUsername(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	other := New(openCatalog(t, filepath.Join(f.path, "catalog.db")), f.store, &auditLog{})
	other.PasswordCost = f.dir.PasswordCost
	for round := range 10 {
		name := "vt" + string(rune('a'+round))
		users := [2]*sohoa.User{clerk(name), clerk(name)}
		errs := make(chan error, 2)
		for i, d := range []*Directory{f.dir, other} {
			go func() { errs <- d.AddUser(ctx, op, users[i], "mật khẩu đủ dài") }()
		}
		e1, e2 := <-errs, <-errs
		if (e1 == nil) == (e2 == nil) {
			t.Fatalf("round %d: %v and %v; want one success and one conflict", round, e1, e2)
		}
		inCatalog, _ := f.cat.UserByUsername(ctx, name)
		var inStore userRecord
		store.GetJSON(ctx, f.store, store.UserKey(name), &inStore)
		if inStore.User == nil || inStore.ID != inCatalog.ID {
			t.Fatalf("round %d: the store holds %+v, the catalog %s", round, inStore.User, inCatalog.ID)
		}
	}
}

func TestEveryFieldAtFault(t *testing.T) {
	f := newFixture(t)
	err := f.dir.AddUser(context.Background(), op, &sohoa.User{Username: "A B", Role: "boss", UnitID: "NOPE"}, "short")
	var e *sohoa.Error
	if !errors.As(err, &e) || e.Code != sohoa.EINVALID {
		t.Fatalf("a bad user: %v", err)
	}
	var fields []string
	for _, p := range e.Fields {
		fields = append(fields, p.Field)
	}
	if got := strings.Join(fields, ","); got != "username,full_name,role,password,unit_id" {
		t.Fatalf("fields at fault %q", got)
	}
}

// TestDirectorySurvivesRebuild: what the directory confirmed comes back
// from the store alone, disabled and revoked as it was.
func TestDirectorySurvivesRebuild(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "PGD", Name: "Phòng Giáo dục Trung học", Kind: "phong", ParentID: "SGD"})
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "PGD"})
	hoa, an := clerk("vt.tha"), clerk("vt.an")
	f.dir.AddUser(ctx, op, hoa, "mật khẩu của Hoa")
	f.dir.AddUser(ctx, op, an, "mật khẩu của An")
	sys := &sohoa.User{Username: "dvc", FullName: "Cổng dịch vụ công", UnitID: "SGD", Role: sohoa.RoleSystem,
		Scope: &sohoa.ClientScope{Types: []string{sohoa.TypeVanBang}, Units: []string{"SGD"}}}
	if err := f.dir.AddUser(ctx, op, sys, ""); err != nil {
		t.Fatal(err)
	}
	keep, _, _ := f.dir.AddToken(ctx, op, hoa.ID, "máy quét")
	revoked, rt, _ := f.dir.AddToken(ctx, op, hoa.ID, "cũ")
	if err := f.dir.RevokeToken(ctx, op, rt.ID); err != nil {
		t.Fatal(err)
	}
	sysToken, _, _ := f.dir.AddToken(ctx, op, sys.ID, "cổng")
	if _, err := f.dir.SetUserDisabled(ctx, op, an.ID, true); err != nil {
		t.Fatal(err)
	}

	rebuilt := New(openCatalog(t, filepath.Join(t.TempDir(), "catalog.db")), f.store, &auditLog{})
	units, users, tokens, err := rebuilt.Restore(ctx)
	if err != nil || units != 3 || users != 4 || tokens != 4 {
		t.Fatalf("restored %d units, %d users, %d tokens, %v; want 3, 4 (admin too), 4", units, users, tokens, err)
	}
	if p, err := rebuilt.Authenticate(ctx, keep); err != nil || p.Username != "vt.tha" || p.UnitPath != "/SGD/PGD/THA/" {
		t.Fatalf("a kept token after rebuild: %+v, %v", p, err)
	}
	if _, err := rebuilt.Authenticate(ctx, revoked); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("a revoked token after rebuild: %v", err)
	}
	if p, err := rebuilt.Authenticate(ctx, sysToken); err != nil || p.Scope == nil || p.Scope.Types[0] != sohoa.TypeVanBang {
		t.Fatalf("a procedure system's scope after rebuild: %+v, %v", p, err)
	}
	if _, err := rebuilt.Authenticate(ctx, "admin-token-0123456789"); err != nil {
		t.Fatalf("the admin token after rebuild: %v", err)
	}
	if _, err := rebuilt.Login(ctx, "vt.tha", "mật khẩu của Hoa", "127.0.0.1"); err != nil {
		t.Fatalf("a password after rebuild: %v", err)
	}
	if _, err := rebuilt.Login(ctx, "vt.an", "mật khẩu của An", "127.0.0.1"); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("a disabled user after rebuild: %v", err)
	}
}

// TestDisablingEndsSessionsForGood: enabling a user again does not bring
// back the sessions or the API tokens it had.
func TestDisablingEndsSessionsForGood(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	u := clerk("vt.tha")
	f.dir.AddUser(ctx, op, u, "mật khẩu đủ dài")
	s, err := f.dir.Login(ctx, "VT.THA ", "mật khẩu đủ dài", "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	api, _, _ := f.dir.AddToken(ctx, op, u.ID, "máy quét")
	f.dir.SetUserDisabled(ctx, op, u.ID, true)
	for _, tok := range []string{s.Token, api} {
		if _, err := f.dir.Authenticate(ctx, tok); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
			t.Fatalf("a disabled user's token: %v", err)
		}
	}
	f.dir.SetUserDisabled(ctx, op, u.ID, false)
	if _, err := f.dir.Authenticate(ctx, s.Token); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("a session from before the user was disabled: %v", err)
	}
	// An API token from before is not revived either (a leaked one would
	// be); a new one works.
	if _, err := f.dir.Authenticate(ctx, api); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("an API token from before the user was disabled: %v", err)
	}
	if f.audit.entries[len(f.audit.entries)-1].Action != sohoa.ActionUserEdit {
		t.Fatal("enabling a user was not audited")
	}
	fresh, _, _ := f.dir.AddToken(ctx, op, u.ID, "máy quét mới")
	if _, err := f.dir.Authenticate(ctx, fresh); err != nil {
		t.Fatalf("a token made after the user is enabled again: %v", err)
	}
	// A session ends at logout, and a short one on its own.
	s2, err := f.dir.Login(ctx, "vt.tha", "mật khẩu đủ dài", "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.dir.Logout(ctx, s2.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Authenticate(ctx, s2.Token); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("a session after logout: %v", err)
	}
	f.dir.SessionTTL = time.Millisecond
	s3, err := f.dir.Login(ctx, "vt.tha", "mật khẩu đủ dài", "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, err := f.dir.Authenticate(ctx, s3.Token); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("an expired session: %v", err)
	}
}

func TestRolesAndReach(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	a, b := clerk("vt.a"), clerk("vt.b")
	f.dir.AddUser(ctx, op, a, "mật khẩu đủ dài")
	f.dir.AddUser(ctx, op, b, "mật khẩu đủ dài")
	pa := &sohoa.Principal{UserID: a.ID, Username: a.Username, Role: sohoa.RoleClerk, UnitPath: "/SGD/THA/"}
	if err := f.dir.AddUnit(ctx, pa, &sohoa.Unit{ID: "X", Name: "x", Kind: "khac", ParentID: "SGD"}); sohoa.ErrorCode(err) != sohoa.EFORBIDDEN {
		t.Fatalf("a clerk adds a unit: %v", err)
	}
	if err := f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "ROOT2", Name: "x", Kind: "so"}); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("a second root: %v", err)
	}
	if _, _, err := f.dir.AddToken(ctx, pa, b.ID, "của người khác"); sohoa.ErrorCode(err) != sohoa.EFORBIDDEN {
		t.Fatalf("a clerk makes a token for another: %v", err)
	}
	_, tb, _ := f.dir.AddToken(ctx, op, b.ID, "của B")
	if err := f.dir.RevokeToken(ctx, pa, tb.ID); !sohoa.IsNotFound(err) {
		t.Fatalf("a clerk revokes another's token: %v", err)
	}
	if ts, _ := f.dir.Tokens(ctx, pa, b.ID); len(ts) != 0 {
		t.Fatalf("a clerk lists another's tokens: %d", len(ts))
	}
	if _, err := f.dir.Users(ctx, pa); sohoa.ErrorCode(err) != sohoa.EFORBIDDEN {
		t.Fatalf("a clerk lists users: %v", err)
	}
}

// TestLoginThrottle: wrong passwords cost more and more, then lock the
// account out, which the person is told in Vietnamese with until when;
// the right password then waits too. Another address trying many
// usernames is locked out as an address.
func TestLoginThrottle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.Throttle.Delay = time.Millisecond
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	f.dir.AddUser(ctx, op, clerk("vt.tha"), "mật khẩu đúng đây")
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	f.dir.now = func() time.Time { return now }
	for i := 1; i < 5; i++ {
		if _, err := f.dir.Login(ctx, "vt.tha", "sai", "10.0.0.1"); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, err := f.dir.Login(ctx, "vt.tha", "sai", "10.0.0.1")
	var e *sohoa.Error
	if !errors.As(err, &e) || e.Code != sohoa.ETOOMANY || !strings.Contains(e.Message, "tạm bị khóa đến 15:15 ngày 01/12/2026") || e.RetryAfter != 15*time.Minute {
		t.Fatalf("the fifth failure: %+v", err)
	}
	if _, err := f.dir.Login(ctx, "vt.tha", "mật khẩu đúng đây", "10.0.0.2"); sohoa.ErrorCode(err) != sohoa.ETOOMANY {
		t.Fatalf("the right password while locked out: %v", err)
	}
	now = now.Add(16 * time.Minute)
	if _, err := f.dir.Login(ctx, "vt.tha", "mật khẩu đúng đây", "10.0.0.2"); err != nil {
		t.Fatalf("the right password after the lock: %v", err)
	}
	// A success forgets the failures: four more do not lock.
	for range 4 {
		f.dir.Login(ctx, "vt.tha", "sai", "10.0.0.3")
	}
	if _, err := f.dir.Login(ctx, "vt.tha", "mật khẩu đúng đây", "10.0.0.3"); err != nil {
		t.Fatalf("after four failures since the last success: %v", err)
	}
	// One address guessing across usernames.
	for i := range 19 {
		f.dir.Login(ctx, "nguoi"+string(rune('a'+i)), "sai", "10.9.9.9")
	}
	if _, err := f.dir.Login(ctx, "vt.tha", "sai", "10.9.9.9"); !errors.As(err, &e) || e.Code != sohoa.ETOOMANY || !strings.Contains(e.Message, "Máy của bạn") {
		t.Fatalf("the twentieth failure from one address: %v", err)
	}
}

func TestIdleSessionsEnd(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	f.dir.AddUser(ctx, op, clerk("vt.tha"), "mật khẩu đúng đây")
	now := time.Now()
	f.dir.now = func() time.Time { return now }
	s, err := f.dir.Login(ctx, "vt.tha", "mật khẩu đúng đây", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for range 5 { // used every 20 minutes: stays open
		now = now.Add(20 * time.Minute)
		if _, err := f.dir.Authenticate(ctx, s.Token); err != nil {
			t.Fatalf("a session used every 20 minutes, after %s: %v", now.Sub(s.ExpiresAt.Add(-f.dir.SessionTTL)), err)
		}
	}
	now = now.Add(31 * time.Minute)
	if _, err := f.dir.Authenticate(ctx, s.Token); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED || !strings.Contains(sohoa.ErrorMessage(err), "lâu không sử dụng") {
		t.Fatalf("a session unused for 31 minutes: %v", err)
	}
}

// TestResetPasswordAndRole: an admin gives a new password or role; the
// user's sessions end, the old password no longer opens, the change
// survives a rebuild.
func TestResetPasswordAndRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.dir.AddUnit(ctx, op, &sohoa.Unit{ID: "THA", Name: "Trường THPT A", Kind: "truong", ParentID: "SGD"})
	u := clerk("vt.tha")
	f.dir.AddUser(ctx, op, u, "mật khẩu cũ đây")
	s, _ := f.dir.Login(ctx, "vt.tha", "mật khẩu cũ đây", "10.0.0.1")
	if _, err := f.dir.ResetPassword(ctx, op, u.ID, "ngắn"); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("a short password: %v", err)
	}
	if _, err := f.dir.ResetPassword(ctx, op, u.ID, "mật khẩu mới đây"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Authenticate(ctx, s.Token); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("a session from before the reset: %v", err)
	}
	if _, err := f.dir.Login(ctx, "vt.tha", "mật khẩu cũ đây", "10.0.0.1"); sohoa.ErrorCode(err) != sohoa.EUNAUTHORIZED {
		t.Fatalf("the old password: %v", err)
	}
	if _, err := f.dir.SetRole(ctx, op, u.ID, sohoa.RoleOfficial); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.SetRole(ctx, op, u.ID, sohoa.RoleSystem); sohoa.ErrorCode(err) != sohoa.EINVALID {
		t.Fatalf("a person made a procedure system: %v", err)
	}
	rebuilt := New(openCatalog(t, filepath.Join(t.TempDir(), "catalog.db")), f.store, &auditLog{})
	rebuilt.Restore(ctx)
	s2, err := rebuilt.Login(ctx, "vt.tha", "mật khẩu mới đây", "10.0.0.1")
	if err != nil {
		t.Fatalf("the new password after a rebuild: %v", err)
	}
	if p, _ := rebuilt.Authenticate(ctx, s2.Token); p.Role != sohoa.RoleOfficial {
		t.Fatalf("the new role after a rebuild: %s", p.Role)
	}
	pa := &sohoa.Principal{UserID: u.ID, Role: sohoa.RoleOfficial}
	if _, err := f.dir.ResetPassword(ctx, pa, u.ID, "mật khẩu khác đây"); sohoa.ErrorCode(err) != sohoa.EFORBIDDEN {
		t.Fatalf("a non-admin resets a password: %v", err)
	}
}
