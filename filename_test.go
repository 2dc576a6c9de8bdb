package gongkai

import (
	"strings"
	"testing"
)

func TestCleanFilename(t *testing.T) {
	const (
		pdf  = "application/pdf"
		jpg  = "image/jpeg"
		xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	)
	long := strings.Repeat("长", 150)
	tests := []struct {
		name, in, ctype, want string
	}{
		{"right-to-left override", "report\u202efdp.exe", "", "reportfdp.exe"},
		{"right-to-left override of a pdf", "report\u202efdp.exe", pdf, "reportfdp.pdf"},
		{"every bidi control", "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c名单.xlsx", xlsx, "名单.xlsx"},
		{"isolates around a name", "\u2067名单\u2069.xlsx", xlsx, "名单.xlsx"},
		{"zero-width and byte-order marks", "a\u200bb\u200cc\u200dd\ufeffe\u2060f\u00adg.pdf", pdf, "abcdefg.pdf"},
		{"control characters", "tab\tnew\nline\x00\x7f\u0085.pdf", pdf, "tabnewline.pdf"},
		{"private use and noncharacters", "a\ue000b\uffffc\ufdd0.pdf", pdf, "abc.pdf"},
		{"line separators", "a\u2028b\u2029c.pdf", pdf, "abc.pdf"},
		{"chinese kept", "2026年春季学期收费公示（修订）.pdf", pdf, "2026年春季学期收费公示（修订）.pdf"},
		{"ideographic and repeated spaces", "名单\u3000\u3000一   二\u00a0三.xlsx", xlsx, "名单 一 二 三.xlsx"},
		{"unix path", "../../etc/passwd", "", "passwd"},
		{"windows path", `C:\Users\张三\Desktop\通知.docx`, docx, "通知.docx"},
		{"windows reserved characters", `a:b?c*d|e<f>g"h.pdf`, pdf, "a_b_c_d_e_f_g_h.pdf"},
		{"leading and trailing dots and spaces", " ..隐藏. .pdf", pdf, "隐藏.pdf"},
		{"upper-case extension kept", "收支表.XLSX", xlsx, "收支表.XLSX"},
		{"other jpeg extension kept", "photo.jpeg", jpg, "photo.jpeg"},
		{"wrong extension replaced", "scan.png", jpg, "scan.jpg"},
		{"html name of a pdf", "notice.html", pdf, "notice.pdf"},
		{"double extension", "report.pdf.exe", pdf, "report.pdf"},
		{"no extension added", "2025.03.财务报表", xlsx, "2025.03.财务报表.xlsx"},
		{"unknown type keeps its extension", "a.webm", "", "a.webm"},
		{"only an extension", ".pdf", pdf, "附件.pdf"},
		{"empty", "", "", "附件"},
		{"empty of a docx", "\u202e", docx, "附件.docx"},
		{"dot dot", "..", "", "附件"},
		{"invalid utf-8", "a\xff\xfeb.pdf", pdf, "ab.pdf"},
		{"long name keeps its extension", long + ".pdf", pdf, strings.Repeat("长", 96) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanFilename(tt.in, tt.ctype)
			if got != tt.want {
				t.Errorf("CleanFilename(%+q, %q) = %+q, want %+q", tt.in, tt.ctype, got, tt.want)
			}
			if again := CleanFilename(got, tt.ctype); again != got {
				t.Errorf("not stable: %+q then %+q", got, again)
			}
		})
	}
}

func TestNameFitsContent(t *testing.T) {
	const (
		doc  = "application/msword"
		xls  = "application/vnd.ms-excel"
		docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	)
	for _, tt := range []struct {
		name, ctype string
		want        bool
	}{
		{"通知.doc", doc, true},
		{"通知.WPS", doc, true},
		{"名单.xls", xls, true},
		{"名单.et", xls, true},
		{"通知.docx", docx, true},
		{"通知", docx, true},                     // no extension: CleanFilename adds one
		{"notes.txt", "application/pdf", true}, // no attachment's extension
		{"截图.png", "image/jpeg", true},         // images among themselves
		{"通知.doc", docx, false},
		{"通知.docx", doc, false},
		{"名单.xls", doc, false},
		{"名单.et", docx, false},
		{"报告.pdf", "image/png", false},
		{"照片.jpg", "application/pdf", false},
	} {
		if got := NameFitsContent(tt.name, tt.ctype); got != tt.want {
			t.Errorf("NameFitsContent(%q, %s) = %v, want %v", tt.name, tt.ctype, got, tt.want)
		}
	}
	if AttachmentExt("setup.exe") || !AttachmentExt("旧表.et") {
		t.Error("AttachmentExt")
	}
}
