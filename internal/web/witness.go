package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"gongkai"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
)

// The bureau as witness (docs/ledger.md): the C2SP tlog-witness endpoint
// the schools' logs push their checkpoints to, the witness's public key,
// and the bureau's page of the logs it witnesses and its alarms.

// Witness is the witness of this instance (internal/ledger Witness).
type Witness interface {
	AddCheckpoint(ctx context.Context, body []byte) ([]byte, error)
	Key() string
}

// handleWitnessAdd answers add-checkpoint exactly as C2SP tlog-witness
// says: plain text, the protocol's statuses, the size last cosigned as
// text/x.tlog.size on a 409.
func (s *Server) handleWitnessAdd(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Witness == nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "本站不提供见证服务。")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, ledger.MaxWitnessRequest+1))
	if err != nil {
		http.Error(w, "request body unreadable or too large", http.StatusRequestEntityTooLarge)
		return nil
	}
	sigs, err := s.cfg.Witness.AddCheckpoint(r.Context(), body)
	var we *ledger.WitnessError
	switch {
	case errors.As(err, &we) && we.Status == http.StatusConflict:
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", we.Known)
	case errors.As(err, &we):
		http.Error(w, we.Reason, we.Status)
	case err != nil:
		return err
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(sigs)
	}
	return nil
}

// handleWitnessKey serves the witness's verifier key, for anyone checking
// its cosignatures.
func (s *Server) handleWitnessKey(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Witness == nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "本站不提供见证服务。")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	fmt.Fprintln(w, s.cfg.Witness.Key())
	return nil
}

// witnessPage is the bureau's page of the logs its witness watches.
type witnessPage struct {
	base
	BureauName string
	Key        string
	Logs       []store.WitnessLog
	Sizes      map[string]int64
	Alarms     []store.WitnessAlarm
	Form       witnessLogForm
	Errors     map[string]string
}

type witnessLogForm struct{ Origin, Key string }

func (s *Server) witnessPage(r *http.Request) (*witnessPage, *gongkai.Bureau, error) {
	b, err := s.bureauOf(r)
	if err != nil {
		return nil, nil, err
	}
	p := &witnessPage{base: s.base(r, ""), BureauName: b.Name}
	p.Title = p.T("存证见证")
	p.NoIndex = true
	if s.cfg.Witness != nil {
		p.Key = s.cfg.Witness.Key()
	}
	if p.Logs, p.Sizes, err = s.db.WitnessLogs(r.Context(), b.ID); err != nil {
		return nil, nil, err
	}
	if p.Alarms, err = s.db.WitnessAlarms(r.Context(), b.ID); err != nil {
		return nil, nil, err
	}
	return p, b, nil
}

func (s *Server) handleWitness(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.witnessPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, "witness", p)
	return nil
}

// handleWitnessLogAdd registers the log of a school on another instance.
func (s *Server) handleWitnessLogAdd(w http.ResponseWriter, r *http.Request) error {
	p, b, err := s.witnessPage(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p.Form = witnessLogForm{Origin: strings.TrimSpace(r.PostFormValue("origin")), Key: strings.TrimSpace(r.PostFormValue("key"))}
	err = ledger.CheckLogKey(p.Form.Origin, p.Form.Key)
	if err == nil {
		err = s.db.AddWitnessLog(r.Context(), p.Actor, store.WitnessLog{BureauID: b.ID, Origin: p.Form.Origin, VKey: p.Form.Key})
	}
	switch gongkai.ErrorCode(err) {
	case "":
		return s.redirect(w, r, "/bureau/witness", "已登记，见证将为这个存证日志的检查点副署。")
	case gongkai.EINVALID, gongkai.ECONFLICT:
		p.Errors = gongkai.ErrorFields(err)
		if len(p.Errors) == 0 {
			p.Errors = map[string]string{"key": gongkai.ErrorMessage(err)}
		}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "witness", p)
		return nil
	}
	return err
}
