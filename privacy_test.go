package gongkai

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidResidentID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"11010519491231002X", true},
		{"11010519491231002x", true},
		{"350102201203151239", true},
		{"350102201203151238", false}, // wrong check character
		{"350102201203151230", false},
		{"440304201002290019", false}, // 2010-02-29 does not exist
		{"990102201203151239", false}, // no such province
		{"35010220120315123", false},  // 17 digits
		{"3501022012031512399", false},
		{"35010220120315123A", false},
	}
	for _, tt := range tests {
		if got := ValidResidentID(tt.in); got != tt.want {
			t.Errorf("ValidResidentID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidOldResidentID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"350102850315123", true},
		{"350102851315123", false}, // month 13
		{"350102850230123", false}, // 30 February
		{"990102850315123", false},
		{"35010285031512", false},
	}
	for _, tt := range tests {
		if got := ValidOldResidentID(tt.in); got != tt.want {
			t.Errorf("ValidOldResidentID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true},
		{"6222021234567890128", true},
		{"6222021234567890127", false},
		{"", false},
		{"12a4", false},
	}
	for _, tt := range tests {
		if got := Luhn(tt.in); got != tt.want {
			t.Errorf("Luhn(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		kind PIIKind
		in   string
		want string
	}{
		{PIIResidentID, "35010220120315123X", "3501**********123X"},
		{PIIResidentID, "350102850315123", "3501*******5123"},
		{PIIMobile, "13812345678", "138****5678"},
		{PIIMobile, "+8613812345678", "138****5678"},
		{PIIMobile, "138-1234-5678", "138****5678"},
		{PIIBankCard, "6222021234567890128", "6222***********0128"},
		{PIIBankCard, "6222 0212 3456 7890 128", "6222***********0128"},
		{PIIAddress, "福建省福州市鼓楼区东街12号", "福建省福州市****"},
		{PIIAddress, "东街", "东****"},
		{PIIBirthDate, "2012-03-15", "2012-**-**"},
		{PIIBirthDate, "2012年3月15日", "2012年*月**日"},
	}
	for _, tt := range tests {
		if got := Mask(tt.kind, tt.in); got != tt.want {
			t.Errorf("Mask(%s, %q) = %q, want %q", tt.kind, tt.in, got, tt.want)
		}
	}
}

// A mask never leaves a number that is still a valid ID or card, whatever
// is written around it.
func TestMaskLeavesNothingValid(t *testing.T) {
	values := []string{"11010519491231002X", "350102201203151239", "350102850315123", "6222021234567890128", "4111111111111111", "13812345678",
		"１３８１２３４５６７８", "３５０１０２２０１２０３１５１２３９", "6222　0212　3456　7890　128"}
	contexts := []string{"%s", "号码%s。", "| %s |", "%s %s", "X%s", "ID%sX", "%s-%s"}
	for _, v := range values {
		for _, c := range contexts {
			body := strings.ReplaceAll(c, "%s", v)
			masked := MaskBody(body, ScanBody(body, nil))
			if left := ScanBody(masked, nil); len(left) != 0 {
				t.Errorf("MaskBody(%q) = %q, still finds %v", body, masked, left)
			}
			// A phone number inside a code (AB13812345678) is left alone.
			lettered := strings.ContainsAny(c, "XI") && utf8.RuneCountInString(v) == 11
			if strings.Contains(masked, v) && !lettered {
				t.Errorf("MaskBody(%q) = %q keeps %q", body, masked, v)
			}
			for i := range len(masked) {
				for n := 15; n <= 19 && i+n <= len(masked); n++ {
					if s := masked[i : i+n]; ValidResidentID(s) || ValidOldResidentID(s) || validCard(s) {
						t.Errorf("MaskBody(%q) = %q leaves the valid number %q", body, masked, s)
					}
				}
			}
		}
	}
}

func TestScanBody(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		allow map[string]bool
		want  []string // messages
	}{
		{"nothing", "本学期助学金发放情况如下。\n共 12 人，金额 12000 元。", nil, nil},
		{"id on line 2", "名单如下：\n林小雨 35010220120315123X 三年级", nil, nil}, // wrong check char: X is not 9
		{"valid id", "名单如下：\n林小雨 350102201203151239 三年级", nil, []string{"正文第 2 行：身份证号 3501**********1239"}},
		{"lower x", "身份证 11010519491231002x", nil, []string{"正文第 1 行：身份证号 1101**********002x"}},
		{"old id", "旧证 350102850315123", nil, []string{"正文第 1 行：身份证号 3501*******5123"}},
		{"old id bad date", "编号 350102851315123", nil, nil},
		{"card", "卡号：6222021234567890128", nil, []string{"正文第 1 行：银行卡号 6222***********0128"}},
		{"card grouped", "卡号：6222 0212 3456 7890 128", nil, []string{"正文第 1 行：银行卡号 6222***********0128"}},
		{"two cards in a row", "卡号 6222 0212 3456 7890 128 4111 1111 1111 1111", nil, []string{"正文第 1 行：银行卡号 6222***********0128", "正文第 1 行：银行卡号 4111********1111"}},
		{"card bad luhn", "卡号：6222021234567890127", nil, nil},
		{"id passing luhn is an id", "证号 " + luhnID(), nil, []string{"正文第 1 行：身份证号 " + Mask(PIIResidentID, luhnID())}},
		{"mobile", "联系人：王老师 13812345678", nil, []string{"正文第 1 行：手机号码 138****5678"}},
		{"mobile +86", "电话 +86 13812345678", nil, []string{"正文第 1 行：手机号码 138****5678"}},
		{"mobile grouped", "电话 138-1234-5678", nil, []string{"正文第 1 行：手机号码 138****5678"}},
		{"mobile in longer run", "流水号 2013812345678901", nil, nil},
		{"mobile after letters", "订单 AB13812345678", nil, nil},
		{"12 prefix is no mobile", "编号 12812345678", nil, nil},
		{"landline", "咨询电话 0591-22345678", nil, nil},
		{"full-width mobile", "家长电话：１３８１２３４５６７８", nil, []string{"正文第 1 行：手机号码 138****5678"}},
		{"full-width id", "身份证 ３５０１０２２０１２０３１５１２３９，另 11010519491231002Ｘ", nil, []string{"正文第 1 行：身份证号 3501**********1239", "正文第 1 行：身份证号 1101**********002X"}},
		{"school phone allowed", "资助热线 13905911234，家长 13812345678", map[string]bool{"13905911234": true}, []string{"正文第 1 行：手机号码 138****5678"}},
		{"address outside roster", "学校地址：福州市鼓楼区东街12号", nil, nil},
		{"roster table", "| 姓名 | 班级 | 家庭住址 | 出生日期 | 电话 |\n| --- | --- | --- | --- | --- |\n| 林小雨 | 三(2)班 | 福建省福州市鼓楼区东街12号 | 2012-03-15 | 13812345678 |\n| 陈一鸣 | 三(1)班 | — | | 0591-87654321 |",
			nil, []string{"表格第 1 行“家庭住址”列：家庭住址 福建省福州市****", "表格第 1 行“出生日期”列：出生日期 2012-**-**", "表格第 1 行“电话”列：手机号码 138****5678"}},
		{"not a roster", "| 项目 | 地点 |\n| --- | --- |\n| 操场改造 | 东街12号 |", nil, nil},
		{"school address column", "| 学校 | 学校地址 | 电话 |\n|---|---|---|\n| 祥谦小学 | 福州市东街1号 | 0591-1234567 |", nil, nil},
		{"second table", "| 姓名 | 金额 |\n|---|---|\n| 林 | 500 |\n\n| 姓名 | 住址 |\n|---|---|\n| 陈 | 福州市鼓楼区东街3号 |", nil, []string{"第 2 个表格第 1 行“住址”列：家庭住址 福州市鼓楼****"}},
		{"card in table", "| 姓名 | 银行卡号 |\n|:--|--:|\n| 林 | 6222021234567890128 |", nil, []string{"表格第 1 行“银行卡号”列：银行卡号 6222***********0128"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range ScanBody(tt.body, tt.allow) {
				got = append(got, f.Message())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ScanBody(%q)\n got %q\nwant %q", tt.body, got, tt.want)
			}
		})
	}
}

// luhnID is a valid resident ID that passes Luhn too.
func luhnID() string {
	for n := 100; n < 1000; n++ {
		base := "35010220120315" + string(rune('0'+n/100)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
		id := base + string(IDCheckChar(base))
		if ValidResidentID(id) && Luhn(id) {
			return id
		}
	}
	panic("no ID passes Luhn")
}

func TestMaskBody(t *testing.T) {
	body := "联系人 13812345678\n| 姓名 | 家庭住址 | 身份证号 |\n|---|---|---|\n| 林小雨 | 福建省福州市鼓楼区东街12号 | 350102201203151239 |"
	want := "联系人 138****5678\n| 姓名 | 家庭住址 | 身份证号 |\n|---|---|---|\n| 林小雨 | 福建省福州市**** | 3501**********1239 |"
	fs := ScanBody(body, nil)
	if len(fs) != 3 {
		t.Fatalf("ScanBody found %d, want 3: %v", len(fs), fs)
	}
	if got := MaskBody(body, fs); got != want {
		t.Errorf("MaskBody\n got %q\nwant %q", got, want)
	}
	if left := ScanBody(MaskBody(body, fs), nil); len(left) != 0 {
		t.Errorf("after masking: %v", left)
	}
}

func TestScanSheet(t *testing.T) {
	rows := [][]string{
		{"2025年秋季学期助学金名单"},
		{"序号", "姓名", "身份证号", "家庭住址", "出生年月", "联系电话"},
		{"1", "林小雨", "350102201203151239", "福州市鼓楼区东街12号", "2012.03", "13812345678"},
		{"2", "陈一鸣", "350102201203151238", "", "", "0591-1234567"},
	}
	var got []string
	for _, f := range ScanSheet("Sheet1", rows, nil) {
		got = append(got, f.Message())
	}
	want := []string{
		"工作表“Sheet1” C3：身份证号 3501**********1239",
		"工作表“Sheet1” D3：家庭住址 福州市鼓楼****",
		"工作表“Sheet1” E3：出生日期 2012.**",
		"工作表“Sheet1” F3：手机号码 138****5678",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ScanSheet\n got %q\nwant %q", got, want)
	}
	named := InAttachment("名单.xlsx", ScanSheet("Sheet1", rows, nil))
	if named[0].Place != "附件《名单.xlsx》工作表“Sheet1” C3" {
		t.Errorf("InAttachment place = %q", named[0].Place)
	}
}

func TestScanDocAndPages(t *testing.T) {
	paras := []string{"助学金名单", "联系人 13812345678"}
	if got := ScanParagraphs(paras, nil); len(got) != 1 || got[0].Place != "第 2 段" {
		t.Errorf("ScanParagraphs = %v", got)
	}
	table := [][]string{{"姓名", "生日"}, {"林小雨", "2012年3月15日"}}
	if got := ScanDocTable(1, table, nil); len(got) != 1 || got[0].Message() != "表格 1 第 1 行“生日”列：出生日期 2012年*月**日" {
		t.Errorf("ScanDocTable = %v", got)
	}
	pages := []string{"第一页没有", "林小雨\n11010519491231002X\n13812345678"}
	var got []string
	for _, f := range ScanPages(pages, nil) {
		got = append(got, f.Message())
	}
	want := []string{"第 2 页：身份证号 1101**********002X", "第 2 页：手机号码 138****5678"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ScanPages\n got %q\nwant %q", got, want)
	}
	u := InAttachment("扫描件.pdf", []Finding{Unchecked("", "可能是扫描图片")})[0]
	if u.Message() != "附件《扫描件.pdf》无法自动检查（可能是扫描图片），请人工核对" {
		t.Errorf("unchecked message = %q", u.Message())
	}
}

func TestAllowedPhones(t *testing.T) {
	got := AllowedPhones("0591-22345678", "13905911234、139 0591 4321", "")
	want := map[string]bool{"13905911234": true, "13905914321": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AllowedPhones = %v, want %v", got, want)
	}
}

func TestPrivacyRefusal(t *testing.T) {
	if PrivacyRefusal(nil) != nil {
		t.Fatal("no findings must not refuse")
	}
	fs := append(ScanBody("电话 13812345678", nil), InAttachment("a.pdf", []Finding{Unchecked("", "")})...)
	err := PrivacyRefusal(fs)
	if ErrorCode(err) != EINVALID {
		t.Fatalf("code = %q", ErrorCode(err))
	}
	msg := ErrorMessage(err)
	for _, s := range []string{"正文第 1 行", "附件《a.pdf》无法自动检查"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not name %q", msg, s)
		}
	}
	if f := ErrorFields(err); f["body"] == "" || f["file"] == "" {
		t.Errorf("fields = %v", f)
	}
}

func TestPrivacyRefusalLong(t *testing.T) {
	var fs []Finding
	for i := range 150 {
		fs = append(fs, Finding{Kind: PIIAddress, Masked: "福州市****", Place: fmt.Sprintf("附件《a.xlsx》工作表“Sheet1” C%d", i+2)})
	}
	msg := ErrorMessage(PrivacyRefusal(fs))
	if !strings.Contains(msg, "C21：") || strings.Contains(msg, "C22：") || !strings.Contains(msg, "另有 130 处") {
		t.Errorf("message of 150 findings: %q", msg)
	}
}

func TestValidateOverrideReason(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{{"该号码为学校公布的资助热线", true}, {"  ", false}, {strings.Repeat("字", 501), false}, {"a\x00b", false}} {
		if err := ValidateOverrideReason(tt.in); (err == nil) != tt.ok {
			t.Errorf("ValidateOverrideReason(%q) = %v", tt.in, err)
		}
	}
	p := &Actor{User: User{ID: 1}, Memberships: []Membership{{SchoolID: 7, Role: RolePrincipal}}}
	c := &Actor{User: User{ID: 2}, Memberships: []Membership{{SchoolID: 7, Role: RoleClerk}, {SchoolID: 7, Role: RoleSupervisor}}}
	if !CanOverridePrivacy(p, 7) || CanOverridePrivacy(p, 8) || CanOverridePrivacy(c, 7) {
		t.Error("only the principal of the school may override")
	}
}
