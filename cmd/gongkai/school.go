package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"gongkai/internal/sheet"
	"gongkai/internal/store"
)

// schoolFlags are the flags of `gongkai school import`.
type schoolFlags struct {
	file   string
	bureau int64
}

func (s *schoolFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.file, "file", "", "the county's school list (.xlsx), in the columns of the export at /bureau/schools.xlsx")
	fs.Int64Var(&s.bureau, "bureau", 0, "bureau id (default: the first bureau)")
}

// importList imports the county's school list: every problem is printed by
// row and column and nothing is imported when there is one; otherwise every
// school is created in one transaction and listed.
func (s *schoolFlags) importList(ctx context.Context, db *store.DB, stdout io.Writer) error {
	if s.file == "" {
		return fmt.Errorf("give --file F.xlsx")
	}
	bureauID := s.bureau
	if bureauID == 0 {
		bs, err := db.FindBureaus(ctx)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			return fmt.Errorf("no bureau exists yet")
		}
		bureauID = bs[0].ID
	}
	b, err := db.FindBureauByID(ctx, bureauID)
	if err != nil {
		return fmt.Errorf("bureau %d: %w", bureauID, err)
	}
	f, err := os.Open(s.file)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	st, err := f.Stat()
	if err != nil {
		return err
	}
	list, err := sheet.ReadSchools(f, st.Size())
	var ie *sheet.ImportError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("nothing imported: %s cannot be read", s.file)
	}
	if err != nil {
		return err
	}
	conflicts, err := db.CheckSchoolList(ctx, nil, bureauID, list.Rows)
	if err != nil {
		return err
	}
	for _, row := range list.Rows {
		for _, field := range []string{"slug", "code", "credit_code", "principal_username"} {
			if msg := conflicts[row.Row][field]; msg != "" {
				list.Add(row.Row, field, msg)
			}
		}
	}
	if len(list.Problems) > 0 {
		for _, m := range list.Messages() {
			fmt.Fprintln(stdout, m)
		}
		return fmt.Errorf("nothing imported: %d problems in %s", len(list.Problems), s.file)
	}
	out, err := db.ImportSchools(ctx, nil, bureauID, list.Rows, "")
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	newUsers := 0
	for _, im := range out {
		line := fmt.Sprintf("created school %s  %s  %s", im.School.Slug, im.School.Code, im.School.Name)
		if im.Principal != "" {
			state := "existing account"
			if im.NewPrincipal {
				state, newUsers = "new account, no password yet", newUsers+1
			}
			line += fmt.Sprintf("  principal %s (%s)", im.Principal, state)
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d schools imported into %s, each with its catalogue and obligations\n", len(out), b.Name)
	if newUsers > 0 {
		fmt.Fprintln(stdout, strings.TrimSpace(fmt.Sprintf(`%d new principal accounts cannot sign in yet: give each a one-time link to set
the password, printed by "gongkai user reset-password --username NAME" or made
with 重置密码 on the school's members page, /s/SLUG/manage/members`, newUsers)))
	}
	return nil
}
