package web

import (
	"net/http"

	"gongkai"
)

func (s *Server) handleWork(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleManageList(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleNewForm(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleEditForm(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleEdit(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleRemoveFile(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleAct(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleReviseForm(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleRevise(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}
