package models

import "fmt"

// MemberSorts are the orders the members list offers, each with its SQL:
// a whitelist, so that no word from the address reaches the query.
var MemberSorts = []MemberSort{
	{Key: "name", Label: "Name", order: "LOWER(name), id"},
	{Key: "year", Label: "Year of study", order: "CASE WHEN year_of_study IS NULL THEN 7 ELSE year_of_study END, LOWER(name), id"},
	{Key: "role", Label: "Role", order: "CASE role WHEN 'committee' THEN 0 WHEN 'teacher' THEN 1 ELSE 2 END, LOWER(name), id"},
	{Key: "joined", Label: "Newest first", order: "created_at DESC, id DESC"},
}

// MemberSort is one order of the members list.
type MemberSort struct {
	Key, Label string
	order      string
}

// memberSort finds a sort by its key; "" is by name.
func memberSort(key string) (MemberSort, bool) {
	if key == "" {
		return MemberSorts[0], true
	}
	for _, s := range MemberSorts {
		if s.Key == key {
			return s, true
		}
	}
	return MemberSort{}, false
}

// MaxBulkRoleChange is how many members one bulk role change may name.
const MaxBulkRoleChange = 500

// bulkRoleError says why a bulk role change may not go ahead: nobody or too
// many chosen, a role that does not exist, or the committee member making
// the change among those who would leave committee. Committee members leave
// committee one at a time, by another committee member, so that nobody
// demotes themself by ticking one box too many, and committee is never left
// empty by one of its own.
func bulkRoleError(actorID int64, ids []int64, role Role) Problems {
	p := Problems{}
	switch {
	case len(ids) == 0:
		p.Add("ids", "Tick at least one member.")
	case len(ids) > MaxBulkRoleChange:
		p.Add("ids", fmt.Sprintf("Change at most %d members at once.", MaxBulkRoleChange))
	}
	if !role.Valid() {
		p.Add("role", "Choose student, teacher or committee.")
	}
	if role != RoleCommittee {
		for _, id := range ids {
			if id == actorID {
				p.Add("ids", "You are among the members ticked: you cannot take yourself out of committee here. Untick yourself, or ask another committee member.")
				break
			}
		}
	}
	return p
}
