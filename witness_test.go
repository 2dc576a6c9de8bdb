package gongkai

import "testing"

func TestWitnessDecide(t *testing.T) {
	a, b := [32]byte{1}, [32]byte{2}
	tests := []struct {
		name   string
		f      WitnessFacts
		answer WitnessAnswer
		alarm  WitnessAlarmKind
	}{
		{"first checkpoint", WitnessFacts{Size: 3, Root: a}, WitnessCosign, ""},
		{"first with a proof", WitnessFacts{ProofLines: 1, Size: 3, Root: a}, WitnessBadRequest, ""},
		{"consistent", WitnessFacts{Old: 3, ProofLines: 2, Size: 5, Root: b, KnownSize: 3, KnownRoot: a, ProofOK: true}, WitnessCosign, ""},
		{"old unknown to the client", WitnessFacts{Old: 0, Size: 5, Root: b, KnownSize: 3, KnownRoot: a}, WitnessConflict, ""},
		{"old behind", WitnessFacts{Old: 2, ProofLines: 1, Size: 5, Root: b, KnownSize: 3, KnownRoot: a, ProofOK: true}, WitnessConflict, ""},
		{"same tree again", WitnessFacts{Old: 3, Size: 3, Root: a, KnownSize: 3, KnownRoot: a, Seen: true, SeenRoot: a}, WitnessCosign, ""},
		{"same size, other root", WitnessFacts{Old: 3, Size: 3, Root: b, KnownSize: 3, KnownRoot: a, Seen: true, SeenRoot: a}, WitnessConflict, AlarmFork},
		{"same size, other root, old unknown", WitnessFacts{Old: 0, Size: 3, Root: b, KnownSize: 3, KnownRoot: a, Seen: true, SeenRoot: a}, WitnessConflict, AlarmFork},
		{"bad proof", WitnessFacts{Old: 3, ProofLines: 1, Size: 4, Root: b, KnownSize: 3, KnownRoot: a}, WitnessBadProof, AlarmFork},
		{"old above size", WitnessFacts{Old: 5, Size: 4, Root: b, KnownSize: 5, KnownRoot: a}, WitnessBadRequest, AlarmRollback},
		{"older tree cosigned before", WitnessFacts{Old: 5, Size: 4, Root: b, KnownSize: 5, KnownRoot: a, Seen: true, SeenRoot: b}, WitnessBadRequest, ""},
		{"smaller tree never seen, old unknown", WitnessFacts{Old: 0, Size: 4, Root: b, KnownSize: 5, KnownRoot: a}, WitnessConflict, AlarmRollback},
		{"smaller tree that forks", WitnessFacts{Old: 0, Size: 4, Root: a, KnownSize: 5, KnownRoot: a, Seen: true, SeenRoot: b}, WitnessConflict, AlarmFork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := WitnessDecide(tt.f)
			if v.Answer != tt.answer || v.Alarm != tt.alarm {
				t.Errorf("answer %d (%d) alarm %q, want %d alarm %q (%s)", v.Answer, v.Answer.Status(), v.Alarm, tt.answer, tt.alarm, v.Reason)
			}
		})
	}
}
