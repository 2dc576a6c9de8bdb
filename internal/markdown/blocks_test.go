package markdown

import (
	"reflect"
	"testing"
)

// TestBlocks gives the body of a printed notice as plain blocks: what
// Render shows, without the markup, and nothing that Render drops.
func TestBlocks(t *testing.T) {
	r := New()
	for _, tc := range []struct {
		name, src string
		want      []Block
	}{
		{"paragraphs join Chinese lines without a space, Latin ones with one",
			"根据有关规定，\n现公示如下。\n\nsee the\nboard", []Block{
				{Kind: Paragraph, Text: "根据有关规定，现公示如下。"},
				{Kind: Paragraph, Text: "see the board"},
			}},
		{"headings keep their level", "## 一、收入\n\n### 说明", []Block{
			{Kind: Heading, Level: 2, Text: "一、收入"},
			{Kind: Heading, Level: 3, Text: "说明"},
		}},
		{"ordered lists count from their start, nested ones go one deeper", "3. 办公费\n4. 维修费\n   - 屋面\n   - 门窗", []Block{
			{Kind: ListItem, Marker: "3.", Text: "办公费"},
			{Kind: ListItem, Marker: "4.", Text: "维修费"},
			{Kind: ListItem, Level: 1, Marker: "•", Text: "屋面"},
			{Kind: ListItem, Level: 1, Marker: "•", Text: "门窗"},
		}},
		{"emphasis is lost, a link keeps its address, inline tags are dropped (their text stays, as on the page)",
			"**加粗**和<b onclick=x>粗</b>[公告](https://example.cn/d/1)、[本页](/s/xq/)", []Block{
				{Kind: Paragraph, Text: "加粗和粗公告（https://example.cn/d/1）、本页"},
			}},
		{"quotes, code and rules", "> 已核对\n\n```\n1  2\n```\n\n---", []Block{
			{Kind: Quote, Text: "已核对"},
			{Kind: Code, Text: "1  2"},
			{Kind: Rule},
		}},
		{"tables keep rows and alignment", "| 项目 | 金额 |\n|---|--:|\n| 办公费 | ¥1,200.00 |", []Block{
			{Kind: Table, Rows: [][]string{{"项目", "金额"}, {"办公费", "¥1,200.00"}}, Align: []string{"", "right"}},
		}},
		{"an HTML block is dropped", "<div>隐藏</div>\n\n正文", []Block{{Kind: Paragraph, Text: "正文"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Blocks(tc.src); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Blocks(%q) =\n%#v\nwant\n%#v", tc.src, got, tc.want)
			}
		})
	}
}
