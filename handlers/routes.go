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

	app := e.Group("", h.authenticate, h.csrf())
	app.GET("/metrics", h.metricsPage, h.onlyLoopbackOrCommittee)

	// Anyone.
	app.GET("/", h.home)
	app.GET("/login", h.loginPage)
	app.POST("/login", h.loginSubmit)
	app.GET("/register", h.registerPage)
	app.POST("/register", h.registerSubmit)
	app.GET("/forgot-password", h.forgotPage)
	app.POST("/forgot-password", h.forgotSubmit)
	app.GET("/reset-password", h.resetPage)
	app.POST("/reset-password", h.resetSubmit)

	api := app.Group("/api/v1")
	api.POST("/auth/register", h.apiRegister)
	api.POST("/auth/login", h.apiLogin)
	api.POST("/auth/password-reset", h.apiPasswordReset)
	api.POST("/auth/password-reset/confirm", h.apiPasswordResetConfirm)

	// Logged in, any role.
	member := app.Group("", requireLogin)
	member.POST("/logout", h.logoutSubmit)
	member.GET("/account", h.accountPage)
	member.POST("/account", h.accountSubmit)
	member.POST("/account/password", h.passwordSubmit)

	memberAPI := api.Group("", requireLogin)
	memberAPI.POST("/auth/logout", h.apiLogout)
	memberAPI.GET("/me", h.apiMe)
	memberAPI.PATCH("/me", h.apiUpdateMe)
	memberAPI.POST("/me/password", h.apiChangePassword)

	// Committee only.
	committee := app.Group("", requireRole(models.RoleCommittee))
	committee.GET("/committee/members", h.membersPage)
	committee.POST("/committee/members/:id", h.memberSubmit)
	committee.GET("/committee/outbox", h.outboxPage)

	committeeAPI := api.Group("", requireRole(models.RoleCommittee))
	committeeAPI.GET("/users", h.apiUsers)
	committeeAPI.PATCH("/users/:id", h.apiUpdateUser)
	committeeAPI.GET("/admin/outbox", h.apiOutbox)

	// Unknown API paths answer in JSON.
	api.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
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
