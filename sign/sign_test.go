package sign

import (
	"bytes"
	"testing"
)

func devSigner(t *testing.T) *Signer {
	dir := t.TempDir()
	c, k, made, err := DevPair(dir, "Sở Giáo dục và Đào tạo")
	if err != nil || !made {
		t.Fatal(err, made)
	}
	s, err := Load(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCMS(t *testing.T) {
	s := devSigner(t)
	data := []byte("%PDF-1.7 bản sao điện tử")
	sig, err := s.CMS(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyCMS(sig, data, s.Certificate()); err != nil {
		t.Fatalf("verify: %v", err)
	}
	bad := bytes.Clone(data)
	bad[3] ^= 1
	if _, err := VerifyCMS(sig, bad, s.Certificate()); err == nil {
		t.Fatal("a changed byte verified")
	}
	other := devSigner(t)
	if _, err := VerifyCMS(sig, data, other.Certificate()); err == nil {
		t.Fatal("verified against another certificate")
	}
}

func TestJWS(t *testing.T) {
	s := devSigner(t)
	tok, err := s.JWS([]byte(`{"document":"X","status":"approved"}`))
	if err != nil {
		t.Fatal(err)
	}
	payload, _, err := VerifyJWS(tok, s.Certificate())
	if err != nil || string(payload) != `{"document":"X","status":"approved"}` {
		t.Fatalf("verify: %s %v", payload, err)
	}
	b := []byte(tok)
	b[len(b)/2] ^= 1
	if _, _, err := VerifyJWS(string(b), s.Certificate()); err == nil {
		t.Fatal("a changed receipt verified")
	}
	if _, _, err := VerifyJWS(tok, devSigner(t).Certificate()); err == nil {
		t.Fatal("verified against another certificate")
	}
}
