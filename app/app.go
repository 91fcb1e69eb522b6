// Package app wires NAP Tracker together: configuration, the database and
// its migrations, templates, the HTTP error handler and middleware.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/handlers"
	"naptracker/i18n"
	"naptracker/notify"
	"naptracker/seed"
	"naptracker/static"
	"naptracker/store"
	"naptracker/templates"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// App is one running NAP Tracker: its configuration, database, web server,
// templates and logger.
type App struct {
	Config Config
	DB     *gorm.DB
	Echo   *echo.Echo
	Views  *Views
	Log    *slog.Logger
	I18n   *i18n.Bundle
	// Keys encrypt secrets at rest (NAPTRACKER_SECRET_KEY or the key file).
	Keys    *account.Keyring
	Handler *handlers.Handler
	// Reminders records and sends the reminders; Serve runs it on a timer
	// and `naptracker reminders run` once.
	Reminders *notify.ReminderRunner
}

// New builds the application from cfg, logging JSON to logOut. It opens the
// database but does not migrate it; call Migrate (or Bootstrap) next.
func New(cfg Config, logOut io.Writer) (*App, error) {
	a, err := Open(cfg, logOut)
	if err != nil {
		return nil, err
	}
	if err := a.build(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Open is New without the web: the configuration, logger, database and
// keys, for commands that only read or write the store (the report,
// roll-ups, keys). It parses no templates, loads no static files and
// mounts no routes — about 10 MB of heap the workshop report would
// otherwise carry (Echo, Views, Handler and Reminders stay nil).
func Open(cfg Config, logOut io.Writer) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: parseLevel(cfg.LogLevel)}))
	// Failing and slow statements are logged (every statement at the debug
	// level), always without their values: those are narratives, e-mail
	// addresses, hashes of sessions, tokens and passwords, TOTP secrets.
	dbLevel := logger.Warn
	if cfg.LogLevel == "debug" {
		dbLevel = logger.Info
	}
	dbLog := logger.NewSlogLogger(log, logger.Config{SlowThreshold: 500 * time.Millisecond, LogLevel: dbLevel,
		IgnoreRecordNotFoundError: true, ParameterizedQueries: true})
	db, err := store.OpenWith(cfg.DSN(), dbLog, store.OpenOptions{SQLiteCacheKiB: cfg.SQLiteCacheKiB})
	if err != nil {
		return nil, err
	}
	keys, created, err := account.LoadKeyring(cfg.SecretKey, cfg.KeyFile())
	if err != nil {
		if s, e := db.DB(); e == nil {
			s.Close()
		}
		return nil, err
	}
	if created {
		log.Warn("created a new secret key file: back it up with the database, kept apart from it", "file", keys.File())
	} else if keys.File() != "" && store.IsPostgres(db) {
		log.Warn("the secret keys come from a file in the data directory: several instances on one PostgreSQL database need the same keys, set NAPTRACKER_SECRET_KEY on each", "file", keys.File())
	}
	return &App{Config: cfg, DB: db, Log: log, Keys: keys}, nil
}

// embeddedUI is the static files and the parsed page templates, both
// embedded in the binary: they are read-only once made, so every App of a
// process (a test binary starts hundreds) shares the one made first.
var embeddedUI = sync.OnceValues(func() (ui struct {
	assets *static.Assets
	views  *Views
}, err error) {
	if ui.assets, err = static.Load(); err != nil {
		return ui, fmt.Errorf("static files: %w", err)
	}
	ui.views, err = NewViews(templates.FS, ui.assets)
	return ui, err
})

func (a *App) build() error {
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	ui, err := embeddedUI()
	if err != nil {
		return err
	}
	assets, views := ui.assets, ui.views
	a.I18n, a.Views = bundle, views
	a.Handler = &handlers.Handler{
		DB: a.DB, Log: a.Log, I18n: bundle, Now: time.Now, Keys: a.Keys,
		Sessions:        account.SessionPolicy{Idle: a.Config.SessionIdle, Absolute: a.Config.SessionMax},
		Throttle:        account.DefaultThrottlePolicy,
		AddressThrottle: account.ThrottlePolicy{Free: 20, Base: account.DefaultThrottlePolicy.Base, Max: account.DefaultThrottlePolicy.Max, Forget: account.DefaultThrottlePolicy.Forget},
		SecureCookies:   a.Config.TLS(),
		BaseURL:         a.Config.BaseURL,
		EvidenceMaxSize: a.Config.EvidenceMaxSize,
	}
	lim := a.Config.OfflineLimits()
	a.Handler.OfflineLimits = &lim

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Renderer = views
	e.IPExtractor = a.ipExtractor()
	e.HTTPErrorHandler = a.handleError
	a.use(e)
	e.GET("/static/*", echo.WrapHandler(assets.Handler()))
	a.Handler.Register(e)
	a.Echo = e
	a.Reminders = &notify.ReminderRunner{DB: a.DB, Log: a.Log, I18n: bundle, BaseURL: a.Config.BaseURL,
		Policy: notify.ReminderPolicy{DaysBefore: a.Config.ReminderDays}}
	if a.Config.SMTPURL != "" {
		smtpCfg, err := notify.ParseSMTPURL(a.Config.SMTPURL) // validated in New
		if err != nil {
			return err
		}
		hello := ""
		if u, err := url.Parse(a.Config.BaseURL); err == nil {
			hello = u.Hostname()
		}
		a.Reminders.Mailer = &notify.SMTPMailer{Config: *smtpCfg, HelloName: hello}
	}
	return nil
}

// ipExtractor takes the client address from the connection, or from
// X-Forwarded-For only when the request comes through a configured proxy.
func (a *App) ipExtractor() echo.IPExtractor {
	nets, _ := a.Config.proxyNets() // validated in New
	if len(nets) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range nets {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// Migrate applies pending migrations and logs what it applied, then seals
// any TOTP secret still stored in clear (by a version before they were
// encrypted, or by an old instance during a rolling upgrade).
func (a *App) Migrate(ctx context.Context) error {
	applied, err := store.Migrate(ctx, a.DB)
	if err != nil {
		return err
	}
	for _, m := range applied {
		a.Log.Info("migration applied", "migration", m)
	}
	n, err := account.SealTOTPSecrets(ctx, a.DB, a.Keys, false)
	if err != nil {
		return fmt.Errorf("encrypt the TOTP secrets: %w", err)
	}
	if n > 0 {
		a.Log.Info("TOTP secrets encrypted", "count", n, "key", a.Keys.CurrentID())
	}
	return nil
}

// Bootstrap migrates and, on a database without any plan, loads the demo
// plan and creates the demo accounts. It returns their credentials (nil when
// nothing was created), for the caller to print once. Instances starting
// together take turns on a lock, so the demo is loaded once.
func (a *App) Bootstrap(ctx context.Context) ([]seed.Credential, error) {
	// On SQLite a second instance started beside the first waits out the
	// first one's seeding (which holds the database's write lock for longer
	// than SQLite's busy timeout on a slow machine) instead of failing.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		creds, err := a.bootstrap(ctx)
		if err == nil || !store.IsSQLiteBusy(err) || time.Now().After(deadline) {
			return creds, err
		}
		a.Log.Warn("database busy during start-up: waiting for the other instance", "error", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (a *App) bootstrap(ctx context.Context) ([]seed.Credential, error) {
	if err := a.Migrate(ctx); err != nil {
		return nil, err
	}
	var creds []seed.Credential
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := store.AdvisoryLock(tx, store.LockBootstrap); err != nil {
			return err
		}
		var plans int64
		if err := tx.Model(&domain.Plan{}).Count(&plans).Error; err != nil {
			return err
		}
		if plans == 0 {
			sum, err := seed.Demo(ctx, tx, time.Now().UTC())
			if err != nil {
				return fmt.Errorf("load demo plan: %w", err)
			}
			a.Log.Info("demo plan loaded", "plan", seed.DemoPlanCode, "activities", sum.Activities, "indicators", sum.Indicators, "values", sum.Values)
		}
		var err error
		creds, err = seed.DemoAccounts(ctx, tx)
		return err
	})
	return creds, err
}

// Serve listens until ctx is cancelled, then shuts down gracefully, letting
// requests in flight finish for up to 15 seconds.
func (a *App) Serve(ctx context.Context) error {
	srv := &http.Server{
		Addr:              a.Config.Addr,
		Handler:           a.Echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	loopCtx, stopLoop := context.WithCancel(ctx)
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		a.RemindLoop(loopCtx, a.Config.ReminderInterval)
	}()
	defer func() { stopLoop(); <-loopDone }()
	a.Log.Info("serving", "addr", a.Config.Addr, "base_url", a.Config.BaseURL, "database", a.DB.Dialector.Name())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// RemindLoop runs the reminders now and then every interval until ctx
// ends (not at all when interval is 0). Several instances may run it at
// once: reminders are recorded under a unique key and claimed before they
// are sent, so none goes out twice. A failed run is logged and retried at
// the next tick.
func (a *App) RemindLoop(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		run, err := a.Reminders.Run(ctx, a.Handler.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("reminders failed; retrying at the next run", "err", err)
		case run.Created+run.Sent+run.Failed > 0:
			a.Log.Info("reminders", "created", run.Created, "sent", run.Sent, "failed", run.Failed, "waiting_for_email", run.Unsent)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Close releases the database.
func (a *App) Close() error {
	if a.DB == nil {
		return nil
	}
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}
