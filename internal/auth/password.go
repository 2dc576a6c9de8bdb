// Package auth hashes passwords with argon2id and makes session tokens.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the RFC 9106 second recommended option, scaled to
// keep a sign-in under ~50 ms on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of pw with a fresh salt.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Bounds on the parameters CheckPassword accepts from a stored hash. Hashes
// made with other parameters than today's still verify, but a damaged or
// foreign hash must not make argon2 panic (time or threads 0), allocate
// gigabytes or run for minutes: it is refused instead.
const (
	maxArgonTime    = 16
	maxArgonMemory  = 256 * 1024 // KiB
	maxArgonThreads = 16
	minSaltLen      = 8
	minKeyLen       = 16
	maxKeyLen       = 64
)

// CheckPassword reports whether pw matches the encoded hash, in constant time.
// A hash that is not argon2id in the format HashPassword writes, or whose
// parameters are out of bounds, matches no password.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", mem, iter, threads) {
		return false // Sscanf ignores trailing text and accepts a sign
	}
	if iter < 1 || iter > maxArgonTime || mem > maxArgonMemory || threads < 1 || threads > maxArgonThreads {
		return false
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return false
	}
	want, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(want) < minKeyLen || len(want) > maxKeyLen {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when a user does not exist, so that the answer takes
// as long as for a wrong password and names cannot be probed by timing.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("gongkai-no-such-user")
	return h
})

// CheckDummy spends the time of one password check.
func CheckDummy(pw string) { CheckPassword(dummyHash(), pw) }

// NewToken returns a random session token (256 bits) for the client and its
// SHA-256 for storage, so a leaked database does not leak live sessions.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the storage form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
