package directory

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpOpts are the TOTP parameters every authenticator app understands:
// RFC 6238's defaults, SHA-1, six digits, 30 seconds.
var totpOpts = totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPKey makes a TOTP key of 160 random bits for account.
func newTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: TOTPPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
}

// totpStep returns the time step whose code code is, among the steps
// within TOTPSkew of now, or 0. Every step is computed and compared in
// constant time, so how long it takes says nothing about the code.
func totpStep(secret, code string, now time.Time) int64 {
	cur := now.Unix() / TOTPPeriod
	var found int64
	for step := cur - TOTPSkew; step <= cur+TOTPSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*TOTPPeriod, 0), totpOpts)
		if err != nil {
			return 0
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && found == 0 {
			found = step
		}
	}
	return found
}

// TOTPCode returns the code of secret at t: what an authenticator app
// shows. Tests and tools use it; sign-in compares with totpStep.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// recoveryAlphabet is base32's, lower-cased: no 0, 1, 8 or 9 to misread.
const recoveryAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// newRecoveryCode returns a code of 50 random bits, as "xxxxx-xxxxx".
func newRecoveryCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = recoveryAlphabet[b[i]&31]
	}
	return string(b[:5]) + "-" + string(b[5:])
}

// normalizeCode lower-cases a typed code and drops spaces and dashes.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// isTOTPCode reports whether a normalized code is six digits.
func isTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// hashRecoveryCode is what is kept of a recovery code: the SHA-256 of its
// normalized form. 50 random bits behind an online lockout need no slow
// hash.
func hashRecoveryCode(code string) []byte {
	h := sha256.Sum256([]byte("scimd-recovery-code:" + normalizeCode(code)))
	return h[:]
}

func foldKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
