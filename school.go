package gongkai

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Bureau is a county (or city) education bureau over many schools.
type Bureau struct {
	ID         int64
	Name       string // e.g. 平川县教育局
	RegionCode string // region of the working-day calendar, "CN" for the national one
	CreatedAt  time.Time
}

// School is a tenant: every row of school data carries its id.
type School struct {
	ID         int64
	BureauID   int64
	BureauName string
	RegionCode string // the bureau's working-day calendar region
	Slug       string // short name in URLs: /s/{slug}/
	Name       string // 祥谦小学
	FullName   string // 闽侯县祥谦小学
	Code       string // 学校标识码, 10 digits, the first part of every index number
	Address    string
	Phone      string // 举报电话 / contact shown under every item
	CreatedAt  time.Time
}

// Department is a 处室 of a school (教导处, 总务处, ...).
type Department struct {
	ID       int64
	SchoolID int64
	Name     string
}

var slugPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)

// Validate checks a school's fields.
func (s *School) Validate() error {
	fe := FieldErrors{}
	if !slugPattern.MatchString(s.Slug) {
		fe.Add("slug", "网址名须为 2–40 位小写字母、数字或横线，以字母开头。")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(s.Name)); n == 0 || n > 60 {
		fe.Add("name", "请填写学校简称（不超过 60 字）。")
	}
	if utf8.RuneCountInString(s.FullName) > 120 {
		fe.Add("full_name", "学校全称不超过 120 字。")
	}
	if s.Code != "" && !regexp.MustCompile(`^[0-9A-Za-z]{4,20}$`).MatchString(s.Code) {
		fe.Add("code", "学校标识码须为 4–20 位数字或字母。")
	}
	return fe.Err()
}

// Title is the name shown in headers: the full name when there is one.
func (s *School) Title() string {
	if s.FullName != "" {
		return s.FullName
	}
	return s.Name
}
