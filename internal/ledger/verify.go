package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checking a school's log from the outside: what the verify page and
// `gongkai verify` share. These functions trust nothing but the school's
// published verifier key (signed-note format, as /s/{slug}/log/key serves
// it), so that a checker run anywhere reaches the same answer.

// The ways a check fails; wrapped with the details.
var (
	// ErrBadKey: the verifier key is not a signed-note Ed25519 key.
	ErrBadKey = errors.New("ledger: not a verifier key")
	// ErrBadSignature: the checkpoint is not signed by the key, or the
	// signature does not hold.
	ErrBadSignature = errors.New("ledger: checkpoint not signed by the school's key")
	// ErrBadCheckpoint: the signed text is not a C2SP checkpoint, or it is
	// the checkpoint of another log than the key's.
	ErrBadCheckpoint = errors.New("ledger: not a checkpoint of this log")
	// ErrBadProof: the inclusion proof does not lead from the entry to the
	// signed tree (forged, truncated, or for another entry or size).
	ErrBadProof = errors.New("ledger: the entry is not in the signed tree")
)

// SignedCheckpoint is a checkpoint whose signature by the school's key
// holds.
type SignedCheckpoint struct {
	torchwood.Checkpoint
	// KeyName and KeyHash name the key that signed it (the name is the
	// log's origin).
	KeyName string
	KeyHash uint32
	// Cosigners names the note's other signature lines, in their order:
	// witnesses' cosignatures, which this function does not check.
	Cosigners []string
}

// OpenCheckpoint checks a signed checkpoint against the school's verifier
// key: the key's signature must hold, and the checkpoint must be of the
// log the key is named after.
func OpenCheckpoint(signed []byte, vkey string) (*SignedCheckpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	cp, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCheckpoint, err)
	}
	if cp.Origin != v.Name() {
		return nil, fmt.Errorf("%w: the checkpoint is of %q, the key of %q", ErrBadCheckpoint, cp.Origin, v.Name())
	}
	out := &SignedCheckpoint{Checkpoint: cp, KeyName: v.Name(), KeyHash: v.KeyHash()}
	for _, s := range n.UnverifiedSigs {
		out.Cosigners = append(out.Cosigners, s.Name)
	}
	return out, nil
}

// maxProof is the longest inclusion proof of any tree that tlog can hold.
const maxProof = 63

// VerifyInclusion checks that entry is the record at index of the tree,
// by its RFC 6962 leaf hash and the inclusion proof (RFC 9162 §2.1.3.2).
func VerifyInclusion(tree tlog.Tree, index int64, entry []byte, proof tlog.RecordProof) error {
	if index < 0 || index >= tree.N {
		return fmt.Errorf("%w: entry %d is past the tree of %d entries", ErrBadProof, index, tree.N)
	}
	if len(proof) > maxProof {
		return fmt.Errorf("%w: a proof of %d hashes", ErrBadProof, len(proof))
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, tlog.RecordHash(entry)); err != nil {
		return fmt.Errorf("%w: entry %d of %d: %v", ErrBadProof, index, tree.N, err)
	}
	return nil
}

// ParseProof reads an inclusion proof written as lowercase hex hashes, as
// the API serves it.
func ParseProof(hashes []string) (tlog.RecordProof, error) {
	if len(hashes) > maxProof {
		return nil, fmt.Errorf("%w: a proof of %d hashes", ErrBadProof, len(hashes))
	}
	out := make(tlog.RecordProof, len(hashes))
	for i, s := range hashes {
		h, err := ParseHash(s)
		if err != nil {
			return nil, fmt.Errorf("%w: hash %d: %v", ErrBadProof, i+1, err)
		}
		out[i] = h
	}
	return out, nil
}

// ParseHash reads one SHA-256 hash in hex.
func ParseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("not a SHA-256 hash in hex: %.20q", s)
	}
	copy(h[:], b)
	return h, nil
}

// KeyFingerprint is how people compare a verifier key by eye: the first
// 16 bytes of the SHA-256 of the key's bytes (type byte and public key),
// in groups of four hex digits. The verify page computes it the same way.
func KeyFingerprint(vkey string) (string, error) {
	// The name and the hash hold no "+"; the key's base64 may.
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: %.40q", ErrBadKey, vkey)
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) == 0 {
		return "", fmt.Errorf("%w: %.40q", ErrBadKey, vkey)
	}
	sum := sha256.Sum256(key)
	h := hex.EncodeToString(sum[:16])
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String(), nil
}
