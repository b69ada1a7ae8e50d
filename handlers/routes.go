package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"rounds/models"
	"rounds/static"
)

// routes declares every route of Rounds, grouped by who may call it, so the
// security model can be read on one screen. Object-level checks (a teacher of
// this session, the student who booked) are made in models by the policy
// functions the handlers call.
func (h *Handler) routes(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(h.metrics.middleware, h.requestLogger(), h.securityHeaders())
	// Bodies are small but for uploaded attendance reports.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: isUpload}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "10M", Skipper: func(c echo.Context) bool { return !isUpload(c) }}))

	// Operations: no login, no CSRF.
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/static/*", echo.WrapHandler(staticFiles()))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/icon.svg?v="+static.Version)
	})

	e.Use(h.limitReads, h.authenticate, h.csrf())
	anyone := routeGroup{e: e}
	api := routeGroup{e: e, prefix: "/api/v1"}
	member := anyone.with(requireLogin)
	memberAPI := api.with(requireLogin)
	teacherAPI := api.with(requireRole(models.RoleTeacher, models.RoleCommittee))
	teacher := anyone.with(requireRole(models.RoleTeacher, models.RoleCommittee))
	committee := anyone.with(requireRole(models.RoleCommittee))
	committeeAPI := api.with(requireRole(models.RoleCommittee))

	anyone.GET("/metrics", h.metricsPage, h.onlyLoopbackOrCommittee)

	// Anyone.
	anyone.GET("/", h.homePage)
	anyone.GET("/login", h.loginPage)
	anyone.POST("/login", h.loginSubmit)
	anyone.GET("/register", h.registerPage)
	anyone.POST("/register", h.registerSubmit)
	anyone.GET("/forgot-password", h.forgotPage)
	anyone.POST("/forgot-password", h.forgotSubmit)
	anyone.GET("/reset-password", h.resetPage)
	anyone.POST("/reset-password", h.resetSubmit)
	api.POST("/auth/register", h.apiRegister)
	api.POST("/auth/login", h.apiLogin)
	api.POST("/auth/password-reset", h.apiPasswordReset)
	api.POST("/auth/password-reset/confirm", h.apiPasswordResetConfirm)
	// The secret in the address is the credential.
	// /sessions/{id}.ics is the session's calendar file; the page itself
	// asks for a login.
	anyone.GET("/sessions/:id", h.sessionPage)
	anyone.GET("/calendar/:token", h.calendarFeed)
	anyone.GET("/certificates/:code", h.certificateFile) // the public verification page, and .pdf

	// Logged in, any role.
	member.POST("/logout", h.logoutSubmit)
	member.GET("/account", h.accountPage)
	member.POST("/account", h.accountSubmit)
	member.POST("/account/password", h.passwordSubmit)
	member.GET("/sessions", h.sessionsPage)
	member.POST("/sessions/:id/book", h.bookSubmit)
	member.POST("/sessions/:id/cancel-booking", h.cancelMyBookingSubmit)
	member.GET("/my/sessions", h.mySessionsPage)
	member.POST("/my/calendar/reset", h.resetCalendarSubmit)
	memberAPI.POST("/auth/logout", h.apiLogout)
	memberAPI.GET("/me", h.apiMe)
	memberAPI.PATCH("/me", h.apiUpdateMe)
	memberAPI.POST("/me/password", h.apiChangePassword)
	memberAPI.GET("/me/bookings", h.apiMyBookings)
	memberAPI.GET("/me/calendar", h.apiMyCalendar)
	memberAPI.POST("/me/calendar/reset", h.apiResetCalendar)
	memberAPI.GET("/sessions", h.apiListSessions)
	memberAPI.GET("/sessions/:id", h.apiGetSession)
	// Booking: a student for self; its teachers and committee on behalf
	// (checked in models.BookSeat against the session).
	memberAPI.POST("/sessions/:id/bookings", h.apiBook)
	memberAPI.DELETE("/sessions/:id/bookings/me", h.apiCancelMyBooking)
	// Attendance and feedback of one's own; models checks the session's window,
	// the booking, and that the student attended.
	memberAPI.POST("/checkin", h.apiCheckinByCode)
	memberAPI.POST("/sessions/:id/checkin", h.apiCheckin)
	memberAPI.POST("/sessions/:id/apologies", h.apiApologies)
	memberAPI.POST("/sessions/:id/feedback", h.apiGiveFeedback)
	memberAPI.GET("/me/certificates", h.apiMyCertificates)
	member.GET("/sessions/:id/join", h.join)

	// Teachers and committee; models checks "a teacher of this session".
	teacherAPI.POST("/sessions", h.apiCreateSession)
	teacherAPI.PATCH("/sessions/:id", h.apiUpdateSession)
	teacherAPI.POST("/sessions/:id/publish", h.apiPublishSession)
	teacherAPI.POST("/sessions/:id/cancel", h.apiCancelSession)
	teacherAPI.GET("/sessions/:id/bookings", h.apiSessionBookings)
	teacherAPI.DELETE("/sessions/:id/bookings/:booking_id", h.apiCancelBooking)
	teacherAPI.GET("/sessions/:id/checkin", h.apiCheckinCode)
	teacherAPI.GET("/sessions/:id/attendance", h.apiAttendance)
	teacherAPI.PUT("/sessions/:id/attendance/:user_id", h.apiMarkAttendance)
	teacherAPI.POST("/sessions/:id/attendance/import", h.apiImportAttendance)
	teacherAPI.POST("/sessions/:id/attendance/mark-absent", h.apiMarkAbsent)
	teacherAPI.GET("/sessions/:id/feedback/summary", h.apiFeedbackSummary)
	teacherAPI.POST("/me/certificates/teaching", h.apiTeachingCertificate)

	// Teacher and committee pages; models checks "a teacher of this session"
	// (committee may book on behalf for past sessions).
	teacher.GET("/teaching", h.teachingPage)
	teacher.GET("/teaching/new", h.newSessionPage)
	teacher.POST("/teaching/new", h.createSessionSubmit)
	teacher.GET("/sessions/:id/edit", h.editSessionPage)
	teacher.POST("/sessions/:id/edit", h.updateSessionSubmit)
	teacher.POST("/sessions/:id/publish", h.publishSessionSubmit)
	teacher.POST("/sessions/:id/cancel", h.cancelSessionSubmit)
	teacher.GET("/sessions/:id/manage", h.manageSessionPage)
	teacher.POST("/sessions/:id/manage/book", h.bookOnBehalfSubmit)
	teacher.POST("/sessions/:id/bookings/:booking_id/cancel", h.cancelBookingSubmit)

	// Committee only.
	committee.GET("/committee/members", h.membersPage)
	committee.POST("/committee/members/:id", h.memberSubmit)
	committee.GET("/committee/outbox", h.outboxPage)
	committeeAPI.GET("/users", h.apiUsers)
	committeeAPI.PATCH("/users/:id", h.apiUpdateUser)
	committeeAPI.GET("/admin/outbox", h.apiOutbox)
	committeeAPI.GET("/sessions/:id/attendance/audit", h.apiAttendanceAudit)

	// Attendance pages (teachers: take attendance, register, import; students: check in).
	// Students: models checks the code, the check-in window and the booking.
	// The rest is for the session's teachers and committee (checked in models
	// too); the register's audit trail is for committee.
	member.GET("/checkin", h.checkinPage)
	member.POST("/checkin", h.checkinSubmit)
	member.GET("/checkin/done", h.checkinDone)
	member.POST("/sessions/:id/apologies", h.apologiesSubmit)
	teacher.GET("/sessions/:id/attendance", h.takeAttendancePage)
	teacher.GET("/sessions/:id/attendance/qr.svg", h.attendanceQR)
	teacher.GET("/sessions/:id/register", h.sessionRegisterPage)
	teacher.POST("/sessions/:id/register/mark-absent", h.registerMarkAbsent)
	teacher.POST("/sessions/:id/register/import", h.importPreview)
	teacher.POST("/sessions/:id/register/import/confirm", h.importConfirm)
	teacher.POST("/sessions/:id/register/:user_id", h.registerMark)
	committee.GET("/sessions/:id/register/audit", h.registerAuditPage)
	// Feedback and certificate pages.
	// Students: models checks that they attended; summaries are for the
	// session's teachers and committee (checked in models too).
	member.GET("/sessions/:id/feedback", h.feedbackPage)
	member.POST("/sessions/:id/feedback", h.feedbackSubmit)
	member.GET("/sessions/:id/feedback/thanks", h.feedbackThanksPage)
	member.GET("/my/feedback", h.feedbackDuePage)
	member.GET("/my/certificates", h.certificatesPage)
	teacher.GET("/sessions/:id/feedback/summary", h.feedbackSummaryPage)
	teacher.GET("/teaching/feedback", h.teachingFeedbackPage)
	teacher.POST("/my/certificates/teaching", h.teachingCertificateSubmit)
	// Dashboard (committee).
	committee.GET("/committee/dashboard", h.dashboardPage)
	committee.GET("/committee/dashboard/:file", h.dashboardCSV) // headline.csv, reach.csv, weeks-by-mode.csv, sessions.csv
	committee.GET("/committee/academic-year", h.academicYearPage)
	committee.POST("/committee/academic-year", h.academicYearSubmit)
	committeeAPI.GET("/stats/attendance", h.apiStatsAttendance)
	committeeAPI.GET("/stats/attendance.csv", h.apiStatsAttendanceCSV)
	committeeAPI.GET("/stats/attendance/records.csv", h.apiAttendanceRecordsCSV)
	committeeAPI.GET("/admin/academic-year", h.apiAcademicYear)
	committeeAPI.POST("/admin/academic-year/rollover", h.apiRollover)

	// Unknown API paths answer in JSON.
	e.Any("/api/*", func(c echo.Context) error { return echo.ErrNotFound })
}

// routeGroup adds routes under a prefix with middleware of its own. (Echo's
// own groups also answer every unknown path below them with their
// middleware, which would turn a 404 into a log-in prompt.)
type routeGroup struct {
	e      *echo.Echo
	prefix string
	mw     []echo.MiddlewareFunc
}

func (g routeGroup) with(mw ...echo.MiddlewareFunc) routeGroup {
	return routeGroup{e: g.e, prefix: g.prefix, mw: append(append([]echo.MiddlewareFunc{}, g.mw...), mw...)}
}

func (g routeGroup) add(method, path string, h echo.HandlerFunc, mw []echo.MiddlewareFunc) {
	g.e.Add(method, g.prefix+path, h, append(append([]echo.MiddlewareFunc{}, g.mw...), mw...)...)
}

func (g routeGroup) GET(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.add(http.MethodGet, path, h, mw)
}
func (g routeGroup) POST(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.add(http.MethodPost, path, h, mw)
}
func (g routeGroup) PUT(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.add(http.MethodPut, path, h, mw)
}
func (g routeGroup) PATCH(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.add(http.MethodPatch, path, h, mw)
}
func (g routeGroup) DELETE(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.add(http.MethodDelete, path, h, mw)
}

// isUpload tells whether a request carries a file upload, which has its own
// larger limit.
func isUpload(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm)
}

func staticFiles() http.Handler {
	files := http.FileServerFS(static.FS)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	}))
}
