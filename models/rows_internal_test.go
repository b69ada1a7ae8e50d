package models

import (
	"reflect"
	"strings"
	"sync"
	"testing"

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
