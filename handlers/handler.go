// Package handlers is Rounds' HTTP layer: the route table, middleware
// (logins, roles, CSRF, security headers, errors), the server-rendered pages
// and the /api/v1 JSON API. Handlers decode, authorise and validate input,
// call models, and render; they hold no SQL.
package handlers

import (
	"log/slog"
	"net/url"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/models"
)

// Handler holds what every request handler needs.
type Handler struct {
	DB      *gorm.DB
	Config  config.Config
	Clock   clock.Clock
	Log     *slog.Logger
	views   *renderer
	metrics *metrics
	secure  bool // the site is served over https: cookies get Secure

	calendarKey []byte              // derives calendar feed addresses
	checkin     models.CheckinRules // check-in codes
	readSlots   chan struct{}       // see limitReads
}

// New builds the Echo server with every route and middleware of Rounds.
func New(db *gorm.DB, cfg config.Config, clk clock.Clock, log *slog.Logger) (*echo.Echo, *Handler, error) {
	views, err := newRenderer(cfg.Location)
	if err != nil {
		return nil, nil, err
	}
	u, _ := url.Parse(cfg.BaseURL)
	h := &Handler{
		DB: db, Config: cfg, Clock: clk, Log: log, views: views,
		metrics: newMetrics(db),
		secure:  u != nil && u.Scheme == "https",

		readSlots: make(chan struct{}, readsAtOnce()),
	}
	calendarKey, err := models.EnsureSecret(db, "calendar_key")
	if err != nil {
		return nil, nil, err
	}
	checkinKey, err := models.EnsureSecret(db, "checkin_key")
	if err != nil {
		return nil, nil, err
	}
	h.calendarKey = []byte(calendarKey)
	h.checkin = models.CheckinRules{Secret: []byte(checkinKey), Rotation: cfg.CheckinRotation, LateAfter: cfg.CheckinLateAfter}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Renderer = views
	e.HTTPErrorHandler = h.handleError
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	h.routes(e)
	return e, h, nil
}
