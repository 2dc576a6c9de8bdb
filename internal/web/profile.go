package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// The school's profile: what it publishes of itself (full name, address,
// phones, office hours, the 便民办事指南), kept by its principal or the
// bureau's administrator at /s/{slug}/manage/profile, and the public guide
// page at /s/{slug}/guide. The name, codes and slug stay the bureau's.

type profilePage struct {
	base
	P      store.SchoolProfile
	Errors map[string]string
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, p *profilePage) error {
	p.Title, p.Nav, p.NoIndex = p.T("学校信息"), "profile", true
	s.renderPage(w, r, status, "profile", p)
	return nil
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) error {
	sc := schoolFrom(r.Context())
	p := &profilePage{base: s.base(r, ""), P: store.SchoolProfile{FullName: sc.FullName, Address: sc.Address, Phone: sc.Phone,
		AdmissionPhone: sc.AdmissionPhone, AidPhone: sc.AidPhone, OfficeHours: sc.OfficeHours, Guide: sc.Guide}}
	return s.renderProfile(w, r, http.StatusOK, p)
}

func (s *Server) handleProfileSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	sc := schoolFrom(r.Context())
	in := store.SchoolProfile{FullName: r.PostFormValue("full_name"), Address: r.PostFormValue("address"), Phone: r.PostFormValue("phone"),
		AdmissionPhone: r.PostFormValue("admission_phone"), AidPhone: r.PostFormValue("aid_phone"),
		OfficeHours: r.PostFormValue("office_hours"), Guide: r.PostFormValue("guide")}
	saved, err := s.db.UpdateSchoolProfile(r.Context(), gongkai.ActorFrom(r.Context()), sc.ID, in)
	if err != nil {
		fields, ierr := formError(err, "full_name")
		if ierr != nil {
			return ierr
		}
		return s.renderProfile(w, r, statusOfForm(err), &profilePage{base: s.base(r, ""), P: in, Errors: fields})
	}
	return s.redirect(w, r, "/s/"+saved.Slug+"/manage/profile", fmt.Sprintf("已保存%s的学校信息。", saved.Name))
}

type guidePage struct {
	base
}

func (s *Server) handleGuide(w http.ResponseWriter, r *http.Request) error {
	p := &guidePage{base: s.base(r, "")}
	p.Title, p.Nav = p.T("便民办事指南"), "guide"
	cachePrivate(w, &p.base, false)
	s.render(w, r, "guide", p)
	return nil
}

// phoneLinks writes a telephone field (one number or several, separated by
// 、 , ; or /) as tel: links, so a parent on a phone calls with one tap.
func phoneLinks(v string) template.HTML {
	var b strings.Builder
	start := 0
	rs := []rune(v)
	flush := func(end int, sep string) {
		n := strings.TrimSpace(string(rs[start:end]))
		if n != "" {
			num, _, _ := strings.Cut(n, "转")
			tel := strings.Map(func(r rune) rune {
				if r == '+' || (r >= '0' && r <= '9') {
					return r
				}
				return -1
			}, num)
			fmt.Fprintf(&b, `<a href="tel:%s">%s</a>`, template.HTMLEscapeString(tel), template.HTMLEscapeString(n))
		}
		b.WriteString(template.HTMLEscapeString(sep))
	}
	for i, r := range rs {
		if strings.ContainsRune("、,，;；/", r) {
			flush(i, string(r))
			start = i + 1
		}
	}
	flush(len(rs), "")
	return template.HTML(b.String())
}

// Tab marks the profile tab of the school administration pages.
func (p *profilePage) Tab() string { return "profile" }
