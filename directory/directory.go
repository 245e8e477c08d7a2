// Package directory owns units, users and API tokens: kept in the catalog,
// where requests are authenticated, and written to the object store so that
// `sohoa rebuild` brings them back with the records:
//
//	directory/units/<id>.json     sohoa.Unit
//	directory/users/<id>.json     sohoa.User with its password hash
//	directory/tokens/<id>.json    an API token's hash and owner (never its value)
//
// Login sessions are not kept in the store: they expire anyway.
package directory

import (
	"context"
	"sort"
	"strings"
	"time"

	"sohoa"
	"sohoa/catalog"
	"sohoa/store"
)

// Directory keeps units, users and tokens.
type Directory struct {
	cat   *catalog.DB
	store store.Store
}

// New returns the directory kept in cat and s.
func New(cat *catalog.DB, s store.Store) *Directory { return &Directory{cat: cat, store: s} }

type userRecord struct {
	*sohoa.User
	PasswordHash string `json:"password_hash"`
}

type tokenRecord struct {
	*catalog.Token
	Hash string `json:"hash"`
}

func unitKey(id string) string  { return "directory/units/" + id + ".json" }
func userKey(id string) string  { return "directory/users/" + id + ".json" }
func tokenKey(id string) string { return "directory/tokens/" + id + ".json" }

// AddUnit adds a unit.
func (d *Directory) AddUnit(ctx context.Context, u *sohoa.Unit) error {
	if err := d.cat.AddUnit(ctx, u); err != nil {
		return err
	}
	return store.PutJSON(ctx, d.store, unitKey(u.ID), u)
}

func (d *Directory) putUser(ctx context.Context, u *sohoa.User) error {
	return store.PutJSON(ctx, d.store, userKey(u.ID), userRecord{u, u.PasswordHash})
}

// AddUser adds a user with a password ("" for a system client).
func (d *Directory) AddUser(ctx context.Context, u *sohoa.User, password string) error {
	if err := d.cat.AddUser(ctx, u, password); err != nil {
		return err
	}
	return d.putUser(ctx, u)
}

// SetUserDisabled disables or enables a user.
func (d *Directory) SetUserDisabled(ctx context.Context, id string, disabled bool) (*sohoa.User, error) {
	u, err := d.cat.SetUserDisabled(ctx, id, disabled)
	if err != nil {
		return nil, err
	}
	return u, d.putUser(ctx, u)
}

// AddToken gives a user a token; API tokens are kept in the store.
func (d *Directory) AddToken(ctx context.Context, userID, name, kind, value string, ttl time.Duration) (string, *catalog.Token, error) {
	v, t, err := d.cat.AddToken(ctx, userID, name, kind, value, ttl)
	if err != nil || kind != catalog.TokenAPI {
		return v, t, err
	}
	return v, t, store.PutJSON(ctx, d.store, tokenKey(t.ID), tokenRecord{t, t.Hash})
}

// RevokeToken revokes a token.
func (d *Directory) RevokeToken(ctx context.Context, id string) (*catalog.Token, error) {
	t, err := d.cat.RevokeToken(ctx, id)
	if err != nil || t.Kind != catalog.TokenAPI {
		return t, err
	}
	return t, store.PutJSON(ctx, d.store, tokenKey(t.ID), tokenRecord{t, t.Hash})
}

// Restore fills an empty catalog's units, users and tokens from the store.
func (d *Directory) Restore(ctx context.Context) (units, users, tokens int, err error) {
	var us []*sohoa.Unit
	if err := eachJSON(ctx, d.store, "directory/units/", func() any { u := &sohoa.Unit{}; us = append(us, u); return u }); err != nil {
		return 0, 0, 0, err
	}
	sort.Slice(us, func(i, j int) bool { return strings.Count(us[i].Path, "/") < strings.Count(us[j].Path, "/") })
	for _, u := range us {
		if err := d.cat.AddUnit(ctx, u); err != nil && sohoa.ErrorCode(err) != sohoa.ECONFLICT {
			return 0, 0, 0, err
		}
	}
	var urs []*userRecord
	if err := eachJSON(ctx, d.store, "directory/users/", func() any { r := &userRecord{User: &sohoa.User{}}; urs = append(urs, r); return r }); err != nil {
		return 0, 0, 0, err
	}
	for _, r := range urs {
		r.User.PasswordHash = r.PasswordHash
		if err := d.cat.PutUser(ctx, r.User); err != nil {
			return 0, 0, 0, err
		}
	}
	var trs []*tokenRecord
	if err := eachJSON(ctx, d.store, "directory/tokens/", func() any { r := &tokenRecord{Token: &catalog.Token{}}; trs = append(trs, r); return r }); err != nil {
		return 0, 0, 0, err
	}
	for _, r := range trs {
		r.Token.Hash = r.Hash
		if err := d.cat.PutToken(ctx, r.Token); err != nil {
			return 0, 0, 0, err
		}
	}
	return len(us), len(urs), len(trs), nil
}

func eachJSON(ctx context.Context, s store.Store, prefix string, next func() any) error {
	return s.List(ctx, prefix, func(key string) error {
		if !strings.HasSuffix(key, ".json") {
			return nil
		}
		return store.GetJSON(ctx, s, key, next())
	})
}
