package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
)

// spKeyBits is the size of a service provider's RSA key: what Entra and
// Okta accept for signed requests, and RSA-SHA256 needs no more.
const spKeyBits = 2048

// spCertLifetime is how long a service provider's certificate is valid.
// IdPs check scimd's request signatures against the certificate they were
// given, and most ignore its dates, but one that lapsed would stop
// sign-in at those that don't, so it outlives any connection.
const spCertLifetime = 20 * 365 * 24 * time.Hour

// NewKeyPair makes the service provider's key and certificate for conn, a
// SAML connection whose ID and TenantID are set: the RSA key, sealed with
// box to the connection, becomes conn.Secret, and a self-signed
// certificate for it conn.SAML.SPCertificate. scimd signs its
// AuthnRequests with the key, and an IdP may encrypt assertions to the
// certificate. The key is never shown or logged.
func NewKeyPair(box secretbox.Keeper, conn *directory.Connection, now time.Time) error {
	if conn.ID == "" || conn.TenantID == 0 {
		return errors.New("saml: a connection's key pair needs its id and tenant")
	}
	if box == nil {
		return errors.New("saml: no key to seal the service provider's key with")
	}
	key, err := rsa.GenerateKey(rand.Reader, spKeyBits)
	if err != nil {
		return fmt.Errorf("saml: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("saml: serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "scimd SAML " + conn.ID, Organization: []string{"scimd"}},
		NotBefore:    now.Add(-time.Hour).UTC(),
		NotAfter:     now.Add(spCertLifetime).UTC(),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("saml: certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("saml: marshal key: %w", err)
	}
	sealed, err := box.Seal(pkcs8, conn.SecretContext())
	if err != nil {
		return fmt.Errorf("saml: seal key: %w", err)
	}
	if conn.SAML == nil {
		conn.SAML = &directory.SAMLConfig{}
	}
	conn.Secret = sealed
	conn.SAML.SPCertificate = base64.StdEncoding.EncodeToString(der)
	return nil
}

// spCertificate reads conn's service provider certificate.
func spCertificate(conn *directory.Connection) (*x509.Certificate, error) {
	if conn.SAML == nil || conn.SAML.SPCertificate == "" {
		return nil, errors.New("it has no service provider certificate")
	}
	der, err := base64.StdEncoding.DecodeString(conn.SAML.SPCertificate)
	if err != nil {
		return nil, errors.New("its service provider certificate is not base64")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errors.New("its service provider certificate can't be read")
	}
	return cert, nil
}

// keyPair opens conn's service provider key and reads its certificate.
// Its errors say what is wrong for an operator, never the key.
func keyPair(box secretbox.Keeper, conn *directory.Connection) (*rsa.PrivateKey, *x509.Certificate, error) {
	cert, err := spCertificate(conn)
	if err != nil {
		return nil, nil, err
	}
	if conn.Secret == nil {
		return nil, nil, errors.New("it has no service provider key")
	}
	if box == nil {
		return nil, nil, errors.New("this server has no key to open stored secrets with")
	}
	plain, err := box.Open(conn.Secret, conn.SecretContext())
	if err != nil {
		return nil, nil, fmt.Errorf("its service provider key can't be opened: %s", secretProblem(err))
	}
	k, err := x509.ParsePKCS8PrivateKey(plain)
	if err != nil {
		return nil, nil, errors.New("its service provider key can't be read")
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, errors.New("its service provider key does not match its certificate")
	}
	return key, cert, nil
}

func secretProblem(err error) string {
	switch {
	case errors.Is(err, secretbox.ErrWrongKey):
		return "it was sealed with another SCIMD_SECRET_KEY than this server's"
	case errors.Is(err, secretbox.ErrCorrupt):
		return "it does not open"
	}
	return "this server's secret key is unavailable: " + oneLine(err.Error())
}
