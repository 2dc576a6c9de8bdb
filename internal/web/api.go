package web

import (
	"net/http"

	"gongkai"
)

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiToken(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiSchools(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiCatalogue(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiDisclosures(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiCreateDisclosure(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiDisclosure(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiUpdateDisclosure(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) apiAct(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}
