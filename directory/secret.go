package directory

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 is the cost of an argon2id password hash: passes and KiB of memory.
type Argon2 struct {
	Time   uint32
	Memory uint32
}

// DefaultArgon2 is RFC 9106's second recommendation, lighter in memory.
var DefaultArgon2 = Argon2{Time: 3, Memory: 64 << 10}

const (
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format, which
// carries its cost: CheckPassword needs nothing else.
func HashPassword(password string, cost Argon2) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, cost.Time, cost.Memory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", cost.Memory, cost.Time, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a fresh random token, 32 bytes in URL-safe base64 with
// a recognisable prefix.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "sohoa_" + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what is kept of a token: tokens are 256 random bits, so a
// plain SHA-256 cannot be brute-forced, and is fast to check on every
// request.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
