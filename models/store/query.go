package store

import (
	"database/sql"

	"gorm.io/gorm"
)

// Query runs a straight statement that returns rows (see Exec), on the
// connection the handle stands for; the caller closes the rows. For the
// reads of the most visited pages, whose rows are scanned field by field
// rather than by GORM's reflection.
func Query(db *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	return db.Statement.ConnPool.QueryContext(db.Statement.Context, query, args...)
}
