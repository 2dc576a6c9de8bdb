package web

import (
	"net/http"
	"strings"

	"gongkai"
	"gongkai/internal/auth"
)

// The API's bearer tokens.

type apiTokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type apiTokenResponse struct {
	Token     string  `json:"token"`
	TokenType string  `json:"token_type"`
	ExpiresAt apiTime `json:"expires_at"`
	User      apiUser `json:"user"`
}

type apiUser struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

func (s *Server) apiToken(w http.ResponseWriter, r *http.Request) error {
	var in apiTokenRequest
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	if err := apiNoNUL(map[string]string{"username": in.Username, "password": in.Password}); err != nil {
		return err
	}
	u, err := s.login(r, in.Username, in.Password)
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		fe := gongkai.FieldErrors{}
		if strings.TrimSpace(in.Username) == "" {
			fe.Add("username", "请输入用户名。")
		}
		if in.Password == "" {
			fe.Add("password", "请输入密码。")
		}
		return &gongkai.Error{Code: gongkai.EINVALID, Message: gongkai.ErrorMessage(err), Fields: fe}
	}
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	expires := s.db.Now().Add(apiTokenTTL)
	if err := s.db.StartSession(r.Context(), hash, u.ID, "api", "API 令牌 · "+gongkai.DescribeDevice(r.UserAgent()), apiTokenTTL); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiTokenResponse{Token: token, TokenType: "Bearer", ExpiresAt: apiTime(expires),
		User: apiUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}})
	return nil
}

// apiRevokeToken ends the bearer token the request carries.
func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	token, _ := r.Context().Value(tokenKey{}).(string)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || token == "" {
		return gongkai.Errorf(gongkai.EMALFORMED, "请在 Authorization 头中给出要撤销的令牌：Bearer TOKEN。")
	}
	if err := s.db.DeleteSession(r.Context(), auth.HashToken(token)); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
