package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"rounds/models"
	"rounds/static"
)

// routes declares every route of Rounds and who may call it, so that the
// security model can be read on one screen.
//
// How to read it. The group of a route says who may call it: anyone; a
// member (logged in, any role); a teacher (teachers and committee); or
// committee. A caller outside the group gets 401 (a page: the log-in page,
// and back) or 403. A route about one session then names, with
// h.session(…), what the caller must be to that session (relations.go):
//
//	canSee          may see it: a published session, every member; a draft, its teachers
//	                and committee; a cancelled one, those too and whoever had booked it
//	teaches         a teacher of this session, or committee
//	teachesOrHolds  teaches, or holds the booking :booking_id
//	booked          booked it (the booking in any status)
//	notDraft        anyone the group admits, on a session that is not a draft
//	exists          anyone the group admits: the comment says what models decides
//
// h.sessionID instead reads only the id, for booking: who may book, and for
// whom, turns on the body and the seats left, and the use case decides it
// under the session's lock, so the busiest route makes no query before its
// transaction.
//
// Refused, a caller who may not know the session exists gets 404, one who
// may gets 403, and the handler only ever runs with the session checked
// (sessionFrom). In the same way ownOrCommittee admits the caller to the
// records of the member a query parameter names: their own, or for
// committee anyone's. What depends on the body or on the session's state (booking
// on someone's behalf, the check-in code, having attended) is decided by the
// use case in models, which checks the relation again. A route about a
// session without a relation says why. A last segment with an ending, like
// :id.ics, is a file at the address of a page, with requirements of its own.
func (h *Handler) routes(e *echo.Echo) {
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(h.metrics.middleware, h.requestLogger(), h.securityHeaders(), noStoreAPI)
	// Bodies are small but for uploaded attendance reports, and a session's
	// materials (a file of up to 25 MB: models says by how much a larger
	// one is over, up to 40 MB).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: isUpload}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "10M", Skipper: func(c echo.Context) bool { return !isUpload(c) || isMaterialUpload(c) }}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "40M", Skipper: func(c echo.Context) bool { return !isMaterialUpload(c) }}))

	// Operations: no login, no CSRF.
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/static/*", echo.WrapHandler(staticFiles()))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/icon.svg?v="+static.Version)
	})

	e.Use(h.limitReads, h.authenticate, h.csrf())
	table := &routeTable{e: e}
	anyone := routeGroup{t: table}
	api := routeGroup{t: table, prefix: "/api/v1"}
	member := anyone.with(requireLogin)
	memberAPI := api.with(requireLogin)
	teacher := anyone.with(requireRole(models.RoleTeacher, models.RoleCommittee))
	teacherAPI := api.with(requireRole(models.RoleTeacher, models.RoleCommittee))
	committee := anyone.with(requireRole(models.RoleCommittee))
	committeeAPI := api.with(requireRole(models.RoleCommittee))

	anyone.GET("/metrics", h.metricsPage, h.onlyLoopbackOrCommittee)

	// Anyone: signing up and in.
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
	// Single sign-on (sso.go): 404 while ROUNDS_OIDC_ISSUER is unset. The
	// callback is a GET from the provider: state, nonce and PKCE bind it to
	// the browser that set off, not a CSRF token; the year of study page is
	// for a newcomer the provider vouched for (its sealed cookie).
	anyone.GET("/auth/oidc/login", h.ssoLogin)
	anyone.GET("/auth/oidc/callback", h.ssoCallback)
	anyone.GET("/auth/oidc/year", h.ssoYearPage)
	anyone.POST("/auth/oidc/year", h.ssoYearSubmit)
	// Confirming a sign-up's e-mail address (confirm_email.go).
	anyone.GET("/confirm-email", h.confirmEmailPage)
	anyone.POST("/confirm-email", h.confirmEmailSubmit)
	api.POST("/auth/confirm-email", h.apiConfirmEmail)
	member.POST("/confirm-email/resend", h.resendConfirmationSubmit)
	memberAPI.POST("/auth/confirm-email/resend", h.apiResendConfirmation)
	// Anyone with the address: a session's calendar file (the page itself is
	// for members, below), and the files whose secret is in the address.
	anyone.GET("/sessions/:id.ics", h.sessionICS, h.session(notDraft))
	anyone.GET("/calendar/:token.ics", h.calendarFeed)
	// The public verification page and its PDF: kept out of search
	// engines, and a few a minute from one address.
	certificates := newPerMinute(30, h.Clock.Now)
	anyone.GET("/certificates/:code", h.certificatePage, certificates.middleware)
	anyone.GET("/certificates/:code.pdf", h.certificatePDFFile, certificates.middleware)
	// The one-click link in an optional e-mail, signed for its member and
	// kind: a page that asks first, and the POST a mail program sends.
	anyone.GET("/unsubscribe/:token", h.unsubscribePage)
	anyone.POST("/unsubscribe/:token", h.unsubscribeSubmit)

	// Members, of their own account, bookings and certificates.
	member.POST("/logout", h.logoutSubmit)
	member.GET("/account", h.accountPage)
	member.POST("/account", h.accountSubmit)
	member.POST("/account/password", h.passwordSubmit)
	member.POST("/account/email", h.mailChoicesSubmit)
	memberAPI.GET("/me/mail-preferences", h.apiMailPreferences)
	memberAPI.PUT("/me/mail-preferences", h.apiSetMailPreferences)
	member.GET("/my/sessions", h.mySessionsPage)
	member.POST("/my/calendar/reset", h.resetCalendarSubmit)
	member.GET("/my/calendar", h.calendarHelpPage) // how to subscribe to one's own feed
	member.GET("/my/feedback", h.feedbackDuePage)
	member.GET("/my/certificates", h.certificatesPage)
	memberAPI.POST("/auth/logout", h.apiLogout)
	memberAPI.GET("/me", h.apiMe)
	memberAPI.PATCH("/me", h.apiUpdateMe)
	memberAPI.POST("/me/password", h.apiChangePassword)
	memberAPI.GET("/me/bookings", h.apiMyBookings)
	memberAPI.GET("/me/calendar", h.apiMyCalendar)
	memberAPI.POST("/me/calendar/reset", h.apiResetCalendar)
	memberAPI.GET("/me/certificates", h.apiMyCertificates)
	// A member's copy of their own data (data_export.go): asked for by the
	// member alone, prepared by a job, and downloaded once from the e-mailed
	// link by the member it was made for (models answers anyone else 404).
	memberAPI.POST("/me/export", h.apiRequestExport)
	member.POST("/account/export", h.exportSubmit)
	member.GET("/me/export/:token", h.downloadExport)

	// Members, on sessions: the lists hold only what the caller may see.
	member.GET("/sessions", h.sessionsPage)
	// A session's page: members as canSee; a visitor gets the public page
	// of a published session not kept to members, a draft 404, and any
	// other session the log-in page, and back.
	anyone.GET("/sessions/:id", h.sessionOrPublicPage, h.session(seesOrPublic))
	memberAPI.GET("/sessions", h.apiListSessions)
	memberAPI.GET("/sessions/:id", h.apiGetSession, h.session(canSee))
	// Booking: a member books for themself, and only its teachers and
	// committee for someone else (user_id; models.BookSeat decides). A draft or
	// cancelled session answers 422 whoever asks, as API.md says.
	member.POST("/sessions/:id/book", h.bookSubmit, h.sessionID)
	memberAPI.POST("/sessions/:id/bookings", h.apiBook, h.sessionID)
	member.POST("/sessions/:id/cancel-booking", h.cancelMyBookingSubmit, h.session(booked))
	memberAPI.DELETE("/sessions/:id/bookings/me", h.apiCancelMyBooking, h.session(booked))
	// Apologies, from the member who booked: models looks for the booking
	// after refusing a session that has started (422), and the page sends
	// everyone back to the session with a message.
	memberAPI.POST("/sessions/:id/apologies", h.apiApologies, h.session(exists))
	member.POST("/sessions/:id/apologies", h.apologiesSubmit) // no relation: never a 404
	// At the session: anyone present checks in, booked or not; models checks
	// the rate of failed codes first (429), then the session (a draft is not
	// found), the code and the window. The check-in pages name the session
	// in the code or the query, and treat a draft as no session.
	memberAPI.POST("/checkin", h.apiCheckinByCode)
	memberAPI.POST("/sessions/:id/checkin", h.apiCheckin) // no relation: the rate limit answers first
	member.GET("/checkin", h.checkinPage)
	member.POST("/checkin", h.checkinSubmit)
	member.GET("/checkin/done", h.checkinDone) // the caller's own record
	// Joining online needs a confirmed online booking, and feedback having
	// attended (models; 403). The feedback pages tell whoever may see the
	// session why they cannot give any.
	member.GET("/sessions/:id/join", h.join, h.session(notDraft))
	memberAPI.POST("/sessions/:id/feedback", h.apiGiveFeedback, h.session(notDraft))
	member.GET("/sessions/:id/feedback", h.feedbackPage, h.session(canSee))
	member.POST("/sessions/:id/feedback", h.feedbackSubmit, h.session(canSee))
	member.GET("/sessions/:id/feedback/thanks", h.feedbackThanksPage, h.session(canSee))

	// Teachers and committee, on their own teaching; committee may read any
	// teacher's feedback (?teacher=).
	teacherAPI.POST("/sessions", h.apiCreateSession)
	teacherAPI.POST("/me/certificates/teaching", h.apiTeachingCertificate)
	teacher.GET("/teaching", h.teachingPage)
	teacher.GET("/teaching/new", h.newSessionPage)
	teacher.POST("/teaching/new", h.createSessionSubmit)
	teacher.GET("/teaching/feedback", h.teachingFeedbackPage, h.ownOrCommittee("teacher"))
	teacher.POST("/my/certificates/teaching", h.teachingCertificateSubmit)

	// Teachers of this session and committee: the session, its bookings,
	// attendance and feedback. Committee may also back-fill past sessions
	// (models decides).
	teacherAPI.PATCH("/sessions/:id", h.apiUpdateSession, h.session(teaches))
	teacherAPI.POST("/sessions/:id/publish", h.apiPublishSession, h.session(teaches))
	teacherAPI.POST("/sessions/:id/cancel", h.apiCancelSession, h.session(teaches))
	teacherAPI.GET("/sessions/:id/bookings", h.apiSessionBookings, h.session(teaches))
	teacherAPI.DELETE("/sessions/:id/bookings/:booking_id", h.apiCancelBooking, h.session(teachesOrHolds))
	teacherAPI.GET("/sessions/:id/checkin", h.apiCheckinCode, h.session(teaches))
	teacherAPI.GET("/sessions/:id/attendance", h.apiAttendance, h.session(teaches))
	teacherAPI.PUT("/sessions/:id/attendance/:user_id", h.apiMarkAttendance, h.session(teaches))
	teacherAPI.POST("/sessions/:id/attendance/import", h.apiImportAttendance, h.session(teaches))
	teacherAPI.POST("/sessions/:id/attendance/mark-absent", h.apiMarkAbsent, h.session(teaches))
	teacherAPI.GET("/sessions/:id/feedback/summary", h.apiFeedbackSummary, h.session(teaches))
	teacher.GET("/sessions/:id/edit", h.editSessionPage, h.session(teaches))
	teacher.POST("/sessions/:id/edit", h.updateSessionSubmit, h.session(teaches))
	teacher.POST("/sessions/:id/publish", h.publishSessionSubmit, h.session(teaches))
	teacher.POST("/sessions/:id/cancel", h.cancelSessionSubmit, h.session(teaches))
	teacher.GET("/sessions/:id/manage", h.manageSessionPage, h.session(teaches))
	teacher.POST("/sessions/:id/manage/book", h.bookOnBehalfSubmit, h.session(teaches))
	teacher.POST("/sessions/:id/bookings/:booking_id/cancel", h.cancelBookingSubmit, h.session(teachesOrHolds))
	teacher.GET("/sessions/:id/attendance", h.takeAttendancePage, h.session(teaches))
	teacher.GET("/sessions/:id/attendance/qr.svg", h.attendanceQR, h.session(teaches))
	teacher.GET("/sessions/:id/register", h.sessionRegisterPage, h.session(teaches))
	teacher.POST("/sessions/:id/register/mark-absent", h.registerMarkAbsent, h.session(teaches))
	teacher.POST("/sessions/:id/register/import", h.importPreview, h.session(teaches))
	teacher.POST("/sessions/:id/register/import/confirm", h.importConfirm, h.session(teaches))
	teacher.POST("/sessions/:id/register/:user_id", h.registerMark, h.session(teaches))
	teacher.GET("/sessions/:id/register/import/:plan", h.importPreviewPage, h.session(teaches))
	teacher.POST("/sessions/:id/register/save", h.registerSaveAll, h.session(teaches))
	teacher.GET("/sessions/:id/attendance/projector", h.projectorPage, h.session(teaches))
	teacher.GET("/sessions/:id/feedback/summary", h.feedbackSummaryPage, h.session(teaches))

	// Series of weekly sessions, and copies of a session. A series has no
	// relation of its own: models decides for each of its sessions as
	// h.session would (publishing: its teachers and committee, else 404 or
	// 403; seeing and booking: a series whose sessions the caller sees
	// none of is not found, 404). Change or cancel "this and the rest of the
	// series" is ?series=rest on the session's own routes, above.
	teacherAPI.POST("/series", h.apiCreateSeries)
	memberAPI.GET("/series/:id", h.apiGetSeries)
	teacherAPI.POST("/series/:id/publish", h.apiPublishSeries)
	memberAPI.POST("/series/:id/bookings", h.apiBookSeries)
	teacherAPI.POST("/sessions/:id/duplicate", h.apiDuplicateSession, h.session(teaches))
	teacher.GET("/teaching/series/new", h.newSeriesPage)
	teacher.POST("/teaching/series/new", h.createSeriesSubmit)
	member.GET("/series/:id", h.seriesPage)
	member.POST("/series/:id/book", h.bookSeriesSubmit)
	teacher.POST("/series/:id/publish", h.publishSeriesSubmit)
	teacher.POST("/sessions/:id/duplicate", h.duplicateSessionSubmit, h.session(teaches))

	// A session's materials: its teachers and committee add and remove
	// them; whoever sees the session lists those they may see. A download
	// names no session in its path: models checks the session (404 to who
	// may not see it) and then the material's visibility (403).
	teacherAPI.POST("/sessions/:id/materials", h.apiAddMaterial, h.session(teaches))
	memberAPI.GET("/sessions/:id/materials", h.apiListMaterials, h.session(canSee))
	teacherAPI.DELETE("/materials/:id", h.apiDeleteMaterial) // models: the material's session, as teaches
	member.GET("/materials/:id", h.downloadMaterial)
	teacher.POST("/sessions/:id/materials", h.addMaterialSubmit, h.session(teaches))
	teacher.POST("/sessions/:id/materials/:material_id/delete", h.deleteMaterialSubmit, h.session(teaches))

	// Committee: members, the outbox, every session's register audit, the
	// dashboard and the academic year.
	committee.GET("/committee/members", h.membersPage)
	committee.POST("/committee/members/:id", h.memberSubmit)
	committee.GET("/committee/members.csv", h.membersCSV)
	committee.GET("/committee/members/:id", h.memberPage)
	committee.POST("/committee/members/roles", h.memberRolesPreview)
	committee.GET("/committee/members/roles", h.memberRolesPage)
	committee.POST("/committee/members/roles/confirm", h.memberRolesApply)
	committee.GET("/committee/outbox", h.outboxPage)
	committee.GET("/sessions/:id/register/audit", h.registerAuditPage, h.session(exists))
	committee.GET("/committee/dashboard", h.dashboardPage)
	committee.GET("/committee/dashboard/:file", h.dashboardCSV) // headline.csv, reach.csv, weeks-by-mode.csv, sessions.csv
	committee.GET("/committee/academic-year", h.academicYearPage)
	committee.POST("/committee/academic-year", h.academicYearSubmit)
	committeeAPI.GET("/users", h.apiUsers)
	committeeAPI.PATCH("/users/:id", h.apiUpdateUser)
	committeeAPI.GET("/admin/outbox", h.apiOutbox)
	committeeAPI.GET("/sessions/:id/attendance/audit", h.apiAttendanceAudit, h.session(exists))
	committeeAPI.GET("/stats/attendance", h.apiStatsAttendance)
	committeeAPI.GET("/stats/attendance.csv", h.apiStatsAttendanceCSV)
	committeeAPI.GET("/stats/attendance/records.csv", h.apiAttendanceRecordsCSV)
	committeeAPI.GET("/admin/academic-year", h.apiAcademicYear)
	committeeAPI.POST("/admin/academic-year/rollover", h.apiRollover)

	// Privacy (privacy.go): the public privacy page, committee's edits of
	// its text, and the audit log, which no route edits or deletes.
	anyone.GET("/privacy", h.privacyPage)
	committee.GET("/committee/privacy", h.privacyEditPage)
	committee.POST("/committee/privacy", h.privacyEditSubmit)
	committee.GET("/committee/audit", h.auditPage)
	committeeAPI.GET("/admin/audit", h.apiAudit)

	// Passkeys (passkeys.go): anyone may sign in with one, a few ceremonies
	// a minute from one address; a member adds, lists, renames and removes
	// their own (models answers 404 for another member's). A ceremony
	// finishes only in the browser that began it (its cookie).
	passkeyBegins := newPerMinute(30, h.Clock.Now)
	api.POST("/auth/passkeys/login/begin", h.apiPasskeyLoginBegin, passkeyBegins.middleware)
	api.POST("/auth/passkeys/login/finish", h.apiPasskeyLoginFinish)
	memberAPI.POST("/me/passkeys/register/begin", h.apiPasskeyRegisterBegin)
	memberAPI.POST("/me/passkeys/register/finish", h.apiPasskeyRegisterFinish)
	memberAPI.GET("/me/passkeys", h.apiPasskeys)
	memberAPI.PATCH("/me/passkeys/:id", h.apiRenamePasskey)
	memberAPI.DELETE("/me/passkeys/:id", h.apiRemovePasskey)
	member.POST("/account/passkeys/:id/rename", h.renamePasskeySubmit)
	member.POST("/account/passkeys/:id/delete", h.removePasskeySubmit)

	// Mentoring (mentoring.go). Committee runs schemes; members see the
	// schemes open to them and apply. A pair, its meetings and its goals
	// are for its two sides only (the use case answers 404 to anyone else,
	// committee included: committee reads pairs through the scheme, never a
	// note or an answer); notes only ever reach their author. The
	// invitation link works for anyone holding its secret.
	api.POST("/invitations/accept", h.apiAcceptInvitation)
	memberAPI.GET("/schemes", h.apiListSchemes)
	memberAPI.GET("/schemes/:id", h.apiGetScheme)
	memberAPI.POST("/schemes/:id/applications", h.apiApply)
	memberAPI.GET("/schemes/:id/applications/me", h.apiMyApplication)
	memberAPI.PATCH("/schemes/:id/applications/me", h.apiUpdateApplication)
	memberAPI.DELETE("/schemes/:id/applications/me", h.apiWithdrawApplication)
	memberAPI.GET("/schemes/:id/questionnaires/:phase", h.apiMyQuestionnaire)
	memberAPI.POST("/schemes/:id/questionnaires/:phase/answers", h.apiSubmitAnswers)
	memberAPI.GET("/me/mentoring", h.apiMyMentoring)
	memberAPI.GET("/pairs/:id", h.apiGetPair)
	memberAPI.PUT("/pairs/:id/goals", h.apiSetGoals)
	memberAPI.POST("/pairs/:id/meetings", h.apiProposeMeeting)
	memberAPI.POST("/pairs/:id/end-request", h.apiRequestEnd)
	memberAPI.POST("/meetings/:id/accept", h.apiAcceptMeeting)
	memberAPI.POST("/meetings/:id/held", h.apiMarkMeeting)
	memberAPI.GET("/meetings/:id.ics", h.apiMeetingICS)
	memberAPI.POST("/me/certificates/mentoring", h.apiMentorCertificate)
	committeeAPI.POST("/schemes", h.apiCreateScheme)
	committeeAPI.PATCH("/schemes/:id", h.apiUpdateScheme)
	committeeAPI.POST("/schemes/:id/open", h.apiOpenScheme)
	committeeAPI.GET("/schemes/:id/applications", h.apiSchemeApplications)
	committeeAPI.POST("/schemes/:id/invitations", h.apiInviteMentors)
	committeeAPI.GET("/schemes/:id/invitations", h.apiSchemeInvitations)
	committeeAPI.POST("/schemes/:id/match", h.apiRunMatching)
	committeeAPI.GET("/schemes/:id/pairs", h.apiSchemePairs)
	committeeAPI.PUT("/schemes/:id/pairs", h.apiSetPairs)
	committeeAPI.POST("/schemes/:id/publish", h.apiPublishPairs)
	committeeAPI.POST("/pairs/:id/end", h.apiEndPair)
	committeeAPI.GET("/schemes/:id/questionnaires", h.apiQuestionnaires)
	committeeAPI.PUT("/schemes/:id/questionnaires", h.apiSetQuestionnaires)
	committeeAPI.GET("/schemes/:id/evaluation", h.apiEvaluation)
	committeeAPI.GET("/schemes/:id/evaluation.csv", h.apiEvaluationCSV)
	committeeAPI.GET("/schemes/:id/figures", h.apiSchemeFigures)
	// Mentoring pages (mentoring_pages.go, mentoring_committee_pages.go):
	// the same use cases decide, as for the API above.
	anyone.GET("/mentoring/join", h.joinPage) // the invitation's secret decides
	anyone.POST("/mentoring/join", h.joinSubmit)
	member.GET("/mentoring", h.mentoringPage)
	member.GET("/mentoring/schemes/:id", h.schemeApplyPage)
	member.POST("/mentoring/schemes/:id/apply", h.schemeApplySubmit)
	member.POST("/mentoring/schemes/:id/withdraw", h.schemeWithdrawSubmit)
	member.GET("/mentoring/schemes/:id/questionnaire/:phase", h.questionnairePage)
	member.POST("/mentoring/schemes/:id/questionnaire/:phase", h.questionnaireSubmit)
	member.POST("/mentoring/schemes/:id/certificate", h.mentorCertificateSubmit)
	member.GET("/mentoring/pairs/:id", h.pairPage)
	member.POST("/mentoring/pairs/:id/meetings", h.proposeMeetingSubmit)
	member.POST("/mentoring/pairs/:id/goals", h.goalsSubmit)
	member.POST("/mentoring/pairs/:id/end-request", h.endRequestSubmit)
	member.POST("/mentoring/meetings/:id/accept", h.meetingSubmit)
	member.POST("/mentoring/meetings/:id/held", h.meetingSubmit)
	committee.GET("/committee/mentoring", h.committeeSchemesPage)
	committee.GET("/committee/mentoring/new", h.newSchemePage)
	committee.POST("/committee/mentoring/new", h.schemeSubmit)
	committee.GET("/committee/mentoring/:id", h.schemePage)
	committee.GET("/committee/mentoring/:id/edit", h.editSchemePage)
	committee.POST("/committee/mentoring/:id/edit", h.schemeSubmit)
	committee.POST("/committee/mentoring/:id/open", h.openSchemeSubmit)
	committee.POST("/committee/mentoring/:id/invite", h.inviteMentorsSubmit)
	committee.POST("/committee/mentoring/:id/match", h.matchSubmit)
	committee.POST("/committee/mentoring/:id/pairs", h.pairsSubmit)
	committee.POST("/committee/mentoring/:id/pairs/:pair/end", h.endPairSubmit)
	committee.GET("/committee/mentoring/:id/publish", h.publishPage)
	committee.POST("/committee/mentoring/:id/publish", h.publishSubmit)
	committee.GET("/committee/mentoring/:id/questionnaires", h.questionnairesPage)
	committee.POST("/committee/mentoring/:id/questionnaires", h.questionnairesSubmit)
	committee.GET("/committee/mentoring/:id/evaluation", h.evaluationPage)
	committee.GET("/committee/mentoring/:id/evaluation.csv", h.apiEvaluationCSV)

	// A member's data: erasure (erasure.go). A member asks for their own
	// account only; the signed link in the erasure_scheduled e-mail calls
	// that erasure off for whoever holds it (a page that asks first, then
	// the POST). Committee reads every request, and changes none.
	member.GET("/account/delete", h.erasurePage)
	member.POST("/account/delete", h.erasureSubmit)
	member.POST("/account/delete/cancel", h.erasureCancelSubmit)
	memberAPI.DELETE("/me", h.apiRequestErasure)
	memberAPI.POST("/me/erasure/cancel", h.apiCancelErasure)
	anyone.GET("/erasure/cancel/:token", h.erasureLinkPage)
	anyone.POST("/erasure/cancel/:token", h.erasureLinkSubmit)
	committee.GET("/committee/requests", h.dataRequestsPage)
	committeeAPI.GET("/admin/data-requests", h.apiDataRequests)

	table.register()
	// Unknown API paths answer in JSON: 404, or 405 with Allow where the
	// path is known for other methods.
	e.Any("/api/*", func(c echo.Context) error {
		if allow := allowedMethods(e, c.Request().URL.Path); allow != "" {
			c.Response().Header().Set(echo.HeaderAllow, allow)
			return echo.ErrMethodNotAllowed
		}
		return echo.ErrNotFound
	})
}

// allowedMethods lists the methods routed for path other than by the API's
// catch-all, as an Allow header; "" when there are none.
func allowedMethods(e *echo.Echo, path string) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		c := e.NewContext(nil, nil)
		e.Router().Find(m, path, c)
		if c.Path() != "/api/*" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return strings.Join(allow, ", ")
}

// routeGroup adds routes under a prefix with middleware of its own. (Echo's
// own groups also answer every unknown path below them with their
// middleware, which would turn a 404 into a log-in prompt.)
type routeGroup struct {
	t      *routeTable
	prefix string
	mw     []echo.MiddlewareFunc
}

func (g routeGroup) with(mw ...echo.MiddlewareFunc) routeGroup {
	return routeGroup{t: g.t, prefix: g.prefix, mw: append(append([]echo.MiddlewareFunc{}, g.mw...), mw...)}
}

func (g routeGroup) add(method, path string, h echo.HandlerFunc, mw []echo.MiddlewareFunc) {
	g.t.add(method, g.prefix+path, h, append(append([]echo.MiddlewareFunc{}, g.mw...), mw...))
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

// routeTable gathers the groups' routes and gives them to Echo once all are
// declared. Echo routes /sessions/:id.ics as a parameter named "id.ics", and
// cannot route it apart from /sessions/:id; so an address whose last
// segment has an ending is served by the Echo route of the address without
// it, and the ending chooses which declared route answers.
type routeTable struct {
	e          *echo.Echo
	order      []string
	routes     map[string]*route
	registered bool // later routes would never reach Echo
}

// route is one Echo route: the address as declared, and the files declared
// at the same address with an ending.
type route struct {
	method, path string
	param        string // the last segment's parameter
	h            echo.HandlerFunc
	mw           []echo.MiddlewareFunc
	files        []fileRoute
	plain        echo.HandlerFunc // h in its middleware, when there are files
}

// fileRoute is an address with an ending, and its handler with its own
// middleware.
type fileRoute struct {
	ending string
	h      echo.HandlerFunc
}

func (t *routeTable) add(method, path string, h echo.HandlerFunc, mw []echo.MiddlewareFunc) {
	if t.registered {
		panic("routes: " + method + " " + path + " is declared after the routes were registered")
	}
	base, param, ending := path, "", ""
	if i := strings.LastIndexByte(path, '/'); strings.HasPrefix(path[i+1:], ":") {
		param = path[i+2:]
		if j := strings.IndexByte(param, '.'); j >= 0 {
			param, ending = param[:j], param[j:]
			base = path[:len(path)-len(ending)]
		}
	}
	key := method + " " + base
	r := t.routes[key]
	if r == nil {
		r = &route{method: method, path: base, param: param}
		if t.routes == nil {
			t.routes = map[string]*route{}
		}
		t.routes[key], t.order = r, append(t.order, key)
	}
	switch {
	case r.param != param:
		panic(fmt.Sprintf("routes: %s %s names its parameter %q, another route at that address %q", method, path, param, r.param))
	case ending != "":
		for _, f := range r.files {
			if f.ending == ending {
				panic("routes: " + method + " " + path + " is declared twice")
			}
		}
		r.files = append(r.files, fileRoute{ending: ending, h: chain(h, mw)})
	case r.h != nil:
		panic("routes: " + method + " " + path + " is declared twice")
	default:
		r.h, r.mw = h, mw
	}
}

// register gives the routes to Echo.
func (t *routeTable) register() {
	t.registered = true
	for _, key := range t.order {
		r := t.routes[key]
		if len(r.files) == 0 {
			t.e.Add(r.method, r.path, r.h, r.mw...)
			continue
		}
		if r.h != nil {
			r.plain = chain(r.h, r.mw)
		}
		t.e.Add(r.method, r.path, r.serve)
	}
}

// serve answers a route with files: the one whose ending the last segment
// has, given the segment without its ending; else the address as declared
// (404 if only files are).
func (r *route) serve(c echo.Context) error {
	v := c.Param(r.param)
	for _, f := range r.files {
		if plain, ok := strings.CutSuffix(v, f.ending); ok {
			values := append([]string(nil), c.ParamValues()...)
			for i, name := range c.ParamNames() {
				if name == r.param {
					values[i] = plain
				}
			}
			c.SetParamValues(values...)
			return f.h(c)
		}
	}
	if r.plain == nil {
		return echo.ErrNotFound
	}
	return r.plain(c)
}

// chain wraps h in mw as Echo does a route's middleware: the first given
// runs first.
func chain(h echo.HandlerFunc, mw []echo.MiddlewareFunc) echo.HandlerFunc {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
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
