package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// surveyRatings are, per demo school, the ratings (5 满意 … 1 不满意) its
// respondents gave last term, one list per respondent; the schools differ
// so that the bureau's dashboard ranks them.
var surveyRatings = map[string][][5]int{
	"pingan":    {{4, 4, 5, 3, 4}, {4, 3, 4, 4, 4}, {5, 4, 4, 3, 4}, {3, 3, 4, 3, 3}, {4, 4, 4, 4, 4}, {4, 3, 5, 4, 4}, {5, 4, 4, 4, 5}},
	"xiangqian": {{5, 5, 5, 4, 5}, {5, 4, 5, 5, 5}, {4, 5, 5, 4, 4}, {5, 5, 4, 4, 5}, {5, 4, 5, 5, 5}, {4, 4, 5, 4, 4}, {5, 5, 5, 5, 5}, {5, 4, 4, 4, 5}},
	"yuanba":    {{3, 3, 4, 2, 3}, {4, 3, 3, 3, 3}, {3, 2, 4, 3, 3}, {4, 4, 4, 3, 4}, {2, 3, 3, 2, 3}, {3, 3, 4, 3, 3}},
	"kaiwu":     {{4, 5, 4, 4, 4}, {5, 4, 5, 3, 4}, {4, 4, 4, 4, 5}, {3, 4, 5, 4, 4}, {5, 5, 4, 4, 5}, {4, 4, 4, 3, 4}, {4, 3, 4, 4, 4}},
}

// surveySuggestions are the free texts some respondents wrote.
var surveySuggestions = []string{
	"希望收费和代收费项目在家长会上也讲一讲，网上公开栏老人不太会看。",
	"公开栏的内容更新很及时，建议把食堂每月收支也公布出来。",
	"意见箱提的建议有答复，但整改结果希望也能公开。",
	"希望评优评先的名单公示时间长一些。",
}

// loadSurveys gives each demo school last term's satisfaction survey on
// its disclosure work, closed, with the answers of most of its people (one
// school's results published as a disclosure), and xiangqian an open
// survey that its teacher and parent have yet to answer. Idempotent: a
// survey whose title exists is kept.
func loadSurveys(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	// Last term's survey, six weeks before the term ended: in June or in
	// December, never in a holiday.
	last := gongkai.TermOf(now).Prev()
	_, end := last.Bounds()
	start := workdayOnOrAfter(time.Date(end.Year(), end.Month()-1, 1, 9, 0, 0, 0, gongkai.Beijing))
	term := last.Label()
	for _, ss := range Schools() {
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			return err
		}
		people := map[string]*gongkai.Actor{}
		for _, p := range ss.People {
			u, _, err := db.FindUserForLogin(ctx, ss.Slug+"."+p.Login)
			if err != nil {
				return fmt.Errorf("demo person %s.%s: %w", ss.Slug, p.Login, err)
			}
			if people[p.Login], err = db.LoadActor(ctx, u.ID); err != nil {
				return err
			}
		}
		existing, err := db.FindSurveys(ctx, school.ID)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, s := range existing {
			have[s.Title] = true
		}
		title := gongkai.DefaultSurveyTitle + "（" + term + "）"
		if !have[title] {
			if err := loadTermSurvey(ctx, db, school, people, ss, title, start, clock); err != nil {
				return fmt.Errorf("survey of %s: %w", ss.Slug, err)
			}
		}
		if ss.Slug == "xiangqian" {
			if err := loadOpenSurvey(ctx, db, school, people, have, now, clock); err != nil {
				return fmt.Errorf("open survey of %s: %w", ss.Slug, err)
			}
		}
	}
	*clock = now
	return nil
}

func loadTermSurvey(ctx context.Context, db *store.DB, school *gongkai.School, people map[string]*gongkai.Actor, ss SchoolSeed, title string, start time.Time, clock *time.Time) error {
	sup := people["supervisor"]
	*clock = start.AddDate(0, 0, -2)
	s := gongkai.DefaultSurvey(school.ID, start)
	s.Title = title
	if err := db.CreateSurvey(ctx, school.ID, sup, s); err != nil {
		return err
	}
	*clock = start
	if _, err := db.SurveyAct(ctx, school.ID, s.ID, sup, gongkai.SurveyStart); err != nil {
		return err
	}
	// Everyone but two answers, over the fortnight.
	order := []string{"teacher", "parent", "rep", "clerk", "clerk2", "leader2", "clerk3", "leader", "principal"}
	ratings := surveyRatings[ss.Slug]
	for i, r := range ratings {
		*clock = start.Add(time.Duration(i*29+3) * time.Hour)
		ans := []gongkai.SurveyAnswer{{Position: 1, Choices: []int{r[0]}}, {Position: 2, Choices: []int{r[1]}}, {Position: 3, Choices: []int{r[2]}},
			{Position: 4, Choices: []int{r[3]}}, {Position: 5, Choices: []int{1 + (i+len(ss.Slug))%4}}, {Position: 6, Choices: []int{1, 2 + i%4}},
			{Position: 7, Choices: []int{r[4]}}}
		if i%3 == 1 {
			ans = append(ans, gongkai.SurveyAnswer{Position: 8, Text: surveySuggestions[(i/3+len(ss.Slug))%len(surveySuggestions)]})
		}
		if err := db.AnswerSurvey(ctx, school.ID, s.ID, people[order[i]], ans); err != nil {
			return fmt.Errorf("answer of %s: %w", order[i], err)
		}
	}
	if ss.Slug != "xiangqian" {
		return nil
	}
	// Xiangqian publishes its results: a draft for the office clerk, then
	// the procedure.
	*clock = workdayOnOrAfter(start.AddDate(0, 0, 17)) // 09:00
	d, err := db.PublishSurveyResults(ctx, school.ID, s.ID, sup, people["clerk3"].ID)
	if err != nil {
		return err
	}
	for _, step := range []struct {
		who    string
		action gongkai.Action
	}{{"clerk3", gongkai.ActionSubmit}, {"principal", gongkai.ActionApprove}, {"supervisor", gongkai.ActionCheck}, {"clerk3", gongkai.ActionPublish}} {
		*clock = clock.Add(95 * time.Minute) // the same working day, by 15:20
		if _, err := db.Act(ctx, school.ID, d.ID, people[step.who], step.action, "", nil); err != nil {
			return fmt.Errorf("%s results: %w", step.action, err)
		}
	}
	return nil
}

// loadOpenSurvey opens, three days ago, a survey on the canteen and
// after-school care at xiangqian, answered so far by three people: too few
// for its results to show.
func loadOpenSurvey(ctx context.Context, db *store.DB, school *gongkai.School, people map[string]*gongkai.Actor, have map[string]bool, now time.Time, clock *time.Time) error {
	title := "食堂与课后服务满意度调查"
	if have[title] {
		return nil
	}
	opened := now.AddDate(0, 0, -3)
	*clock = opened
	s := &gongkai.Survey{Kind: gongkai.SurveyOther, Title: title, Audience: gongkai.SurveyForStaffParents, OpensOn: opened, ClosesOn: now.AddDate(0, 0, 11),
		Intro: "为改进学校食堂和课后服务，监督小组开展本次调查。调查不记名，每人限答一次。",
		Questions: []gongkai.SurveyQuestion{
			{Kind: gongkai.QuestionRating, Text: "您对学校食堂饭菜质量是否满意？", Required: true},
			{Kind: gongkai.QuestionRating, Text: "您对食堂收费标准及公示情况是否满意？", Required: true},
			{Kind: gongkai.QuestionSingle, Text: "您的孩子（或您）是否参加课后服务？", Required: true, Options: []string{"每天参加", "部分时间参加", "不参加"}},
			{Kind: gongkai.QuestionMultiple, Text: "您希望课后服务增加哪些内容？", MaxChoices: 2, Options: []string{"作业辅导", "阅读", "体育活动", "艺术兴趣", "科学实践"}},
			{Kind: gongkai.QuestionText, Text: "其他意见和建议"},
		}}
	sup := people["supervisor"]
	if err := db.CreateSurvey(ctx, school.ID, sup, s); err != nil {
		return err
	}
	if _, err := db.SurveyAct(ctx, school.ID, s.ID, sup, gongkai.SurveyStart); err != nil {
		return err
	}
	for i, login := range []string{"rep", "clerk2", "leader2"} {
		*clock = opened.Add(time.Duration(5+i*17) * time.Hour)
		ans := []gongkai.SurveyAnswer{{Position: 1, Choices: []int{4 - i%2}}, {Position: 2, Choices: []int{4}}, {Position: 3, Choices: []int{1 + i}},
			{Position: 4, Choices: []int{1, 3 + i}}}
		if err := db.AnswerSurvey(ctx, school.ID, s.ID, people[login], ans); err != nil {
			return fmt.Errorf("answer of %s: %w", login, err)
		}
	}
	return nil
}
