package letters

import (
	"context"

	"rounds/models"
	"rounds/models/store"
)

// listedMaterial is one line of the materials_added e-mail.
type listedMaterial struct {
	Title, Kind, Link string
}

// prepareMaterialsAdded is for materials_added: every material of the
// session the member sees when the e-mail goes (it waits a few minutes, so
// that files added together make one e-mail), each with its link. It skips
// when the session is no longer published or the member sees none.
func prepareMaterialsAdded(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	if s.Status != models.SessionPublished {
		return Skip("the session is not published")
	}
	ms, _, err := models.SessionMaterials(ctx, db, *l.User, s, l.Now)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return Skip("the member sees no materials of the session")
	}
	list := make([]listedMaterial, len(ms))
	for i, x := range ms {
		list[i] = listedMaterial{Title: x.Title, Kind: x.TypeLabel(), Link: x.URL}
		if x.Kind == models.MaterialFile {
			list[i].Link = l.URL(x.DownloadURL)
		}
	}
	l.Vars["Materials"] = list
	return nil
}
