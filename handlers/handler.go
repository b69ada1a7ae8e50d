// Package handlers is Rounds' HTTP layer: the route table, middleware
// (logins, roles, CSRF, security headers, errors), the server-rendered pages
// and the /api/v1 JSON API. Handlers decode, authorise and validate input,
// call models, and render; they hold no SQL.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/models"
	"rounds/models/store"
)

// Handler holds what every request handler needs.
type Handler struct {
	Store   *store.Store
	Config  config.Config
	Clock   clock.Clock
	Log     *slog.Logger
	views   *renderer
	metrics *metrics
	secure  bool // the site is served over https: cookies get Secure

	calendarKey []byte              // derives calendar feed addresses
	deviceKey   []byte              // signs device cookies (logins.go)
	checkin     models.CheckinRules // check-in codes
	readSlots   chan struct{}       // see limitReads

	unsubscribeKey []byte // signs the one-click links that turn e-mails off

	sso    *ssoProvider // single sign-on (sso.go)
	ssoKey []byte       // seals its cookies
}

// New builds the Echo server with every route and middleware of Rounds.
func New(db *store.Store, cfg config.Config, clk clock.Clock, log *slog.Logger) (*echo.Echo, *Handler, error) {
	views, err := newRenderer(cfg.Location)
	if err != nil {
		return nil, nil, err
	}
	u, _ := url.Parse(cfg.BaseURL)
	h := &Handler{
		Store: db, Config: cfg, Clock: clk, Log: log, views: views,
		metrics: newMetrics(db),
		secure:  u != nil && u.Scheme == "https",

		readSlots: make(chan struct{}, readsAtOnce()),
	}
	calendarKey, err := models.EnsureSecret(context.Background(), db, "calendar_key")
	if err != nil {
		return nil, nil, err
	}
	checkinKey, err := models.EnsureSecret(context.Background(), db, "checkin_key")
	if err != nil {
		return nil, nil, err
	}
	h.calendarKey = []byte(calendarKey)
	unsubscribeKey, err := models.EnsureSecret(context.Background(), db, "unsubscribe_key")
	if err != nil {
		return nil, nil, err
	}
	h.unsubscribeKey = []byte(unsubscribeKey)
	deviceKey, err := models.EnsureSecret(context.Background(), db, "device_key")
	if err != nil {
		return nil, nil, err
	}
	h.deviceKey = []byte(deviceKey)
	ssoKey, err := models.EnsureSecret(context.Background(), db, "sso_key")
	if err != nil {
		return nil, nil, err
	}
	h.ssoKey = []byte(ssoKey)
	h.sso = &ssoProvider{client: &http.Client{Timeout: 10 * time.Second}}
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
