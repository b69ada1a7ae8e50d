package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// dataExport is the link of a member's export: only its secret's hash is
// kept. The ZIP file itself is in data_export_files until it is downloaded
// or retention deletes it.
type dataExport struct {
	RequestID int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    int64
	Hash      string
	Size      int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (dataExport) TableName() string { return "data_exports" }

// MyExport is where a member's latest export is, as their account page says
// it: nil when they have never asked.
type MyExport struct {
	Status      DataRequestStatus `json:"status"`
	RequestedAt time.Time         `json:"requested_at"`
	ExpiresAt   *time.Time        `json:"expires_at,omitempty"` // of the link, once sent
}

// RequestDataExport records that u asks for a copy of their data: a waiting
// export request, which the export job prepares within minutes and then
// e-mails a link to. A second request while one is being prepared is
// refused (ErrExportInProgress), as is a fourth within 24 hours (a
// RateLimitedError that says when to ask again).
func RequestDataExport(ctx context.Context, st *store.Store, u User, now time.Time) (DataRequest, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var r DataRequest
	err := st.Write(ctx, func(tx *gorm.DB) error {
		if err := lockUser(tx, u.ID); err != nil {
			return err
		}
		var recent []DataRequest
		if err := tx.Where("user_id = ? AND kind = ? AND (status = ? OR requested_at > ?)",
			u.ID, DataExport, DataRequestWaiting, now.Add(-24*time.Hour)).Find(&recent).Error; err != nil {
			return fmt.Errorf("export requests: %w", err)
		}
		if err := exportRequestError(recent, now); err != nil {
			return err
		}
		r = DataRequest{UserID: u.ID, Kind: DataExport, Status: DataRequestWaiting, RequestedAt: now}
		return tx.Create(&r).Error
	})
	if err != nil {
		return DataRequest{}, fmt.Errorf("request export: %w", err)
	}
	return r, nil
}

// lockUser takes the member's row for the rest of the transaction on
// PostgreSQL, so that two requests of one member are decided one after the
// other (SQLite has one writer).
func lockUser(tx *gorm.DB, userID int64) error {
	if store.DialectOf(tx) != store.Postgres {
		return nil
	}
	var id int64
	return scanRow(store.QueryRow(tx, "SELECT id FROM users WHERE id = $1 FOR UPDATE", userID), &id)
}

// LatestExport is u's latest export request with its link's expiry, or nil.
func LatestExport(ctx context.Context, st *store.Store, u User) (*MyExport, error) {
	db := st.Read(ctx)
	var rs []DataRequest
	if err := db.Where("user_id = ? AND kind = ?", u.ID, DataExport).Order("requested_at DESC, id DESC").Limit(1).Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("latest export: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	out := &MyExport{Status: rs[0].Status, RequestedAt: rs[0].RequestedAt.UTC()}
	var es []dataExport
	if err := db.Where("request_id = ?", rs[0].ID).Find(&es).Error; err != nil {
		return nil, fmt.Errorf("latest export: %w", err)
	}
	if len(es) == 1 {
		exp := es[0].ExpiresAt.UTC()
		out.ExpiresAt = &exp
	}
	return out, nil
}

// ExportSettings is what preparing an export needs from the configuration.
type ExportSettings struct {
	// BaseURL is the site's address, for certificate links in the file.
	BaseURL string
	// LinkURL is the download address of a link's secret.
	LinkURL func(secret string) string
	// Batch is how many exports one run prepares at most (5 when zero).
	Batch int
}

// PrepareDataExports prepares the waiting exports, oldest first: for each,
// it writes the member's ZIP file (ExportZIP), then, in one transaction,
// moves the request from waiting to ready, stores the file and its link's
// hash, and queues the data_export_ready e-mail with the link. A request
// another run has prepared in the meantime is left as it is, so each export
// is prepared once however many instances run the job, and a run that
// stops half-way leaves the request waiting for the next. It returns how
// many it prepared.
func PrepareDataExports(ctx context.Context, st *store.Store, set ExportSettings, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	if set.Batch <= 0 {
		set.Batch = 5
	}
	var waiting []DataRequest
	if err := st.Read(ctx).Where("kind = ? AND status = ?", DataExport, DataRequestWaiting).
		Order("requested_at, id").Limit(set.Batch).Find(&waiting).Error; err != nil {
		return 0, fmt.Errorf("waiting exports: %w", err)
	}
	done := 0
	var errs []error
	for _, r := range waiting {
		ok, err := prepareDataExport(ctx, st, r, set, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("export %d: %w", r.ID, err))
			continue
		}
		if ok {
			done++
		}
	}
	return done, errors.Join(errs...)
}

func prepareDataExport(ctx context.Context, st *store.Store, r DataRequest, set ExportSettings, now time.Time) (bool, error) {
	u, err := userByID(st.Read(ctx), r.UserID)
	if err != nil {
		return false, err
	}
	zip, err := ExportZIP(ctx, st, u, set.BaseURL, now)
	if err != nil {
		return false, err
	}
	secret := NewSecret()
	expires := now.Add(ExportLinkTTL)
	prepared := false
	err = st.Write(ctx, func(tx *gorm.DB) error {
		prepared = false
		res := tx.Model(&DataRequest{}).Where("id = ? AND status = ?", r.ID, DataRequestWaiting).
			Updates(map[string]any{"status": DataRequestReady, "due_at": expires})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // prepared by another run
		}
		e := dataExport{RequestID: r.ID, UserID: u.ID, Hash: HashSecret(secret), Size: int64(len(zip)), CreatedAt: now, ExpiresAt: expires}
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		if _, err := store.Exec(tx, "INSERT INTO data_export_files (request_id, data) VALUES ($1, $2)", r.ID, zip); err != nil {
			return err
		}
		prepared = true
		_, err := enqueue(tx, Email{
			Kind: MailDataExportReady, Key: fmt.Sprintf("%s:%d", MailDataExportReady, r.ID),
			UserID: u.ID, To: u.Email, ToName: u.Name,
			Data: map[string]string{"link": set.LinkURL(secret), "expires_at": expires.Format(time.RFC3339)},
		}, now)
		return err
	})
	return prepared && err == nil, err
}

// DataExportFile is a downloaded export.
type DataExportFile struct {
	Name string // rounds-data-2026-12-03.zip
	Data []byte
}

// DownloadDataExport hands u the ZIP file of the export whose link holds
// secret, once: the file is deleted as it is handed over, the link marked
// used and the request done, in one transaction. Another member's link, or
// none, is ErrExportLinkUnknown; a used one ErrExportLinkUsed; one past its
// 24 hours ErrExportLinkExpired.
func DownloadDataExport(ctx context.Context, st *store.Store, u User, secret string, now time.Time) (DataExportFile, error) {
	now = now.UTC()
	if secret == "" || len(secret) > 200 {
		return DataExportFile{}, ErrExportLinkUnknown
	}
	var out DataExportFile
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var es []dataExport
		if err := tx.Where("hash = ?", HashSecret(secret)).Find(&es).Error; err != nil {
			return err
		}
		if len(es) == 0 {
			return ErrExportLinkUnknown
		}
		e := es[0]
		if err := exportLinkError(e, u.ID, now); err != nil {
			return err
		}
		res := tx.Model(&dataExport{}).Where("request_id = ? AND used_at IS NULL", e.RequestID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrExportLinkUsed
		}
		var data []byte
		if err := scanRow(store.QueryRow(tx, "SELECT data FROM data_export_files WHERE request_id = $1", e.RequestID), &data); err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrExportLinkExpired // retention has deleted it
			}
			return err
		}
		if _, err := store.Exec(tx, "DELETE FROM data_export_files WHERE request_id = $1", e.RequestID); err != nil {
			return err
		}
		if err := tx.Model(&DataRequest{}).Where("id = ?", e.RequestID).
			Updates(map[string]any{"status": DataRequestDone, "done_at": now}).Error; err != nil {
			return err
		}
		out = DataExportFile{Name: "rounds-data-" + e.CreatedAt.UTC().Format("2006-01-02") + ".zip", Data: data}
		return nil
	})
	if err != nil {
		return DataExportFile{}, fmt.Errorf("download export: %w", err)
	}
	return out, nil
}

// expireDataExports deletes the files of exports whose link has expired,
// and marks their requests expired if the link was never used. It is the
// retention step for exports; running it again changes nothing.
func expireDataExports(tx *gorm.DB, now time.Time) (int64, error) {
	const expired = "SELECT request_id FROM data_exports WHERE expires_at <= ?"
	res := tx.Exec("DELETE FROM data_export_files WHERE request_id IN ("+expired+")", now)
	if res.Error != nil {
		return 0, res.Error
	}
	err := tx.Exec("UPDATE data_requests SET status = ?, done_at = ? WHERE kind = ? AND status = ? AND id IN ("+expired+")",
		DataRequestExpired, now, DataExport, DataRequestReady, now).Error
	return res.RowsAffected, err
}
