package demo

import (
	"fmt"
	"strings"

	"gongkai"
)

// The demo county's particulars: what its footers, profiles and the
// bureau's school list show. All fictional, and well-formed: 350439 is no
// county's 行政区划代码, and the credit codes carry correct check
// characters (GB 32100-2015).

// Bureau returns the demo county's bureau with its footer particulars.
func Bureau() gongkai.Bureau {
	return gongkai.Bureau{
		Name:         "青禾县教育局",
		RegionCode:   "CN",
		DivisionCode: "350439",
		Address:      "青禾县城关镇府前路8号",
		Phone:        "0598-5550100",
		Sponsor:      "青禾县教育局",
		ICP:          "闽ICP备19004371号-1",
		PSB:          "闽公网安备35043902000117号",
	}
}

// BureauSeed returns the name of the demo county's bureau and its
// working-day calendar region.
func BureauSeed() (name, region string) {
	b := Bureau()
	return b.Name, b.RegionCode
}

// creditCode completes a fictional 17-character prefix with its check
// character.
func creditCode(first17 string) string {
	c, ok := gongkai.CreditCheckChar(first17)
	if !ok {
		panic("demo: bad credit code prefix " + first17) // a typo in this file
	}
	return first17 + string(c)
}

// particulars fills the school's record and profile: 统一社会信用代码
// (a 事业单位, 12 + the county's code), 学段, phones, office hours and its
// 便民办事指南.
func (s *schoolInfo) particulars(org, admission, aid string) {
	seed := &s.seed
	seed.CreditCode = creditCode("12" + Bureau().DivisionCode + org)
	seed.Stage = "小学"
	if s.vocational {
		seed.Stage = "中等职业学校"
	}
	seed.AdmissionPhone, seed.AidPhone = admission, aid
	seed.OfficeHours = "周一至周五 8:00—11:30，14:30—17:30（法定节假日除外）"
	if s.boarding {
		seed.OfficeHours += "；寄宿生管理值班电话夜间有人接听"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "到校办事请在办公时间前往%s，或先电话咨询。除注明外，办事不收取任何费用。\n\n", s.dept[dOffice])
	rows := [][]string{
		{"在读证明、学籍证明", s.dept[dTeaching], "学生姓名、班级；家长身份证（查验）", "当场办理"},
		{"转学、借读", s.dept[dTeaching], "转学申请表、户口簿（查验）、转入学校接收证明", "5个工作日"},
		{"学生资助申请", s.dept[dStudent], "申请表、家庭经济困难认定材料（资助热线 " + aid + "）", "按当学期资助通知"},
		{"新生入学咨询", s.dept[dEnrol], "招生咨询电话 " + admission, "当场答复"},
		{"查阅公开事项材料", s.dept[dOffice], "无", "当场办理"},
		{"意见建议、校长信箱", s.dept[dOffice], "网上提交或投递校门口意见箱", "5个工作日内答复"},
		{"举报", "校务公开监督小组", "网上举报（可匿名）或监督电话 " + seed.Phone, "15个工作日内答复"},
	}
	if s.vocational {
		rows[3][0] = "中职招生、专业咨询"
		rows = append(rows, []string{"实习就业证明", s.dept[dEnrol], "学生证、实习单位证明", "2个工作日"})
	}
	sb.WriteString(table([]string{"事项", "办理部门", "所需材料", "办理时限"}, rows))
	fmt.Fprintf(&sb, "\n学校地址：%s。对办事结果有异议的，可向校务公开监督小组反映，也可拨打县教育局监督举报电话 %s。\n", seed.Address, Bureau().Phone)
	seed.Guide = sb.String()
}
