package models

import (
	"fmt"
	"testing"
)

func TestBulkRoleError(t *testing.T) {
	many := make([]int64, MaxBulkRoleChange+1)
	for i := range many {
		many[i] = int64(i + 10)
	}
	for _, tt := range []struct {
		name  string
		ids   []int64
		role  Role
		field string // "" when allowed
	}{
		{"others to teacher", []int64{2, 3}, RoleTeacher, ""},
		{"oneself to committee", []int64{1, 2}, RoleCommittee, ""},
		{"oneself to student", []int64{2, 1}, RoleStudent, "ids"},
		{"oneself to teacher", []int64{1}, RoleTeacher, "ids"},
		{"nobody", nil, RoleTeacher, "ids"},
		{"too many", many, RoleTeacher, "ids"},
		{"no such role", []int64{2}, "god", "role"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := bulkRoleError(1, tt.ids, tt.role)
			if got := fmt.Sprint(len(p) > 0 && p[tt.field] != ""); (tt.field == "") != (len(p) == 0) || (tt.field != "" && got != "true") {
				t.Errorf("problems %v, want one for %q", p, tt.field)
			}
		})
	}
}

func TestMemberSort(t *testing.T) {
	for key, ok := range map[string]bool{"": true, "name": true, "year": true, "role": true, "joined": true,
		"email": false, "name; DROP TABLE users": false, "created_at": false} {
		if _, got := memberSort(key); got != ok {
			t.Errorf("memberSort(%q) = %t, want %t", key, got, ok)
		}
	}
}
