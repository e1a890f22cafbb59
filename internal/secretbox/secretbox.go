// Package secretbox encrypts the secrets scimd keeps at rest (OIDC client
// secrets, SAML service provider keys) with AES-256-GCM under one key that
// the operator provides (SCIMD_SECRET_KEY) or that scimd creates once in
// its data directory.
//
// Every replica that serves one database must hold the same key: a secret
// sealed by one replica is opened by another. A sealed value names the key
// it was sealed with (the first bytes of the key's SHA-256), so that a
// replica with a different key says so instead of failing obscurely.
package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeySize is the size of a key: 32 bytes, for AES-256.
const KeySize = 32

// version is the first byte of every sealed value, so that the format can
// change without guessing.
const version = 1

// keyIDSize is how many bytes of the key's SHA-256 a sealed value carries.
const keyIDSize = 4

// ErrWrongKey means a value was sealed under another key: the replicas do
// not share SCIMD_SECRET_KEY, or the key changed since the secret was set.
var ErrWrongKey = errors.New("secretbox: the value was sealed with another key; give every replica the same SCIMD_SECRET_KEY, or set the secret again")

// ErrCorrupt means a sealed value does not open: it was altered, or it
// belongs to another record (the context differs).
var ErrCorrupt = errors.New("secretbox: the sealed value does not open: it was altered or belongs to another record")

// Box seals and opens secrets under one key. It is safe for concurrent
// use.
type Box struct {
	aead  cipher.AEAD
	keyID []byte
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: the key has %d bytes; it needs %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	sum := sha256.Sum256(key)
	return &Box{aead: aead, keyID: sum[:keyIDSize]}, nil
}

// Keeper seals and opens secrets: a *Box, or a *Lazy that finds its key
// when first used.
type Keeper interface {
	Seal(plaintext []byte, context string) ([]byte, error)
	Open(sealed []byte, context string) ([]byte, error)
}

var (
	_ Keeper = (*Box)(nil)
	_ Keeper = (*Lazy)(nil)
)

// Seal encrypts plaintext, bound to context (for example the record it
// belongs to), so that a sealed value copied to another record does not
// open there. Each call uses a fresh random nonce. It never fails; the
// error is Keeper's.
func (b *Box) Seal(plaintext []byte, context string) ([]byte, error) {
	return b.seal(plaintext, context), nil
}

func (b *Box) seal(plaintext []byte, context string) []byte {
	out := make([]byte, 0, 1+keyIDSize+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	out = append(out, version)
	out = append(out, b.keyID...)
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, plaintext, b.additional(context))
}

// Open decrypts what Seal returned for the same context. It returns
// ErrWrongKey or ErrCorrupt.
func (b *Box) Open(sealed []byte, context string) ([]byte, error) {
	head := 1 + keyIDSize + b.aead.NonceSize()
	if len(sealed) < head+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrCorrupt
	}
	if !bytes.Equal(sealed[1:1+keyIDSize], b.keyID) {
		return nil, ErrWrongKey
	}
	nonce := sealed[1+keyIDSize : head]
	plain, err := b.aead.Open(nil, nonce, sealed[head:], b.additional(context))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// additional is the data the AEAD authenticates besides the ciphertext:
// the format's version and the caller's context.
func (b *Box) additional(context string) []byte {
	return []byte(fmt.Sprintf("scimd secretbox v%d\x00%s", version, context))
}

// ParseKey reads a key written as base64 (standard or URL alphabet, with
// or without padding) of exactly 32 bytes, as `openssl rand -base64 32`
// prints one.
func ParseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(text); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("the key is %d bytes once decoded; it must be %d (make one with: openssl rand -base64 32)", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, errors.New("the key is not base64 (make one with: openssl rand -base64 32)")
}

// FileName is the key file scimd creates in its data directory when no key
// is configured.
const FileName = "secret.key"

// LoadOrCreateFile reads the key in the file at path, creating the file
// (mode 0600, a new random key, base64) if it does not exist. created says
// whether it did. A file readable by others is refused: it holds the key to
// every secret.
func LoadOrCreateFile(path string) (key []byte, created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	key = make([]byte, KeySize)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, false, fmt.Errorf("secret key file %s: %w", path, werr)
		}
		return key, true, nil
	case !errors.Is(err, fs.ErrExist):
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("secret key file %s is readable by others (mode %v); chmod 600 it", path, info.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	key, err = ParseKey(string(text))
	if err != nil {
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	return key, false, nil
}

// Lazy is a Keeper whose key is loaded (or made) by load when a secret is
// first sealed or opened, so that a server that never handles a secret
// never makes a key file.
type Lazy struct {
	load func() ([]byte, error)
	once sync.Once
	box  *Box
	err  error
}

// NewLazy returns a Lazy that gets its key from load.
func NewLazy(load func() ([]byte, error)) *Lazy { return &Lazy{load: load} }

func (l *Lazy) get() (*Box, error) {
	l.once.Do(func() {
		key, err := l.load()
		if err != nil {
			l.err = err
			return
		}
		l.box, l.err = New(key)
	})
	return l.box, l.err
}

// Seal seals with the key, loading it first if need be.
func (l *Lazy) Seal(plaintext []byte, context string) ([]byte, error) {
	b, err := l.get()
	if err != nil {
		return nil, err
	}
	return b.Seal(plaintext, context)
}

// Open opens with the key, loading it first if need be.
func (l *Lazy) Open(sealed []byte, context string) ([]byte, error) {
	b, err := l.get()
	if err != nil {
		return nil, err
	}
	return b.Open(sealed, context)
}
