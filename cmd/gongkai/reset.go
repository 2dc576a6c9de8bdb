package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"gongkai"
	"gongkai/internal/notify"
	"gongkai/internal/store"
)

// resetPassword is `gongkai user reset-password --username NAME`: it prints
// a one-time link to set a new password (the same as an administrator gets
// on the members page), and e-mails it too when --smtp is set and the
// account has an address. The admin log records the reset, never the link.
func resetPassword(ctx context.Context, cfg config, db *store.DB, username string, stdout io.Writer, log *slog.Logger) error {
	if strings.TrimSpace(username) == "" {
		return fmt.Errorf("usage: gongkai user reset-password --username NAME")
	}
	reset, err := db.ResetPasswordByUsername(ctx, username)
	if err != nil {
		return errors.New(gongkai.ErrorMessage(err))
	}
	path := "/password/" + reset.Token
	link := strings.TrimRight(cfg.baseURL, "/") + path
	fmt.Fprintf(stdout, "one-time link for %s (%s) to set a new password, valid until %s:\n%s\n",
		reset.User.Username, reset.User.DisplayName, reset.Expires.In(gongkai.Beijing).Format("2006-01-02 15:04"), link)
	if cfg.baseURL == "" {
		fmt.Fprintln(stdout, "(put the site's address before it, or pass --base-url https://...)")
	}
	if cfg.smtp != "" && reset.User.Email != "" && cfg.baseURL != "" {
		d, err := notify.New(notify.Config{SMTP: cfg.smtp, From: cfg.mailFrom, BaseURL: cfg.baseURL}, db, log)
		if err != nil {
			return err
		}
		if err := d.SendPasswordLink(ctx, reset.User, link, reset.Expires, false); err != nil {
			fmt.Fprintf(stdout, "the e-mail to %s could not be sent: %v\n", reset.User.Email, err)
			return nil
		}
		fmt.Fprintf(stdout, "also sent by e-mail to %s\n", reset.User.Email)
	}
	return nil
}
