package models

// Unexported functions the external tests (package models_test) call.
var (
	DashboardHeadline = dashboardHeadline
	MiscountedSeats   = miscountedSeats
)
