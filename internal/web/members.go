package web

import (
	"net/http"

	"gongkai"
)

func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleSetRoles(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleAddDepartment(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleInvitations(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleCreateInvitation(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}

func (s *Server) handleCalendarSet(w http.ResponseWriter, r *http.Request) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")
}
