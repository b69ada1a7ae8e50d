package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// MaterialsMailDelay is how long a materials_added e-mail waits before it
// goes, so that files added within those minutes make one e-mail.
const MaterialsMailDelay = 10 * time.Minute

// Material is a file or a link a session's teachers share with its
// students. A file's bytes are kept in material_files, read only to be
// downloaded (ReadMaterialFile).
type Material struct {
	ID          int64              `json:"id"`
	SessionID   int64              `json:"session_id"`
	Kind        MaterialKind       `json:"kind"`
	Title       string             `json:"title"`
	URL         string             `json:"url,omitempty"`      // a link's address
	Filename    string             `json:"filename,omitempty"` // a file's name, ending as its type
	ContentType string             `json:"content_type,omitempty"`
	Size        int64              `json:"size"` // bytes; 0 for a link
	SHA256      string             `json:"-" gorm:"column:sha256"`
	Visible     MaterialVisibility `json:"visible"`
	AddedBy     *int64             `json:"-"`
	CreatedAt   time.Time          `json:"created_at"`
	DownloadURL string             `json:"download_url,omitempty" gorm:"-"` // a file's address, /materials/{id}
}

// AfterFind keeps times in UTC and gives a file its address.
func (m *Material) AfterFind(*gorm.DB) error {
	m.CreatedAt = m.CreatedAt.UTC()
	m.fill()
	return nil
}

func (m *Material) fill() {
	if m.Kind == MaterialFile {
		m.DownloadURL = "/materials/" + strconv.FormatInt(m.ID, 10)
	}
}

// TypeLabel is what kind of file it is, as the session page says it.
func (m *Material) TypeLabel() string {
	for _, t := range []fileType{typePDF, typePNG, typeJPEG, typeGIF, typeWebP, typeDOCX, typeXLSX, typePPTX, typeODT, typeODS, typeODP, typeKey} {
		if t.ContentType == m.ContentType {
			return t.Label
		}
	}
	return m.Kind.Label()
}

// MaterialInput is a file (Filename and Data) or a link (URL) to add.
type MaterialInput struct {
	Title    string
	URL      string
	Filename string
	Data     []byte
	Visible  MaterialVisibility // booked_before when left empty
}

// errMaterialHidden refuses a material to someone who sees its session but
// not it; its message says who does.
func errMaterialHidden(v MaterialVisibility) error {
	msg := "These materials are for students with a place on the session."
	if v == VisibleAttendeesAfter {
		msg = "These materials are for those who came to the session, once it has ended."
	}
	return &Error{KindForbidden, "material_not_available", msg}
}

// AddMaterial adds a file or a link to a session: its teachers and
// committee may, unless it is cancelled. A file must be one of the kinds
// sniffFile knows by its content, at most MaxMaterialFile bytes, and keep
// the session's files within MaxSessionMaterials. Added after a published
// session has ended, it queues a materials_added e-mail to each student
// who may see it, unless one is still waiting to go: it goes
// MaterialsMailDelay later and lists every material they see then, so a
// few files added together make one e-mail.
func AddMaterial(ctx context.Context, st *store.Store, actor User, sessionID int64, in MaterialInput, now time.Time) (Material, error) {
	now = now.UTC()
	m, p := checkMaterial(in)
	if err := p.Err(); err != nil {
		return Material{}, fmt.Errorf("add material: %w", err)
	}
	m.SessionID, m.CreatedAt = sessionID, now.Truncate(time.Microsecond)
	if actor.ID != 0 {
		by := actor.ID
		m.AddedBy = &by
	}
	err := st.Write(ctx, func(tx *gorm.DB) error {
		m.ID = 0
		s, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		if err := authorizeManage(tx, actor, s); err != nil {
			return err
		}
		if s.Status == SessionCancelled {
			return ErrSessionCancelled
		}
		var used struct {
			N     int64
			Bytes int64
		}
		if err := tx.Model(&Material{}).Select("COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes").Where("session_id = ?", sessionID).Scan(&used).Error; err != nil {
			return err
		}
		switch {
		case used.N >= MaxMaterialsCount:
			return &ValidationError{Fields: map[string]string{"file": fmt.Sprintf("A session holds at most %d materials: remove one first.", MaxMaterialsCount)}}
		case used.Bytes+m.Size > MaxSessionMaterials:
			return &ValidationError{Fields: map[string]string{"file": fmt.Sprintf("This session's files would come to %s, over its limit of %s: remove a file first, or share a link.",
				megabytes(used.Bytes+m.Size), megabytes(MaxSessionMaterials))}}
		}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if m.Kind == MaterialFile {
			if err := tx.Exec("INSERT INTO material_files (material_id, data) VALUES (?, ?)", m.ID, in.Data).Error; err != nil {
				return err
			}
		}
		if s.Status == SessionPublished && s.HasEnded(now) {
			return mailMaterialsAdded(tx, s, m, now)
		}
		return nil
	})
	if err != nil {
		return Material{}, fmt.Errorf("add material to session %d: %w", sessionID, err)
	}
	m.fill()
	return m, nil
}

// checkMaterial makes the material of in, noting what is wrong with it.
func checkMaterial(in MaterialInput) (Material, Problems) {
	p := Problems{}
	m := Material{Title: strings.TrimSpace(in.Title), Visible: in.Visible}
	if m.Visible == "" {
		m.Visible = VisibleBookedBefore
	}
	if !m.Visible.Valid() {
		p.Add("visible", "Choose who sees it: students with a place (booked_before), or only those who came, after the session (attendees_after).")
	}
	switch {
	case in.Data != nil || in.Filename != "":
		m.Kind, m.Size = MaterialFile, int64(len(in.Data))
		switch {
		case len(in.Data) == 0:
			p.Add("file", "Choose a file to upload: this one is empty.")
		case len(in.Data) > MaxMaterialFile:
			p.Add("file", fmt.Sprintf("This file is %s; a file may be at most %s. Share a link to it instead.", megabytes(int64(len(in.Data))), megabytes(MaxMaterialFile)))
		default:
			t, why, ok := sniffFile(in.Data)
			if !ok {
				p.Add("file", why)
				break
			}
			m.ContentType, m.Filename = t.ContentType, materialFilename(in.Filename, t)
			sum := sha256.Sum256(in.Data)
			m.SHA256 = hex.EncodeToString(sum[:])
			if m.Title == "" {
				m.Title = materialTitle(m.Filename)
			}
		}
	default:
		m.Kind, m.URL = MaterialLink, strings.TrimSpace(in.URL)
		switch {
		case m.URL == "":
			p.Add("url", "Choose a file, or enter the address of a link.")
		case !validSessionURL(m.URL):
			p.Add("url", "Enter a web address starting with https:// or http://.")
		case m.Title == "":
			u, _ := url.Parse(m.URL)
			m.Title = u.Hostname()
		}
	}
	checkSessionText(p, "title", m.Title, maxMaterialTitle, false)
	return m, p
}

// megabytes writes a size as people read it: "25 MB", "3.4 MB".
func megabytes(n int64) string {
	mb := float64(n) / (1 << 20)
	if mb >= 10 || mb == float64(int64(mb)) {
		return fmt.Sprintf("%.0f MB", mb)
	}
	return fmt.Sprintf("%.1f MB", mb)
}

// mailMaterialsAdded queues a materials_added e-mail for each student who
// sees m, unless one for the session is still waiting to go to them.
func mailMaterialsAdded(tx *gorm.DB, s Session, m Material, now time.Time) error {
	var rows []struct {
		ID    int64
		Email string
		Name  string
	}
	attended := "EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = ? AND a.user_id = users.id AND a.status IN ?)"
	came := []AttendanceStatus{AttendancePresent, AttendanceLate}
	q := tx.Table("users").Select("users.id, users.email, users.name")
	if m.Visible == VisibleBookedBefore {
		q = q.Where("EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = ? AND b.user_id = users.id AND b.status = ?) OR "+attended,
			s.ID, BookingConfirmed, s.ID, came)
	} else {
		q = q.Where(attended, s.ID, came)
	}
	if err := q.Order("users.id").Scan(&rows).Error; err != nil {
		return err
	}
	var waiting []int64
	err := tx.Model(&OutboxMessage{}).Where("kind = ? AND session_id = ? AND status = ? AND (claimed_until IS NULL OR claimed_until < ?)",
		MailMaterialsAdded, s.ID, OutboxPending, now).Pluck("user_id", &waiting).Error
	if err != nil {
		return err
	}
	skip := map[int64]bool{}
	for _, id := range waiting {
		skip[id] = true
	}
	var keys []string
	for _, r := range rows {
		if skip[r.ID] {
			continue
		}
		key := MailKey(MailMaterialsAdded, r.ID, s.ID) + ":" + strconv.FormatInt(m.ID, 10)
		if _, err := enqueue(tx, Email{Kind: MailMaterialsAdded, Key: key, UserID: r.ID, SessionID: s.ID, To: r.Email, ToName: r.Name}, now); err != nil {
			return err
		}
		keys = append(keys, key)
	}
	for start := 0; start < len(keys); start += 500 {
		part := keys[start:min(start+500, len(keys))]
		if err := tx.Model(&OutboxMessage{}).Where("dedupe_key IN ?", part).Update("next_attempt_at", now.Add(MaterialsMailDelay)).Error; err != nil {
			return err
		}
	}
	return nil
}

// viewerFacts are what materialSees reads of a viewer and a session.
func viewerFacts(db *gorm.DB, viewer User, s Session) (manages, confirmed, attended bool, err error) {
	if manages, err = canManageSession(db, viewer, s.ID); err != nil || manages {
		return manages, false, false, err
	}
	var n int64
	if err = db.Model(&Booking{}).Where("session_id = ? AND user_id = ? AND status = ?", s.ID, viewer.ID, BookingConfirmed).Count(&n).Error; err != nil {
		return
	}
	confirmed = n > 0
	if err = db.Model(&Attendance{}).Where("session_id = ? AND user_id = ? AND status IN ?", s.ID, viewer.ID,
		[]AttendanceStatus{AttendancePresent, AttendanceLate}).Count(&n).Error; err != nil {
		return
	}
	return false, confirmed, n > 0, nil
}

// SessionMaterials lists the materials of s that viewer sees at now, in
// the order they were added, and how many more there are that they do not
// see (yet). The caller has checked that viewer may see s.
func SessionMaterials(ctx context.Context, st *store.Store, viewer User, s Session, now time.Time) ([]Material, int, error) {
	db := st.Read(ctx)
	all, err := materialsOf(db, s.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("materials of session %d: %w", s.ID, err)
	}
	if len(all) == 0 {
		return []Material{}, 0, nil
	}
	manages, confirmed, attended, err := viewerFacts(db, viewer, s)
	if err != nil {
		return nil, 0, fmt.Errorf("materials of session %d: %w", s.ID, err)
	}
	out := []Material{}
	for _, m := range all {
		if materialSees(m.Visible, s, manages, confirmed, attended, now) {
			out = append(out, m)
		}
	}
	return out, len(all) - len(out), nil
}

// materialsOf reads a session's materials, oldest first, straight: every
// view of a session's page asks, and most sessions have none.
func materialsOf(db *gorm.DB, sessionID int64) ([]Material, error) {
	rows, err := store.Query(db, "SELECT id, session_id, kind, title, url, filename, content_type, size, sha256, visible, added_by, created_at"+
		" FROM materials WHERE session_id = $1 ORDER BY id", sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []Material
	for rows.Next() {
		var m Material
		if err := rows.Scan(&m.ID, &m.SessionID, &m.Kind, &m.Title, &m.URL, &m.Filename, &m.ContentType, &m.Size, &m.SHA256,
			&m.Visible, &m.AddedBy, &m.CreatedAt); err != nil {
			return nil, err
		}
		_ = m.AfterFind(nil)
		all = append(all, m)
	}
	return all, rows.Err()
}

// VisibleMaterial returns a material viewer may download at now:
// ErrNotFound when they may not see its session (or it does not exist), a
// KindForbidden error saying who may when they see the session but not it.
func VisibleMaterial(ctx context.Context, st *store.Store, viewer User, id int64, now time.Time) (Material, error) {
	db := st.Read(ctx)
	var m Material
	if err := db.Where("id = ?", id).Take(&m).Error; err != nil {
		return Material{}, fmt.Errorf("material %d: %w", id, notFound(err))
	}
	s, err := visibleSession(db, viewer, m.SessionID)
	if err != nil {
		return Material{}, fmt.Errorf("material %d: %w", id, err)
	}
	manages, confirmed, attended, err := viewerFacts(db, viewer, s)
	if err != nil {
		return Material{}, fmt.Errorf("material %d: %w", id, err)
	}
	if !materialSees(m.Visible, s, manages, confirmed, attended, now) {
		return Material{}, fmt.Errorf("material %d: %w", id, errMaterialHidden(m.Visible))
	}
	return m, nil
}

// ReadMaterialFile reads up to n bytes of a file's content from offset, so
// that a download is sent a piece at a time rather than held whole.
func ReadMaterialFile(ctx context.Context, st *store.Store, id, offset, n int64) ([]byte, error) {
	part := "substr(data, ?, ?)"
	if st.Dialect() == store.Postgres {
		part = "substring(data from ?::int for ?::int)"
	}
	var b []byte
	if err := scanRow(st.Read(ctx).Raw("SELECT "+part+" FROM material_files WHERE material_id = ?", offset+1, n, id).Row(), &b); err != nil {
		return nil, fmt.Errorf("material %d: %w", id, err)
	}
	return b, nil
}

// DeleteMaterial removes a material and its file: the session's teachers
// and committee may. sessionID, unless 0, is the session it must belong to
// (ErrNotFound otherwise).
func DeleteMaterial(ctx context.Context, st *store.Store, actor User, sessionID, id int64) (Material, error) {
	var m Material
	err := st.Write(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&m).Error; err != nil {
			return notFound(err)
		}
		if sessionID != 0 && m.SessionID != sessionID {
			return ErrNotFound
		}
		s, err := lockSession(tx, m.SessionID)
		if err != nil {
			return err
		}
		if err := authorizeManage(tx, actor, s); err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&Material{}).Error
	})
	if err != nil {
		return Material{}, fmt.Errorf("delete material %d: %w", id, err)
	}
	return m, nil
}

// SizeLabel is a file's size as pages show it: "3.4 MB", "120 KB".
func (m *Material) SizeLabel() string {
	if m.Size < 1<<20 {
		return fmt.Sprintf("%d KB", max((m.Size+1023)/1024, 1))
	}
	return megabytes(m.Size)
}
