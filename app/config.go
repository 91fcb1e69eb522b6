package app

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"naptracker/models"
)

// Config is everything NAP Tracker reads from flags and the environment.
// Flags win over environment variables, which win over the defaults; the
// defaults make `go run ./cmd/naptracker` work with nothing set.
type Config struct {
	Addr        string // NAPTRACKER_ADDR, -addr: where to listen (":8080")
	DatabaseURL string // DATABASE_URL, -database-url: postgres://… or empty for SQLite
	DataDir     string // NAPTRACKER_DATA_DIR, -data-dir: where the SQLite file lives ("data")
	BaseURL     string // NAPTRACKER_BASE_URL, -base-url: public address, used in links and e-mails
	LogLevel    string // NAPTRACKER_LOG_LEVEL, -log-level: debug, info, warn, error
}

// DefaultConfig returns the built-in defaults.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "data", BaseURL: "http://localhost:8080", LogLevel: "info"}
}

// ConfigFromEnv reads the environment over the defaults.
func ConfigFromEnv(getenv func(string) string) Config {
	c := DefaultConfig()
	set := func(dst *string, key string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	set(&c.Addr, "NAPTRACKER_ADDR")
	set(&c.DatabaseURL, "DATABASE_URL")
	set(&c.DataDir, "NAPTRACKER_DATA_DIR")
	set(&c.BaseURL, "NAPTRACKER_BASE_URL")
	set(&c.LogLevel, "NAPTRACKER_LOG_LEVEL")
	return c
}

// RegisterFlags adds the configuration flags to fs, defaulting to c's values.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on (NAPTRACKER_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL; empty for the SQLite file in the data directory (DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the SQLite database (NAPTRACKER_DATA_DIR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address of the site, for links in e-mails (NAPTRACKER_BASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (NAPTRACKER_LOG_LEVEL)")
}

// Validate checks the configuration and reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("the listen address is empty"))
	}
	if c.DatabaseURL != "" && !strings.Contains(c.DatabaseURL, "://") {
		errs = append(errs, fmt.Errorf("DATABASE_URL must be a postgres:// URL or empty"))
	} else if c.DatabaseURL != "" && !models.IsPostgresURL(c.DatabaseURL) {
		errs = append(errs, fmt.Errorf("DATABASE_URL: only postgres:// and postgresql:// URLs are supported"))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("NAPTRACKER_BASE_URL must be an http(s) URL, got %q", c.BaseURL))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level must be debug, info, warn or error, got %q", c.LogLevel))
	}
	return errors.Join(errs...)
}

// DSN is what to pass to models.Open: the PostgreSQL URL, or the SQLite file path.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "naptracker.db")
}

// TLS reports whether the site is served over HTTPS (behind a TLS proxy).
func (c Config) TLS() bool { return strings.HasPrefix(c.BaseURL, "https://") }
