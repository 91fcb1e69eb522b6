package app

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	env := map[string]string{"NAPTRACKER_ADDR": ":9000", "NAPTRACKER_DATA_DIR": "/var/lib/nap", "NAPTRACKER_BASE_URL": "https://nap.example.gov"}
	cfg := ConfigFromEnv(func(k string) string { return env[k] })
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	if err := fs.Parse([]string{"-addr", ":7000"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":7000" {
		t.Errorf("flag did not win over the environment: addr %q", cfg.Addr)
	}
	if cfg.DSN() != filepath.Join("/var/lib/nap", "naptracker.db") {
		t.Errorf("DSN = %q, want the SQLite file in the data directory", cfg.DSN())
	}
	if !cfg.TLS() {
		t.Error("an https base URL should mean TLS")
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

func TestConfigDefaultsWork(t *testing.T) {
	t.Parallel()
	cfg := ConfigFromEnv(func(string) string { return "" })
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if cfg.Addr != ":8080" || cfg.DSN() != filepath.Join("data", "naptracker.db") {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"mysql url", func(c *Config) { c.DatabaseURL = "mysql://x" }, "postgres"},
		{"bare word", func(c *Config) { c.DatabaseURL = "naptracker" }, "DATABASE_URL"},
		{"bad base url", func(c *Config) { c.BaseURL = "localhost:8080" }, "NAPTRACKER_BASE_URL"},
		{"bad log level", func(c *Config) { c.LogLevel = "loud" }, "log level"},
		{"empty addr", func(c *Config) { c.Addr = "" }, "listen address"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		tt.mod(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
	cfg := DefaultConfig()
	cfg.DatabaseURL = "postgresql://u@h/db"
	if err := cfg.Validate(); err != nil {
		t.Errorf("postgresql:// URL refused: %v", err)
	}
}

func TestEvidenceMaxSizeSetting(t *testing.T) {
	t.Parallel()
	if c := DefaultConfig(); c.EvidenceMaxSize != 20<<20 || c.EvidenceBodyLimit() != 10*(20<<20)+1<<20 {
		t.Errorf("default %d, body limit %d", c.EvidenceMaxSize, c.EvidenceBodyLimit())
	}
	for in, want := range map[string]int64{"500KB": 500 << 10, "2 mb": 2 << 20, "1GB": 1 << 30, "4096": 4096} {
		c := ConfigFromEnv(func(k string) string {
			if k == "NAPTRACKER_EVIDENCE_MAX_SIZE" {
				return in
			}
			return ""
		})
		if c.EvidenceMaxSize != want || c.Validate() != nil {
			t.Errorf("%q: %d (%v), want %d", in, c.EvidenceMaxSize, c.Validate(), want)
		}
	}
	for _, in := range []string{"big", "-1MB", "2GB", "0"} {
		c := ConfigFromEnv(func(k string) string {
			if k == "NAPTRACKER_EVIDENCE_MAX_SIZE" {
				return in
			}
			return ""
		})
		if c.Validate() == nil {
			t.Errorf("%q accepted as %d", in, c.EvidenceMaxSize)
		}
	}
}

func TestOfflineLimitSettings(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	if c.OfflineMaxSize != 10<<20 || c.OfflineLimits().MaxFileBytes != 10<<20 || c.OfflineLimits().MaxRows != 40000 || c.OfflineBodyLimit() != 11<<20 {
		t.Errorf("defaults: size %d, rows %d, body limit %d", c.OfflineMaxSize, c.OfflineMaxRows, c.OfflineBodyLimit())
	}
	env := map[string]string{"NAPTRACKER_OFFLINE_MAX_SIZE": "25MB", "NAPTRACKER_OFFLINE_MAX_ROWS": "60000"}
	c = ConfigFromEnv(func(k string) string { return env[k] })
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if l := c.OfflineLimits(); l.MaxFileBytes != 25<<20 || l.MaxRows != 60000 || l.MaxUnzipBytes != 150<<20 {
		t.Errorf("from the environment: %+v", l)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"-offline-max-size", "2MB", "-offline-max-rows", "500"}); err != nil {
		t.Fatal(err)
	}
	if l := c.OfflineLimits(); l.MaxFileBytes != 2<<20 || l.MaxRows != 500 || l.MaxUnzipBytes != 64<<20 {
		t.Errorf("flags did not win: %+v", l)
	}
	for _, bad := range []map[string]string{{"NAPTRACKER_OFFLINE_MAX_SIZE": "huge"}, {"NAPTRACKER_OFFLINE_MAX_SIZE": "2GB"},
		{"NAPTRACKER_OFFLINE_MAX_ROWS": "ten"}, {"NAPTRACKER_OFFLINE_MAX_ROWS": "2000000"}} {
		c := ConfigFromEnv(func(k string) string { return bad[k] })
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "NAPTRACKER_OFFLINE_MAX_") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
