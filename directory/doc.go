// Package directory owns units, users, API tokens and login sessions: who
// may sign in, with what, and whom a token speaks for. Units, users and API
// tokens are written to the object store first, then to the catalog (where
// requests are authenticated), so that `sohoa rebuild` brings back every
// one the directory ever confirmed:
//
//	directory/units/<id>.json          sohoa.Unit, created once
//	directory/users/<username>.json    sohoa.User with its password hash; the store keeps usernames unique
//	directory/tokens/<id>.json         an API token's hash and owner (never its value)
//
// A write that reached the store but not the catalog (the process died
// between the two) is taken over by the next attempt, and restored by a
// rebuild. Login sessions live in the catalog only: they expire anyway, and
// after a rebuild users sign in again. Every change is audited.
package directory
