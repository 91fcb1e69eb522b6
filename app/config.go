package app

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/notify"
	"naptracker/offline"
	"naptracker/reporting"
	"naptracker/store"
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
	// SessionIdle and SessionMax are the idle and absolute session timeouts
	// (NAPTRACKER_SESSION_IDLE, NAPTRACKER_SESSION_MAX; 30m and 12h).
	SessionIdle time.Duration
	SessionMax  time.Duration
	// TrustedProxies lists the addresses (CIDR) of reverse proxies whose
	// X-Forwarded-For may be believed (NAPTRACKER_TRUSTED_PROXIES, comma
	// separated). Empty: the client address is the connection's.
	TrustedProxies string
	// SMTPURL is the mail server reminders go through
	// (NAPTRACKER_SMTP_URL, -smtp-url), such as
	// smtp://user:pass@host:587?from=nap@example.gov&starttls=1. Empty:
	// reminders are recorded and listed but not sent.
	SMTPURL string
	// ReminderDays is how many days before a due date focal points are
	// reminded (NAPTRACKER_REMINDER_DAYS, -reminder-days; 7).
	ReminderDays int
	// ReminderInterval is how often the reminders run while serving
	// (NAPTRACKER_REMINDER_INTERVAL, -reminder-interval; 15m; 0 turns the
	// loop off, for instances that should leave it to the others).
	ReminderInterval time.Duration
	// SecretKey holds the keys that encrypt secrets at rest
	// (NAPTRACKER_SECRET_KEY: base64 keys separated by commas, the first
	// one current; environment only, never a flag, which the process list
	// would show). Empty: the key file secret.key in the data directory,
	// created on first start.
	SecretKey string
	// SQLiteCacheKiB is the page cache of each SQLite connection in KiB
	// (0: SQLite's default). Not configurable from outside: a command that
	// reads a whole plan once (the workshop report) sets it small.
	SQLiteCacheKiB int
	// EvidenceMaxSize is the largest evidence file accepted, in bytes
	// (NAPTRACKER_EVIDENCE_MAX_SIZE, -evidence-max-size: a number of bytes
	// or with KB, MB or GB; 20MB). An upload request may carry up to
	// models.MaxEvidenceFiles such files; its whole body is bounded by
	// EvidenceBodyLimit.
	EvidenceMaxSize int64
	// OfflineMaxSize is the largest uploaded workbook (offline templates
	// and plan workbooks) in bytes (NAPTRACKER_OFFLINE_MAX_SIZE,
	// -offline-max-size; 10MB), and OfflineMaxRows the most rows read from
	// any of its sheets (NAPTRACKER_OFFLINE_MAX_ROWS, -offline-max-rows;
	// 40000). The reader's other limits (unzipped size, parts, shared
	// strings) keep their defaults, scaled up with a larger file.
	OfflineMaxSize int64
	OfflineMaxRows int
}

// OfflineLimits are the limits of the hostile-file reader for uploaded
// workbooks: the configured size and rows, and an unzip budget of at least
// the default and six times the file (xlsx compresses text about that much).
func (c Config) OfflineLimits() offline.Limits {
	l := offline.DefaultLimits()
	l.MaxFileBytes, l.MaxRows = c.OfflineMaxSize, c.OfflineMaxRows
	l.MaxUnzipBytes = max(l.MaxUnzipBytes, 6*c.OfflineMaxSize)
	return l
}

// OfflineBodyLimit bounds the body of a workbook upload: the file and
// 1 MB for the form fields and the multipart framing.
func (c Config) OfflineBodyLimit() int64 { return c.OfflineMaxSize + 1<<20 }

// EvidenceBodyLimit bounds the body of an evidence upload: the largest
// number of files at the largest size, plus 1 MB for the form fields and
// the multipart framing.
func (c Config) EvidenceBodyLimit() int64 {
	return c.EvidenceMaxSize*reporting.MaxEvidenceFiles + 1<<20
}

// ParseSize reads a size such as 20MB, 500KB, 1GB or 1048576 (bytes);
// KB, MB and GB are powers of 1024.
func ParseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size such as 20MB", s)
	}
	return n * mult, nil
}

// sizeFlag is a flag.Value for a size in bytes written as ParseSize reads it.
type sizeFlag struct{ dst *int64 }

func (f sizeFlag) String() string {
	if f.dst == nil {
		return ""
	}
	return strconv.FormatInt(*f.dst, 10)
}

func (f sizeFlag) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	*f.dst = n
	return nil
}

// DefaultConfig returns the built-in defaults.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "data", BaseURL: "http://localhost:8080", LogLevel: "info",
		SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour, ReminderDays: 7, ReminderInterval: 15 * time.Minute,
		EvidenceMaxSize: 20 << 20, OfflineMaxSize: offline.DefaultLimits().MaxFileBytes, OfflineMaxRows: offline.DefaultLimits().MaxRows}
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
	set(&c.TrustedProxies, "NAPTRACKER_TRUSTED_PROXIES")
	setDuration := func(dst *time.Duration, key string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			if d, err := time.ParseDuration(v); err == nil {
				*dst = d
			} else {
				*dst = -1 // reported by Validate
			}
		}
	}
	setDuration(&c.SessionIdle, "NAPTRACKER_SESSION_IDLE")
	setDuration(&c.SessionMax, "NAPTRACKER_SESSION_MAX")
	set(&c.SMTPURL, "NAPTRACKER_SMTP_URL")
	if v := strings.TrimSpace(getenv("NAPTRACKER_REMINDER_DAYS")); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.ReminderDays = n
		} else {
			c.ReminderDays = -1 // reported by Validate
		}
	}
	setDuration(&c.ReminderInterval, "NAPTRACKER_REMINDER_INTERVAL")
	set(&c.SecretKey, "NAPTRACKER_SECRET_KEY")
	setSize := func(dst *int64, key string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			if n, err := ParseSize(v); err == nil {
				*dst = n
			} else {
				*dst = -1 // reported by Validate
			}
		}
	}
	setSize(&c.EvidenceMaxSize, "NAPTRACKER_EVIDENCE_MAX_SIZE")
	setSize(&c.OfflineMaxSize, "NAPTRACKER_OFFLINE_MAX_SIZE")
	if v := strings.TrimSpace(getenv("NAPTRACKER_OFFLINE_MAX_ROWS")); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.OfflineMaxRows = n
		} else {
			c.OfflineMaxRows = -1 // reported by Validate
		}
	}
	return c
}

// RegisterFlags adds the configuration flags to fs, defaulting to c's values.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on (NAPTRACKER_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL; empty for the SQLite file in the data directory (DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the SQLite database (NAPTRACKER_DATA_DIR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address of the site, for links in e-mails (NAPTRACKER_BASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (NAPTRACKER_LOG_LEVEL)")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "end sessions after this long without a request (NAPTRACKER_SESSION_IDLE)")
	fs.DurationVar(&c.SessionMax, "session-max", c.SessionMax, "end sessions this long after sign-in (NAPTRACKER_SESSION_MAX)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (NAPTRACKER_TRUSTED_PROXIES)")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "mail server for reminders, smtp://user:pass@host:587?from=nap@example.gov&starttls=1; empty to record them without sending (NAPTRACKER_SMTP_URL)")
	fs.IntVar(&c.ReminderDays, "reminder-days", c.ReminderDays, "remind focal points this many days before a due date (NAPTRACKER_REMINDER_DAYS)")
	fs.Var(sizeFlag{&c.EvidenceMaxSize}, "evidence-max-size", "largest evidence file accepted, such as 20MB or 500KB (NAPTRACKER_EVIDENCE_MAX_SIZE)")
	fs.Var(sizeFlag{&c.OfflineMaxSize}, "offline-max-size", "largest uploaded workbook (offline template, plan workbook), such as 10MB (NAPTRACKER_OFFLINE_MAX_SIZE)")
	fs.IntVar(&c.OfflineMaxRows, "offline-max-rows", c.OfflineMaxRows, "most rows read from any sheet of an uploaded workbook (NAPTRACKER_OFFLINE_MAX_ROWS)")
	fs.DurationVar(&c.ReminderInterval, "reminder-interval", c.ReminderInterval, "how often reminders run while serving; 0 to not run them on this instance (NAPTRACKER_REMINDER_INTERVAL)")
}

// Validate checks the configuration and reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("the listen address is empty"))
	}
	if c.DatabaseURL != "" && !strings.Contains(c.DatabaseURL, "://") {
		errs = append(errs, fmt.Errorf("DATABASE_URL must be a postgres:// URL or empty"))
	} else if c.DatabaseURL != "" && !store.IsPostgresURL(c.DatabaseURL) {
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
	if c.SessionIdle < time.Minute || c.SessionMax < c.SessionIdle {
		errs = append(errs, fmt.Errorf("session timeouts must be durations such as 30m and 12h, the idle one at least 1m and not above the absolute one"))
	}
	if _, err := c.proxyNets(); err != nil {
		errs = append(errs, err)
	}
	if c.SMTPURL != "" {
		if _, err := notify.ParseSMTPURL(c.SMTPURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.ReminderDays < 1 || c.ReminderDays > 90 {
		errs = append(errs, fmt.Errorf("NAPTRACKER_REMINDER_DAYS must be a number of days from 1 to 90"))
	}
	if c.SecretKey != "" {
		if _, err := account.ParseKeys(c.SecretKey); err != nil {
			errs = append(errs, fmt.Errorf("NAPTRACKER_SECRET_KEY: %w", err))
		}
	}
	if c.ReminderInterval != 0 && c.ReminderInterval < time.Second {
		errs = append(errs, fmt.Errorf("NAPTRACKER_REMINDER_INTERVAL must be a duration such as 15m (at least 1s), or 0 to turn the reminders off on this instance"))
	}
	if c.EvidenceMaxSize < 1 || c.EvidenceMaxSize > 1<<30 {
		errs = append(errs, fmt.Errorf("NAPTRACKER_EVIDENCE_MAX_SIZE must be a size from 1 byte to 1GB, such as 20MB"))
	}
	if c.OfflineMaxSize < 1<<10 || c.OfflineMaxSize > 1<<30 {
		errs = append(errs, fmt.Errorf("NAPTRACKER_OFFLINE_MAX_SIZE must be a size from 1KB to 1GB, such as 10MB"))
	}
	if c.OfflineMaxRows < 100 || c.OfflineMaxRows > 1048576 {
		errs = append(errs, fmt.Errorf("NAPTRACKER_OFFLINE_MAX_ROWS must be a number of rows from 100 to 1048576"))
	}
	return errors.Join(errs...)
}

// proxyNets parses TrustedProxies.
func (c Config) proxyNets() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("NAPTRACKER_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// DSN is what to pass to models.Open: the PostgreSQL URL, or the SQLite file path.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "naptracker.db")
}

// KeyFile is where the secret keys are kept when NAPTRACKER_SECRET_KEY is not set.
func (c Config) KeyFile() string { return filepath.Join(c.DataDir, account.KeyFileName) }

// TLS reports whether the site is served over HTTPS (behind a TLS proxy).
func (c Config) TLS() bool { return strings.HasPrefix(c.BaseURL, "https://") }
