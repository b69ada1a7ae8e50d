package models

import "time"

// DataRequest is something a member asked of their own data: a copy of it
// (an export) or its erasure. Exports are prepared by a job and end as done
// once the member has downloaded the file or it has expired; an erasure
// waits until DueAt (seven days) and can be cancelled until then.
// Committee reads every request on /committee/requests.
type DataRequest struct {
	ID          int64             `json:"id"`
	UserID      int64             `json:"user_id"`
	Kind        DataRequestKind   `json:"kind"`
	Status      DataRequestStatus `json:"status"`
	RequestedAt time.Time         `json:"requested_at"`
	DueAt       *time.Time        `json:"due_at"`
	DoneAt      *time.Time        `json:"done_at"`
	CancelledAt *time.Time        `json:"cancelled_at"`
	Detail      string            `json:"detail"`
}

// TableName is the requests' table.
func (DataRequest) TableName() string { return "data_requests" }

// DataRequestKind is what a member asked for.
type DataRequestKind string

// Kinds of data request.
const (
	DataExport  DataRequestKind = "export"
	DataErasure DataRequestKind = "erasure"
)

var dataRequestKindWords = words[DataRequestKind]{
	DataExport:  "A copy of their data",
	DataErasure: "Erasure of their account",
}

// Label is the request as committee's page names it.
func (k DataRequestKind) Label() string { return dataRequestKindWords.label(k) }

// Valid tells whether k is one of the kinds of request.
func (k DataRequestKind) Valid() bool { return dataRequestKindWords.valid(k) }

// DataRequestStatus is where a request is.
type DataRequestStatus string

// Statuses of a data request: waiting (an export being prepared, an
// erasure before its day), ready (an export's link sent), done, cancelled
// (an erasure the member called off), expired (an export's link unused
// after 24 hours).
const (
	DataRequestWaiting   DataRequestStatus = "waiting"
	DataRequestReady     DataRequestStatus = "ready"
	DataRequestDone      DataRequestStatus = "done"
	DataRequestCancelled DataRequestStatus = "cancelled"
	DataRequestExpired   DataRequestStatus = "expired"
)

var dataRequestStatusWords = words[DataRequestStatus]{
	DataRequestWaiting:   "Waiting",
	DataRequestReady:     "Link sent",
	DataRequestDone:      "Done",
	DataRequestCancelled: "Cancelled by the member",
	DataRequestExpired:   "Link expired unused",
}

// Label is the status in words.
func (s DataRequestStatus) Label() string { return dataRequestStatusWords.label(s) }

// Valid tells whether s is one of the statuses.
func (s DataRequestStatus) Valid() bool { return dataRequestStatusWords.valid(s) }

// E-mail kinds of a member's data requests.
const (
	MailDataExportReady  MailKind = "data_export_ready"
	MailErasureScheduled MailKind = "erasure_scheduled"
)

func init() {
	mailKindWords[MailDataExportReady] = "Your data is ready"
	mailKindWords[MailErasureScheduled] = "Account erasure scheduled"
}
