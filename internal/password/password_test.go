package password

import (
	"errors"
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery staple", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "horse") {
		t.Fatalf("hash %q", h)
	}
	p, err := Verify("correct horse battery staple", h)
	if err != nil || p != fast {
		t.Fatalf("verify = %+v, %v", p, err)
	}
	if _, err := Verify("correct horse battery stapler", h); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: %v", err)
	}
	h2, _ := Hash("correct horse battery staple", fast)
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := Hash(strings.Repeat("x", MaxLength+1), fast); err == nil {
		t.Error("over-long password hashed")
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$2a$10$abcdefghijklmnopqrstuv", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw", "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5aw"} {
		if _, err := Verify("x", h); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("Verify(%q) = %v, want a malformed-hash error", h, err)
		}
	}
}
