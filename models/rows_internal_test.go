package models

import (
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// The column lists of rows.go name every column of their model, in the
// order of its fields, so that a new field cannot be left unread.
func TestRowColumns(t *testing.T) {
	u, s := &User{}, &Session{}
	for _, c := range []struct {
		model   any
		columns string
		fields  []any
	}{
		{u, userColumns, u.fields()},
		{s, sessionColumns, s.fields()},
	} {
		sch, err := schema.Parse(c.model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{}
		for _, f := range sch.Fields {
			if f.DBName != "" {
				want = append(want, f.DBName)
			}
		}
		if got := strings.Split(c.columns, ", "); !reflect.DeepEqual(got, want) {
			t.Errorf("%s columns:\n got %v\nwant %v", sch.Name, got, want)
		}
		if len(c.fields) != len(want) {
			t.Errorf("%s: %d fields scanned for %d columns", sch.Name, len(c.fields), len(want))
		}
		// Each pointer is to the field of the same place.
		v := reflect.ValueOf(c.model).Elem()
		for i, f := range sch.Fields {
			if i < len(c.fields) && reflect.ValueOf(c.fields[i]).Pointer() != v.FieldByIndex(f.StructField.Index).Addr().Pointer() {
				t.Errorf("%s: scan target %d is not the field %s", sch.Name, i, f.Name)
			}
		}
	}
}

// Statements run straight on the connection go where gorm would send them:
// SQLite's reads outside a transaction to the read pool, everything in a
// transaction to the transaction; ? is numbered for PostgreSQL only.
func TestDirectConn(t *testing.T) {
	db, err := Open("sqlite:"+filepath.Join(t.TempDir(), "d.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	read := "SELECT id FROM sessions WHERE id = ?"
	if c := directConn(db, read); c != readPoolOf(t, db) {
		t.Errorf("a read outside a transaction runs on %T, not the read pool", c)
	}
	for _, change := range []string{"UPDATE sessions SET title = ? WHERE id = ?", "INSERT INTO notes (body) VALUES (?) RETURNING id"} {
		if _, ok := directConn(db, change).(*readPool); ok {
			t.Errorf("a change outside a transaction runs on the read pool: %s", change)
		}
	}
	err = transact(db, func(tx *gorm.DB) error {
		if c := directConn(tx, read); c != tx.Statement.ConnPool {
			t.Errorf("a read in a transaction runs on %T, not the transaction", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if q := placeholders(db, "SELECT ? + ?"); q != "SELECT ? + ?" {
		t.Errorf("SQLite's placeholders became %q", q)
	}
	pg := &gorm.DB{Config: &gorm.Config{Dialector: postgresName{}}}
	if q := placeholders(pg, "UPDATE t SET a = ?, b = ? WHERE id = ?"); q != "UPDATE t SET a = $1, b = $2 WHERE id = $3" {
		t.Errorf("PostgreSQL's placeholders became %q", q)
	}
}

func readPoolOf(t *testing.T, db *gorm.DB) *readPool {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := readPools.Load(sqlDB)
	if !ok {
		t.Fatal("no read pool")
	}
	return p.(*readPool)
}

// postgresName is a dialector that only names itself.
type postgresName struct{ gorm.Dialector }

func (postgresName) Name() string { return "postgres" }
