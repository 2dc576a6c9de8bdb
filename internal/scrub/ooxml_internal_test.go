package scrub

import "testing"

// TestRewriterOf: the parts that name people lose the names and keep their
// structure; other parts are copied.
func TestRewriterOf(t *testing.T) {
	tests := []struct{ part, in, want string }{
		{"xl/workbook.xml",
			`<workbook><mc:AlternateContent><mc:Choice Requires="x15"><x15ac:absPath url="C:\Users\zhang\Desktop\" xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"/></mc:Choice></mc:AlternateContent><sheets/></workbook>`,
			`<workbook><mc:AlternateContent><mc:Choice Requires="x15"></mc:Choice></mc:AlternateContent><sheets/></workbook>`},
		{"xl/comments1.xml", `<comments><authors><author>张明远</author><author>李四</author></authors><commentList><comment ref="A1" authorId="0"/></commentList></comments>`,
			`<comments><authors><author></author><author></author></authors><commentList><comment ref="A1" authorId="0"/></commentList></comments>`},
		{"xl/persons/person.xml", `<personList><person displayName="张明远" id="{1}" userId="zhang@example.cn" providerId="AD"/></personList>`,
			`<personList><person displayName="" id="{1}" userId="" providerId=""/></personList>`},
		{"ppt/commentAuthors.xml", `<p:cmAuthorLst><p:cmAuthor id="0" name="张明远" initials="ZM" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>`,
			`<p:cmAuthorLst><p:cmAuthor id="0" name="" initials="" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>`},
		{"word/people.xml", `<w15:people><w15:person w15:author="张明远"><w15:presenceInfo w15:providerId="None" w15:userId="张明远"/></w15:person></w15:people>`,
			`<w15:people><w15:person w15:author=""><w15:presenceInfo w15:providerId="" w15:userId=""/></w15:person></w15:people>`},
		{"docProps/app.xml", `<Properties><Template>C:\Users\zhang\模板.dotm</Template><Manager/><Company>明远公司</Company><Pages>1</Pages><HyperlinkBase>file:///C:/Users/zhang/</HyperlinkBase></Properties>`,
			`<Properties><Pages>1</Pages></Properties>`},
		{"xl/sharedStrings.xml", `<sst><si><t>author="张明远"</t></si></sst>`, `<sst><si><t>author="张明远"</t></si></sst>`},
		{"word/media/image1.png", "author=\"x\"", "author=\"x\""},
	}
	for _, tt := range tests {
		t.Run(tt.part, func(t *testing.T) {
			got := tt.in
			if rw := rewriterOf(tt.part); rw != nil {
				got = string(rw([]byte(tt.in)))
			}
			if got != tt.want {
				t.Errorf("%s:\n got %s\nwant %s", tt.part, got, tt.want)
			}
		})
	}
}
