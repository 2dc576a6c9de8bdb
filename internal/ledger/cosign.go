package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// cosigVerifier checks C2SP tlog-cosignature/v1 signatures: an 8-byte
// timestamp, then an Ed25519 signature of "cosignature/v1\ntime T\n" and the
// checkpoint. torchwood makes such signatures but reads no such keys.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }

func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	c, err := torchwood.ParseCheckpoint(string(msg))
	if err != nil || c.String() != string(msg) {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	m := fmt.Appendf(nil, "cosignature/v1\ntime %d\n%s", t, msg)
	return ed25519.Verify(v.key, m, sig[8:])
}

// keyHash is the signed-note key hash: the first four bytes of
// SHA-256(name, "\n", algorithm byte and key).
func keyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// CosignedAt reports when the witness of vkey cosigned the signed
// checkpoint, and whether it did: false for a line of another witness, a
// forged one, or a key that is not a cosignature key.
func CosignedAt(signed []byte, vkey string) (time.Time, bool) {
	v, err := CosignatureVerifier(vkey)
	if err != nil {
		return time.Time{}, false
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return time.Time{}, false
	}
	for _, s := range n.Sigs {
		if s.Hash == v.KeyHash() && s.Name == v.Name() {
			if t, err := torchwood.CosignatureTimestamp(s); err == nil {
				return time.Unix(t, 0), true
			}
		}
	}
	return time.Time{}, false
}
