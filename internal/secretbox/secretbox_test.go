package secretbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := b.Seal([]byte("hunter2"), "tenant=1 connection=a")
	s2, _ := b.Seal([]byte("hunter2"), "tenant=1 connection=a")
	if bytes.Equal(s1, s2) || bytes.Contains(s1, []byte("hunter2")) {
		t.Error("sealing is deterministic or shows the plaintext")
	}
	if got, err := b.Open(s1, "tenant=1 connection=a"); err != nil || string(got) != "hunter2" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := b.Open(s1, "tenant=1 connection=b"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("open under another context: %v", err)
	}
	flipped := bytes.Clone(s1)
	flipped[len(flipped)-1] ^= 1
	if _, err := b.Open(flipped, "tenant=1 connection=a"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("open altered: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(s1, "tenant=1 connection=a"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("open with another key: %v", err)
	}
	if _, err := b.Open([]byte{1, 2}, ""); !errors.Is(err, ErrCorrupt) {
		t.Errorf("open short: %v", err)
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, KeySize)
	for _, text := range []string{
		base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key) + "\n",
	} {
		if got, err := ParseKey(text); err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %v, %v", text, got, err)
		}
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("sixteen bytes..."))} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}

func TestLoadOrCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", FileName)
	k1, created, err := LoadOrCreateFile(path)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("first: %v %v %v", k1, created, err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	k2, created, err := LoadOrCreateFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second: %v %v", created, err)
	}
	os.Chmod(path, 0o644)
	if _, _, err := LoadOrCreateFile(path); err == nil {
		t.Error("a world-readable key file was accepted")
	}
}

func TestLazy(t *testing.T) {
	calls := 0
	key := bytes.Repeat([]byte{9}, KeySize)
	l := NewLazy(func() ([]byte, error) { calls++; return key, nil })
	if calls != 0 {
		t.Fatal("loaded before use")
	}
	sealed, err := l.Seal([]byte("x"), "c")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(key)
	if got, err := b.Open(sealed, "c"); err != nil || string(got) != "x" {
		t.Errorf("open = %q, %v", got, err)
	}
	l.Open(sealed, "c")
	if calls != 1 {
		t.Errorf("loaded %d times", calls)
	}
	failing := NewLazy(func() ([]byte, error) { return nil, errors.New("no key") })
	if _, err := failing.Seal([]byte("x"), "c"); err == nil {
		t.Error("sealed without a key")
	}
}
