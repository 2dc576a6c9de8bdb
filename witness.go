package gongkai

import "fmt"

// The bureau as witness (docs/ledger.md): it cosigns a school's signed
// checkpoint only when the checkpoint extends, by a consistency proof, the
// last one it cosigned for that log (C2SP tlog-witness). WitnessDecide is
// the protocol's decision once the request is parsed and the log's
// signature checked; the caller persists, signs and answers.

// MaxWitnessProof is the most consistency proof lines a request may carry
// (C2SP tlog-witness: a proof between two sizes below 2^63 never needs more).
const MaxWitnessProof = 63

// WitnessAnswer is what the witness answers a request.
type WitnessAnswer int

// The answers, with the HTTP status the protocol gives each.
const (
	WitnessCosign     WitnessAnswer = iota // 200: cosign (and record) the checkpoint
	WitnessBadRequest                      // 400: old size above the checkpoint's, or a proof where none belongs
	WitnessConflict                        // 409: old is not the size last cosigned, or a same-size tree with another root
	WitnessBadProof                        // 422: the consistency proof does not verify
)

// Status is the HTTP status of the answer.
func (a WitnessAnswer) Status() int {
	switch a {
	case WitnessBadRequest:
		return 400
	case WitnessConflict:
		return 409
	case WitnessBadProof:
		return 422
	}
	return 200
}

// WitnessAlarmKind names what a checkpoint proves against the log.
type WitnessAlarmKind string

// The alarms. Each is raised only on a checkpoint the log itself signed,
// and is recorded even when the request is refused.
const (
	// AlarmFork: a signed tree disagrees with one the witness cosigned,
	// either of the same size with another root, or one that no
	// consistency proof from the cosigned tree reaches.
	AlarmFork WitnessAlarmKind = "fork"
	// AlarmRollback: a signed tree smaller than the one cosigned, which the
	// witness never saw: the log went back.
	AlarmRollback WitnessAlarmKind = "rollback"
)

// Text is the alarm as the bureau's dashboard says it.
func (k WitnessAlarmKind) Text() string {
	switch k {
	case AlarmFork:
		return "某校存证日志出现分叉，见证已拒绝签名"
	case AlarmRollback:
		return "某校存证日志出现回退，见证已拒绝签名"
	}
	return string(k)
}

// WitnessFacts are what the witness knows when it decides.
type WitnessFacts struct {
	Old        int64    // the request's old size
	ProofLines int      // how many consistency proof lines it carries
	Size       int64    // the submitted checkpoint's size
	Root       [32]byte // and root
	KnownSize  int64    // the latest tree cosigned for the origin (0: none)
	KnownRoot  [32]byte
	// SeenRoot is the root cosigned at Size, when the witness cosigned a
	// tree of that size (Seen).
	Seen     bool
	SeenRoot [32]byte
	// ProofOK says the consistency proof from KnownSize to Size verifies;
	// only read when Old == KnownSize < Size.
	ProofOK bool
}

// WitnessVerdict is the answer and, when the checkpoint proves the log
// misbehaved, the alarm to record.
type WitnessVerdict struct {
	Answer WitnessAnswer
	Alarm  WitnessAlarmKind
	Reason string // for the log and the refusal's body
}

// WitnessDecide applies C2SP tlog-witness to a checkpoint whose signature
// verified. The alarm is decided first, from the signed tree alone, so
// that a refused request still leaves its evidence.
func WitnessDecide(f WitnessFacts) WitnessVerdict {
	var v WitnessVerdict
	switch {
	case f.Seen && f.SeenRoot != f.Root:
		v.Alarm = AlarmFork
	case !f.Seen && f.Size < f.KnownSize:
		v.Alarm = AlarmRollback
	}
	switch {
	case f.Old > f.Size:
		v.Answer, v.Reason = WitnessBadRequest, fmt.Sprintf("old size %d is above the checkpoint's size %d", f.Old, f.Size)
	case f.Old == 0 && f.ProofLines > 0:
		v.Answer, v.Reason = WitnessBadRequest, "a proof from size 0 must be empty"
	case f.Old != f.KnownSize:
		v.Answer, v.Reason = WitnessConflict, fmt.Sprintf("the last cosigned size is %d", f.KnownSize)
	case f.Old == f.Size && f.Root != f.KnownRoot:
		v.Answer, v.Reason = WitnessConflict, "a tree of this size with another root was cosigned"
	case f.Old == f.Size:
		v.Answer, v.Reason = WitnessCosign, "the tree cosigned last"
	case f.Old > 0 && !f.ProofOK:
		v.Answer, v.Reason = WitnessBadProof, "the consistency proof does not verify"
		if v.Alarm == "" {
			v.Alarm = AlarmFork
		}
	default:
		v.Answer, v.Reason = WitnessCosign, "consistent"
	}
	return v
}
