package web

import (
	"net/http"

	"gongkai"
)

// The API's schools and their catalogues.

func (s *Server) apiSchools(w http.ResponseWriter, r *http.Request) error {
	schools, err := s.db.FindActiveSchools(r.Context(), 0)
	if err != nil {
		return err
	}
	keys, err := s.db.ActiveLedgerKeys(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiSchool, len(schools))
	for i, sc := range schools {
		k := keys[sc.ID]
		out[i] = apiSchool{Slug: sc.Slug, Name: sc.Name, FullName: sc.FullName, Code: sc.Code, Bureau: sc.BureauName, LogOrigin: k.Origin, LogKey: k.VKey}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiCatalogue(w http.ResponseWriter, r *http.Request) error {
	items, err := s.db.FindCatalogue(r.Context(), schoolFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	out := make([]apiCatalogueItem, len(items))
	for i, c := range items {
		cat, _ := gongkai.CategoryByCode(c.Category)
		out[i] = apiCatalogueItem{Code: c.Code, Name: c.Name, Category: c.Category, CategoryName: cat.Name, Audience: string(c.Audience),
			PublicityDays: c.PublicityDays, Frequency: c.Frequency, Department: c.Department, LegalBasis: c.LegalBasis}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
