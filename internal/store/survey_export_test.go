package store

import "database/sql"

// RawForTest gives the survey tests the read pool, to look at the rows
// themselves.
func RawForTest(db *DB) *sql.DB { return db.read.DB }
