package gongkai

import "time"

// Invitation lets parents of one class join a school's community board
// with its code.
type Invitation struct {
	ID        int64
	SchoolID  int64
	Code      string
	Label     string // e.g. 三年级二班
	Role      Role
	MaxUses   int
	Uses      int
	ExpiresAt time.Time
	CreatedBy int64
	CreatedAt time.Time
}
