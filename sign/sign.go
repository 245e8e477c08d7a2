// Package sign owns the Department's signing key and certificate: the CMS
// (PAdES) signatures of digitized copies, the JWS receipts that go with
// them, and checking both offline with the published certificate.
package sign

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// Signer signs with one key and its certificate chain (leaf first).
type Signer struct {
	Chain []*x509.Certificate
	key   crypto.Signer
}

// Certificate is the signing certificate.
func (s *Signer) Certificate() *x509.Certificate { return s.Chain[0] }

// Load reads a PEM certificate chain and a PEM private key (PKCS#8, PKCS#1
// or EC).
func Load(certFile, keyFile string) (*Signer, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	chain, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, fmt.Errorf("signing certificate %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, fmt.Errorf("signing key %s: no PEM block", keyFile)
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
				return nil, fmt.Errorf("signing key %s: not PKCS#8, PKCS#1 or EC", keyFile)
			}
		}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing key %s: cannot sign", keyFile)
	}
	if !publicKeysEqual(signer.Public(), chain[0].PublicKey) {
		return nil, fmt.Errorf("signing key %s does not belong to certificate %s", keyFile, certFile)
	}
	return &Signer{Chain: chain, key: signer}, nil
}

func publicKeysEqual(a, b any) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

// ParseCertificates reads every certificate of a PEM bundle.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, errors.New("no certificate")
	}
	return chain, nil
}

// CertificatePEM returns the chain as PEM.
func (s *Signer) CertificatePEM() []byte {
	var b strings.Builder
	for _, c := range s.Chain {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return []byte(b.String())
}

// DevPair makes a self-signed certificate and key in dir (cert.pem,
// key.pem) for development, unless they are there already. It reports
// whether it made them.
func DevPair(dir, organization string) (certFile, keyFile string, made bool, err error) {
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if _, err := os.Stat(certFile); err == nil {
		return certFile, keyFile, false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", false, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", false, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: organization + " (chứng thư thử nghiệm)", Organization: []string{organization},
			Country: []string{"VN"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", false, err
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", "", false, err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", false, err
	}
	return certFile, keyFile, true, nil
}

// oidSigningCertificateV2 is the ESS attribute PAdES asks for: it binds the
// signature to the signing certificate (RFC 5035).
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

type essCertIDv2 struct {
	// hashAlgorithm defaults to SHA-256 and is then left out.
	CertHash []byte
}

type signingCertificateV2 struct {
	Certs []essCertIDv2
}

// CMS returns a detached CMS SignedData over data: SHA-256, the signer's
// chain included, with the signing-certificate-v2 attribute of CAdES.
func (s *Signer) CMS(data []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(data)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	h := sha256.Sum256(s.Chain[0].Raw)
	attr := pkcs7.Attribute{Type: oidSigningCertificateV2, Value: signingCertificateV2{Certs: []essCertIDv2{{CertHash: h[:]}}}}
	var parents []*x509.Certificate
	if len(s.Chain) > 1 {
		parents = s.Chain[1:]
	}
	if err := sd.AddSignerChain(s.Chain[0], s.key, parents, pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{attr}}); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sd.Detach()
	return sd.Finish()
}

// VerifyCMS checks a detached CMS signature over data and returns its
// signing certificate. When trusted is given, the signer must be it.
func VerifyCMS(sig, data []byte, trusted *x509.Certificate) (*x509.Certificate, error) {
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		return nil, fmt.Errorf("not a CMS signature: %w", err)
	}
	p7.Content = data
	if err := p7.Verify(); err != nil {
		return nil, fmt.Errorf("signature does not match the document: %w", err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, errors.New("no single signer")
	}
	if trusted != nil && !signer.Equal(trusted) {
		return nil, fmt.Errorf("signed by %q, not by the published certificate", signer.Subject.CommonName)
	}
	return signer, nil
}

// JWS signs payload as a compact JWS (RS256), with the certificate chain in
// the header's x5c so that it can be checked offline.
func (s *Signer) JWS(payload []byte) (string, error) {
	x5c := make([]string, len(s.Chain))
	for i, c := range s.Chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	alg := "RS256"
	if _, ok := s.key.Public().(*rsa.PublicKey); !ok {
		return "", errors.New("receipts need an RSA signing key")
	}
	header, _ := json.Marshal(map[string]any{"alg": alg, "typ": "JOSE", "x5c": x5c})
	signingInput := b64(header) + "." + b64(payload)
	h := sha256.Sum256([]byte(signingInput))
	sig, err := s.key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	return signingInput + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// VerifyJWS checks a compact JWS made by JWS and returns its payload and
// signing certificate. When trusted is given, the signer must be it.
func VerifyJWS(token string, trusted *x509.Certificate) ([]byte, *x509.Certificate, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("not a compact JWS")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	payload, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, nil, errors.New("not a compact JWS: bad base64url")
	}
	var header struct {
		Alg string   `json:"alg"`
		X5C []string `json:"x5c"`
	}
	if err := json.Unmarshal(hb, &header); err != nil || header.Alg != "RS256" || len(header.X5C) == 0 {
		return nil, nil, errors.New("JWS header must be RS256 with x5c")
	}
	der, err := base64.StdEncoding.DecodeString(header.X5C[0])
	if err != nil {
		return nil, nil, errors.New("bad x5c")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("bad x5c: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, errors.New("x5c certificate has no RSA key")
	}
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return nil, nil, errors.New("receipt signature does not match its content")
	}
	if trusted != nil && !cert.Equal(trusted) {
		return nil, nil, fmt.Errorf("signed by %q, not by the published certificate", cert.Subject.CommonName)
	}
	return payload, cert, nil
}
