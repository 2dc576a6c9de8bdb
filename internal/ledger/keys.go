// Package ledger keeps each school's verifiable record (存证): it holds the
// schools' signing keys, signs the checkpoints of their Merkle logs in the
// C2SP formats, and checks logs from the outside (docs/ledger.md).
package ledger

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
)

// ErrNoKey means the private key of a school's log is not on this node.
var ErrNoKey = errors.New("ledger: the log's private key is not on this node")

// Keyring holds the private keys of the schools' logs, one file per key in
// a directory only gongkai reads. Keys never leave it: the database holds
// the public keys only, so a backup of the database alone cannot sign.
type Keyring struct {
	dir string
	mu  sync.Mutex
	// signers caches the keys read, by verifier key.
	signers map[string]note.Signer
}

// OpenKeyring opens (and creates) the key directory.
func OpenKeyring(dir string) (*Keyring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger: key directory: %w", err)
	}
	return &Keyring{dir: dir, signers: map[string]note.Signer{}}, nil
}

// Dir is where the keys are kept.
func (k *Keyring) Dir() string { return k.dir }

// keyFile names the file of a key after its verifier key, so that a node
// finds the key the database says is in use.
func (k *Keyring) keyFile(vkey string) string {
	sum := sha256.Sum256([]byte(vkey))
	return filepath.Join(k.dir, hex.EncodeToString(sum[:8])+".key")
}

// Generate makes a new Ed25519 key named origin, writes it and returns its
// verifier key.
func (k *Keyring) Generate(origin string) (string, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", fmt.Errorf("ledger: generate key: %w", err)
	}
	f, err := os.OpenFile(k.keyFile(vkey), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("ledger: write key: %w", err)
	}
	_, err = f.WriteString(skey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("ledger: write key: %w", err)
	}
	return vkey, nil
}

// Discard removes a key that lost the race to be a school's key.
func (k *Keyring) Discard(vkey string) {
	_ = os.Remove(k.keyFile(vkey)) // a leftover file signs nothing: no school names it
}

// Signer returns the signer of a verifier key, ErrNoKey when its file is
// not on this node.
func (k *Keyring) Signer(vkey string) (note.Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.signers[vkey]; ok {
		return s, nil
	}
	b, err := os.ReadFile(k.keyFile(vkey))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: read key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("ledger: key file %s: %w", filepath.Base(k.keyFile(vkey)), err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.KeyHash() != s.KeyHash() || v.Name() != s.Name() {
		return nil, fmt.Errorf("ledger: key file %s does not hold the key %s", filepath.Base(k.keyFile(vkey)), vkey)
	}
	k.signers[vkey] = s
	return s, nil
}

// Origin is the name of a school's log (and of its key): the site's host
// and the log's path, as C2SP tlog-checkpoint asks of a name.
func Origin(host, slug string) string {
	host = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://"), "/")
	if host == "" {
		host = "localhost"
	}
	return host + "/s/" + slug + "/log"
}
