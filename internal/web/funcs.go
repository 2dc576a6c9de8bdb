package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/markdown"
)

func templateFuncs(st *staticFiles) template.FuncMap {
	md := markdown.New()
	return template.FuncMap{
		"static":     st.url,
		"markdown":   md.Render,
		"phoneLinks": phoneLinks,
		// isoDate is the list form: 2025-03-03.
		"isoDate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(gongkai.Beijing).Format("2006-01-02")
		},
		"dateTime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(gongkai.Beijing).Format("2006-01-02 15:04")
		},
		"money":        money,
		"stateLabel":   func(s gongkai.State) string { return s.Label() },
		"actionLabel":  func(a gongkai.Action) string { return a.Label() },
		"roleLabel":    func(r gongkai.Role) string { return r.Label() },
		"audLabel":     func(a gongkai.Audience) string { return a.Label() },
		"channelLabel": func(c gongkai.Channel) string { return c.Label() },
		"categoryName": func(code string) string {
			if c, ok := gongkai.CategoryByCode(code); ok {
				return c.Name
			}
			return code
		},
		"categories":  func() []gongkai.Category { return gongkai.Categories },
		"audiences":   func() []gongkai.Audience { return gongkai.Audiences },
		"channels":    func() []gongkai.Channel { return gongkai.Channels },
		"schoolRoles": func() []gongkai.Role { return gongkai.SchoolRoles },
		"add":         func(a, b int) int { return a + b },
		"fileSize": func(n int64) string {
			switch {
			case n >= 1<<20:
				return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%d KB", n>>10)
			}
			return fmt.Sprintf("%d B", n)
		},
		"hasChannel": func(cs []gongkai.Channel, c gongkai.Channel) bool {
			for _, x := range cs {
				if x == c {
					return true
				}
			}
			return false
		},
		"hasRole": func(rs []gongkai.Role, r gongkai.Role) bool {
			for _, x := range rs {
				if x == r {
					return true
				}
			}
			return false
		},
		"itoa": strconv.Itoa,
	}
}

// money formats yuan with thousands separators: ¥1,234.50.
func money(v float64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := "¥" + b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}
