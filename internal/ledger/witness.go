package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/store"
)

// Witness is the bureau's witness of its schools' logs, speaking C2SP
// tlog-witness: it cosigns a school's signed checkpoint only when it
// extends, by a consistency proof, the last one it cosigned, and it keeps
// the evidence when a log forks or goes back. Its state is in the database,
// so several nodes sharing one can all answer; its key is a file under
// --data, like the schools' keys.
type Witness struct {
	DB     *store.DB
	Signer *torchwood.CosignatureSigner
	Log    *slog.Logger
}

// MaxWitnessRequest bounds an add-checkpoint request: a checkpoint with a
// few signatures and 63 proof lines is under 4 KB.
const MaxWitnessRequest = 16 << 10

// WitnessError is a refusal of the witness, with the protocol's status;
// Known is the size last cosigned, for a 409.
type WitnessError struct {
	Status int
	Known  int64
	Reason string
}

func (e *WitnessError) Error() string {
	return fmt.Sprintf("witness: %d %s", e.Status, e.Reason)
}

func refuse(status int, format string, args ...any) *WitnessError {
	return &WitnessError{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// OpenWitness reads the witness key from its file in dir, making it at the
// first start. The key's name is fixed then (host/witness), so that it stays
// the same when the site's address changes.
func OpenWitness(db *store.DB, dir, host string, log *slog.Logger) (*Witness, error) {
	path := filepath.Join(dir, "witness.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("ledger: key directory: %w", err)
		}
		name := strings.TrimSuffix(Origin(host, "x"), "/s/x/log") + "/witness"
		seed := make([]byte, ed25519.SeedSize)
		_, _ = rand.Read(seed)
		b = []byte(name + "\n" + base64.StdEncoding.EncodeToString(seed) + "\n")
		if err := writeNew(path, b); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if b, err = os.ReadFile(path); err != nil { // another node may have written it first
			return nil, fmt.Errorf("ledger: witness key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("ledger: witness key: %w", err)
	}
	name, enc, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("ledger: witness key file %s is damaged", path)
	}
	s, err := torchwood.NewCosignatureSigner(name, ed25519.NewKeyFromSeed(seed))
	if err != nil {
		return nil, fmt.Errorf("ledger: witness key: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Witness{DB: db, Signer: s, Log: log}, nil
}

func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close() // the write's error is the one to report
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync's error is the one to report
		return err
	}
	return f.Close()
}

// Key is the witness's verifier key (C2SP tlog-cosignature), which anyone
// uses to check its cosignatures.
func (w *Witness) Key() string { return w.Signer.Verifier().String() }

// witnessRequest is a parsed add-checkpoint body.
type witnessRequest struct {
	old   int64
	proof tlog.TreeProof
	note  []byte
}

func parseWitnessRequest(body []byte) (witnessRequest, error) {
	var req witnessRequest
	head, signed, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return req, refuse(400, "no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	size, ok := strings.CutPrefix(lines[0], "old ")
	n, err := strconv.ParseInt(size, 10, 64)
	if !ok || err != nil || n < 0 || strconv.FormatInt(n, 10) != size {
		return req, refuse(400, "the first line must be old <size>")
	}
	if len(lines)-1 > gongkai.MaxWitnessProof {
		return req, refuse(400, "more than %d proof lines", gongkai.MaxWitnessProof)
	}
	req.old = n
	for _, l := range lines[1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return req, refuse(400, "a proof line is not a base64 hash")
		}
		req.proof = append(req.proof, h)
	}
	req.note = signed
	return req, nil
}

// AddCheckpoint answers a C2SP tlog-witness add-checkpoint request: the
// cosignature lines, or a *WitnessError with the protocol's status.
func (w *Witness) AddCheckpoint(ctx context.Context, body []byte) ([]byte, error) {
	if len(body) > MaxWitnessRequest {
		return nil, refuse(413, "request over %d bytes", MaxWitnessRequest)
	}
	req, err := parseWitnessRequest(body)
	if err != nil {
		return nil, err
	}
	origin, _, _ := strings.Cut(string(req.note), "\n")
	keys, bureauID, schoolID, err := w.DB.WitnessKeys(ctx, origin)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return nil, refuse(404, "unknown log %q", origin)
	}
	if err != nil {
		return nil, err
	}
	var vs []note.Verifier
	for _, k := range keys {
		if v, err := note.NewVerifier(k); err == nil {
			vs = append(vs, v)
		}
	}
	n, err := note.Open(req.note, note.VerifierList(vs...))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, refuse(403, "no signature of the log's key verifies")
		}
		return nil, refuse(400, "malformed signed note")
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil || c.Origin != origin {
		return nil, refuse(400, "malformed checkpoint")
	}
	return w.decide(ctx, req, c, n, bureauID, schoolID)
}

// decide applies the protocol to a checkpoint the log signed.
func (w *Witness) decide(ctx context.Context, req witnessRequest, c torchwood.Checkpoint, n *note.Note, bureauID, schoolID int64) ([]byte, error) {
	head, err := w.DB.WitnessHead(ctx, c.Origin)
	if err != nil {
		return nil, err
	}
	f := gongkai.WitnessFacts{Old: req.old, ProofLines: len(req.proof), Size: c.N, Root: c.Hash, KnownSize: head.Size, KnownRoot: head.Root}
	seen, err := w.DB.WitnessTreeOf(ctx, c.Origin, c.N)
	switch {
	case err == nil:
		f.Seen, f.SeenRoot = true, seen.Root
	case gongkai.ErrorCode(err) != gongkai.ENOTFOUND:
		return nil, err
	}
	if req.old == head.Size && req.old > 0 && req.old < c.N {
		f.ProofOK = tlog.CheckTree(req.proof, c.N, c.Hash, req.old, head.Root) == nil
	}
	v := gongkai.WitnessDecide(f)
	if v.Alarm != "" && !(f.Seen && f.SeenRoot != f.Root) {
		// Only two signed trees of one size prove a fork by themselves; a
		// smaller tree or a failed proof may be a stranger replaying an old
		// checkpoint or sending a junk proof.
		ok, err := w.confirmed(ctx, schoolID, c.Tree, head)
		if err != nil {
			return nil, err
		}
		if !ok {
			w.Log.Warn("witness: refused a checkpoint the log's own tree agrees with", "origin", c.Origin, "size", c.N, "cosigned", head.Size)
			v.Alarm = ""
		}
	}
	if v.Alarm != "" {
		known, err := w.DB.WitnessTreeOf(ctx, c.Origin, head.Size)
		if err != nil {
			return nil, err
		}
		if f.Seen && v.Alarm == gongkai.AlarmFork && seen.Root != c.Hash {
			known = seen // the evidence is the cosigned tree of the same size
		}
		a := store.WitnessAlarm{BureauID: bureauID, SchoolID: schoolID, Origin: c.Origin, Kind: v.Alarm, Size: c.N, Root: c.Hash,
			Note: string(req.note), KnownSize: known.Size, KnownNote: known.Note}
		if err := w.DB.RaiseWitnessAlarm(ctx, a); err != nil {
			return nil, err
		}
		w.Log.Error("witness: a log forked or went back", "origin", c.Origin, "alarm", string(v.Alarm), "size", c.N, "cosigned", head.Size)
	}
	if v.Answer != gongkai.WitnessCosign {
		return nil, &WitnessError{Status: v.Answer.Status(), Known: head.Size, Reason: v.Reason}
	}
	if c.N != head.Size || head.Size == 0 {
		ok, known, err := w.DB.AdvanceWitness(ctx, store.WitnessTree{Origin: c.Origin, Size: c.N, Root: c.Hash, Note: string(req.note)}, req.old)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &WitnessError{Status: 409, Known: known, Reason: "another request moved first"}
		}
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, w.Signer)
	if err != nil {
		return nil, fmt.Errorf("witness: cosign: %w", err)
	}
	i := bytes.LastIndex(signed, []byte("\n\n"))
	return signed[i+2:], nil
}

// confirmed reports whether a claim the request cannot prove holds. For a
// log of this site the witness reads the log's tree itself: when both the
// submitted tree and the one it cosigned are prefixes of the log as it is,
// nothing went wrong. A log of another site is taken at its word: its
// signed checkpoint is the evidence kept.
func (w *Witness) confirmed(ctx context.Context, schoolID int64, submitted tlog.Tree, head store.WitnessTree) (bool, error) {
	if schoolID == 0 {
		return true, nil
	}
	size, err := w.DB.LedgerSize(ctx, schoolID)
	if err != nil {
		return false, err
	}
	r := w.DB.LedgerHashReader(ctx, schoolID)
	for _, t := range []tlog.Tree{submitted, {N: head.Size, Hash: head.Root}} {
		if t.N == 0 {
			continue
		}
		if t.N > size {
			return true, nil // a signed tree the log does not have
		}
		h, err := tlog.TreeHash(t.N, r)
		if err != nil || h != t.Hash {
			return true, nil // the log's own tree differs: it was rewritten
		}
	}
	return false, nil
}

// CosignatureVerifier reads a witness's verifier key (C2SP
// tlog-cosignature, algorithm 0x04), which the note package does not know.
func CosignatureVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 || parts[0] == "" || len(parts[1]) != 8 {
		return nil, errors.New("ledger: malformed witness key")
	}
	hash, err1 := strconv.ParseUint(parts[1], 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 4 {
		return nil, errors.New("ledger: malformed witness key (want a cosignature/v1 Ed25519 key)")
	}
	v := &cosigVerifier{name: parts[0], hash: uint32(hash), key: ed25519.PublicKey(key[1:])}
	if keyHash(v.name, key) != v.hash {
		return nil, errors.New("ledger: the witness key's hash does not match it")
	}
	return v, nil
}

// CheckLogKey checks what a bureau administrator registers for a school's
// log on another instance: its origin (the first line of its checkpoints)
// and its signed-note verifier key, whose name a gongkai log gives its
// origin. EINVALID with the fields at fault.
func CheckLogKey(origin, vkey string) error {
	fields := map[string]string{}
	switch {
	case origin == "":
		fields["origin"] = "请填写存证日志的名称（检查点的第一行）。"
	case len(origin) > 200 || strings.ContainsAny(origin, " +\t\r\n"):
		fields["origin"] = "日志名称不能含空格或加号，且不超过200个字符，例如 xuexiao.example.cn/s/xiangqian/log。"
	}
	v, err := note.NewVerifier(vkey)
	switch {
	case vkey == "":
		fields["key"] = "请填写学校公布的存证公钥。"
	case err != nil || len(vkey) > 500:
		fields["key"] = "公钥格式不对：应为学校 /s/{学校}/log/key 页面上的一行，形如 名称+8位十六进制+Base64。"
	case fields["origin"] == "" && v.Name() != origin:
		fields["key"] = "这个公钥的名称与日志名称不一致。"
	}
	if len(fields) > 0 {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "请检查标红的项目。", Fields: fields}
	}
	return nil
}
