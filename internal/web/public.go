package web

import (
	"net/http"

	"gongkai"
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleDisclosure(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleDisclosureVersion(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleAttachment(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleCatalogue(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleInternalBoard(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}
