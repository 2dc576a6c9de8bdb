package auth

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// mustHash hashes pw or stops the test.
func mustHash(tb testing.TB, pw string) string {
	tb.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		tb.Fatalf("HashPassword(%q): %v", pw, err)
	}
	return h
}

// encode writes an argon2id hash in HashPassword's format with the given
// parameters, as an older or a foreign system might have stored it.
func encode(mem, iter uint32, threads uint8, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, iter, threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestHashPassword(t *testing.T) {
	tests := []struct {
		name, pw string
	}{
		{"empty", ""},
		{"ascii", "correct horse battery"},
		{"chinese", "青禾县第一中学校务公开"},
		{"dollar signs", "$argon2id$v=19$"},
		{"spaces only", "            "},
		{"longest allowed", strings.Repeat("密", 200)},
		{"over-long", strings.Repeat("x", 1<<20)},
	}
	prefix := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, argonMemory, argonTime, argonThreads)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mustHash(t, tt.pw)
			if !strings.HasPrefix(h, prefix) {
				t.Fatalf("hash %q does not start with %q", h, prefix)
			}
			parts := strings.Split(h, "$")
			if len(parts) != 6 {
				t.Fatalf("hash %q has %d parts, want 6", h, len(parts))
			}
			if salt, err := base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) != 16 {
				t.Errorf("salt %q: %d bytes, %v; want 16 bytes", parts[4], len(salt), err)
			}
			if key, err := base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) != argonKeyLen {
				t.Errorf("key %q: %d bytes, %v; want %d bytes", parts[5], len(key), err, argonKeyLen)
			}
			if !CheckPassword(h, tt.pw) {
				t.Errorf("CheckPassword(HashPassword(pw), pw) = false")
			}
			if CheckPassword(h, tt.pw+"x") {
				t.Errorf("CheckPassword accepts the password with a character added")
			}
			if again := mustHash(t, tt.pw); again == h {
				t.Errorf("two hashes of one password are equal (%q): the salt is not fresh", h)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	const pw = "correct horse battery"
	good := mustHash(t, pw)
	parts := strings.Split(good, "$")
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	key, _ := base64.RawStdEncoding.DecodeString(parts[5])
	flipped := append([]byte(nil), key...)
	flipped[0] ^= 1
	salt := []byte("sixteen byte slt")

	tests := []struct {
		name, encoded, pw string
		want              bool
	}{
		{"right password", good, pw, true},
		{"wrong password", good, "correct horse batterY", false},
		{"empty password", good, "", false},
		{"over-long password", good, strings.Repeat(pw, 10000), false},
		{"password with trailing space", good, pw + " ", false},
		{"empty hash", "", pw, false},
		{"empty hash, empty password", "", "", false},
		{"plain text stored", pw, pw, false},
		{"bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", pw, false},
		{"argon2i, not argon2id", with(1, "argon2i"), pw, false},
		{"text before the first $", "x" + good, pw, false},
		{"a part too few", strings.Join(parts[:5], "$"), pw, false},
		{"a part too many", good + "$", pw, false},
		{"other argon2 version", with(2, "v=16"), pw, false},
		{"version not a number", with(2, "v=x"), pw, false},
		{"version with trailing text", with(2, "v=19x"), pw, false},
		{"parameters missing", with(3, ""), pw, false},
		{"parameters not numbers", with(3, "m=a,t=b,p=c"), pw, false},
		{"parameters with trailing text", with(3, parts[3]+",k=1"), pw, false},
		{"parameters with a sign", with(3, fmt.Sprintf("m=+%d,t=%d,p=%d", argonMemory, argonTime, argonThreads)), pw, false},
		{"parameters reordered", with(3, fmt.Sprintf("t=%d,m=%d,p=%d", argonTime, argonMemory, argonThreads)), pw, false},
		{"time changed", with(3, fmt.Sprintf("m=%d,t=%d,p=%d", argonMemory, argonTime+1, argonThreads)), pw, false},
		{"memory changed", with(3, fmt.Sprintf("m=%d,t=%d,p=%d", argonMemory/2, argonTime, argonThreads)), pw, false},
		{"time zero", with(3, fmt.Sprintf("m=%d,t=0,p=%d", argonMemory, argonThreads)), pw, false},
		{"threads zero", with(3, fmt.Sprintf("m=%d,t=%d,p=0", argonMemory, argonTime)), pw, false},
		{"threads over uint8", with(3, fmt.Sprintf("m=%d,t=%d,p=300", argonMemory, argonTime)), pw, false},
		{"memory of 4 TiB", with(3, fmt.Sprintf("m=4294967295,t=%d,p=%d", argonTime, argonThreads)), pw, false},
		{"memory over uint32", with(3, fmt.Sprintf("m=4294967296,t=%d,p=%d", argonTime, argonThreads)), pw, false},
		{"time of hours", with(3, fmt.Sprintf("m=%d,t=4000000000,p=%d", argonMemory, argonThreads)), pw, false},
		{"salt not base64", with(4, "!!!!"), pw, false},
		{"salt padded", with(4, parts[4]+"=="), pw, false},
		{"salt empty", with(4, ""), pw, false},
		{"salt tampered", with(4, base64.RawStdEncoding.EncodeToString(salt)), pw, false},
		{"key not base64", with(5, "!!!!"), pw, false},
		{"key empty", with(5, ""), pw, false},
		{"key one bit flipped", with(5, base64.RawStdEncoding.EncodeToString(flipped)), pw, false},
		{"key truncated", with(5, base64.RawStdEncoding.EncodeToString(key[:16])), pw, false},
		{"key too short", encode(argonMemory, argonTime, argonThreads, salt,
			argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, 8)), pw, false},
		// Hashes made with other parameters still verify, so that changing
		// the parameters does not lock anyone out.
		{"older parameters", encode(8*1024, 1, 1, salt,
			argon2.IDKey([]byte(pw), salt, 1, 8*1024, 1, 32)), pw, true},
		{"older parameters, wrong password", encode(8*1024, 1, 1, salt,
			argon2.IDKey([]byte(pw), salt, 1, 8*1024, 1, 32)), "wrong", false},
		{"two threads, 16-byte key", encode(argonMemory, argonTime, 2, salt,
			argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, 2, 16)), pw, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			if got := CheckPassword(tt.encoded, tt.pw); got != tt.want {
				t.Errorf("CheckPassword(%q, …) = %v, want %v", tt.encoded, got, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("CheckPassword took %v: a stored hash must not make sign-in hang", d)
			}
		})
	}
}

func TestCheckDummy(t *testing.T) {
	// The dummy hash is a real hash with today's parameters, so that a
	// sign-in with an unknown name costs what one with a wrong password does.
	d := dummyHash()
	if !CheckPassword(d, "gongkai-no-such-user") {
		t.Fatalf("dummy hash %q does not verify its own password", d)
	}
	if got, want := strings.Split(d, "$")[3], strings.Split(mustHash(t, "x"), "$")[3]; got != want {
		t.Errorf("dummy hash parameters %q, want today's %q", got, want)
	}

	stored := mustHash(t, "correct horse battery")
	fastest := func(f func()) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	check := fastest(func() { CheckPassword(stored, "wrong password") })
	dummy := fastest(func() { CheckDummy("wrong password") })
	// Loose on purpose (the machine may be busy): a dummy that does no
	// argon2 work is thousands of times faster, not four.
	if dummy < check/4 {
		t.Errorf("CheckDummy took %v, a wrong password %v: unknown names can be told apart by timing", dummy, check)
	}
}

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for i := range 1000 {
		token, hash := NewToken()
		raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q: %d bytes, %v; want 32 bytes of base64url", token, len(raw), err)
		}
		if len(token) != 43 || strings.ContainsAny(token, "+/=") {
			t.Fatalf("token %q is not 43 URL-safe characters", token)
		}
		if hash != HashToken(token) {
			t.Fatalf("NewToken hash %q, want HashToken(token) %q", hash, HashToken(token))
		}
		if hash == token || strings.Contains(hash, token) {
			t.Fatalf("stored hash %q reveals the token", hash)
		}
		if seen[token] {
			t.Fatalf("token %q repeated after %d tokens", token, i)
		}
		seen[token] = true
	}
}

func TestHashToken(t *testing.T) {
	token, _ := NewToken()
	tampered := []byte(token)
	if tampered[0] == 'A' {
		tampered[0] = 'B'
	} else {
		tampered[0] = 'A'
	}
	tests := []struct {
		name, token, want string
	}{
		// Known SHA-256 values: a change of the algorithm would sign everyone out.
		{"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"new token", token, ""},
		{"tampered token", string(tampered), ""},
		{"token with trailing space", token + " ", ""},
		{"over-long", strings.Repeat("t", 1<<20), ""},
	}
	hashes := make(map[string]string)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HashToken(tt.token)
			if b, err := hex.DecodeString(got); err != nil || len(b) != 32 || strings.ToLower(got) != got {
				t.Fatalf("HashToken(%q) = %q, want 64 lowercase hex digits", tt.token, got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("HashToken(%q) = %q, want %q", tt.token, got, tt.want)
			}
			if again := HashToken(tt.token); again != got {
				t.Errorf("HashToken is not stable: %q then %q", got, again)
			}
			if other, ok := hashes[got]; ok {
				t.Errorf("HashToken(%q) equals the hash of %q", tt.token, other)
			}
			hashes[got] = tt.token
		})
	}
}
