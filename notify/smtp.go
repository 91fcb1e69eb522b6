package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTPConfig is the mail server reminders are sent through, read from a URL
// such as smtp://user:pass@host:587?from=nap@example.gov&starttls=1
// (smtps://… for TLS from the first byte, usually port 465).
type SMTPConfig struct {
	Host     string
	Port     string
	Username string
	Password string
	From     *mail.Address
	// StartTLS upgrades the connection before anything else is said; the
	// server must offer it. ImplicitTLS (smtps) speaks TLS from the start.
	StartTLS    bool
	ImplicitTLS bool
}

// ParseSMTPURL reads NAPTRACKER_SMTP_URL. Its errors never repeat the
// password.
func ParseSMTPURL(s string) (*SMTPConfig, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("NAPTRACKER_SMTP_URL is not a URL such as smtp://user:pass@host:587?from=nap@example.gov&starttls=1")
	}
	c := &SMTPConfig{Host: u.Hostname(), Port: u.Port()}
	switch u.Scheme {
	case "smtp":
		if c.Port == "" {
			c.Port = "587"
		}
	case "smtps":
		c.ImplicitTLS = true
		if c.Port == "" {
			c.Port = "465"
		}
	default:
		return nil, fmt.Errorf("NAPTRACKER_SMTP_URL must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if c.Host == "" {
		return nil, errors.New("NAPTRACKER_SMTP_URL names no host")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	from := q.Get("from")
	if from == "" {
		return nil, errors.New("NAPTRACKER_SMTP_URL needs the sender address: add ?from=nap@example.gov")
	}
	if c.From, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("NAPTRACKER_SMTP_URL: from=%q is not an e-mail address", from)
	}
	switch q.Get("starttls") {
	case "", "0", "false":
	case "1", "true":
		c.StartTLS = true
	default:
		return nil, errors.New("NAPTRACKER_SMTP_URL: starttls must be 1 or 0")
	}
	if c.StartTLS && c.ImplicitTLS {
		return nil, errors.New("NAPTRACKER_SMTP_URL: smtps:// already uses TLS; drop starttls=1")
	}
	if c.Username != "" && !c.StartTLS && !c.ImplicitTLS && !isLoopback(c.Host) {
		return nil, errors.New("NAPTRACKER_SMTP_URL: a user name and password are only sent over TLS; add starttls=1 or use smtps://")
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// smtpTimeout bounds one conversation with the mail server.
const smtpTimeout = time.Minute

// SMTPMailer sends plain-text e-mail with net/smtp: one connection per
// message, PLAIN authentication when a user is configured, STARTTLS when asked.
type SMTPMailer struct {
	Config SMTPConfig
	// HelloName is the name given in EHLO (the site's host name).
	HelloName string
}

// Send delivers one message to one recipient.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("recipient %q is not an e-mail address", to)
	}
	c := m.Config
	addr := net.JoinHostPort(c.Host, c.Port)
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	if c.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(smtpTimeout))
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	client, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	defer client.Close()
	if m.HelloName != "" {
		if err := client.Hello(m.HelloName); err != nil {
			return fmt.Errorf("EHLO: %w", err)
		}
	}
	if c.StartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return errors.New("the mail server does not offer STARTTLS (starttls=1)")
		}
		if err := client.StartTLS(&tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if c.Username != "" {
		if ok, _ := client.Extension("AUTH"); !ok {
			return errors.New("the mail server does not offer authentication")
		}
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("authentication: %w", err)
		}
	}
	if err := client.Mail(c.From.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := client.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("RCPT TO %s: %w", rcpt.Address, err)
	}
	w, err := client.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(m.message(rcpt, subject, body)); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("message refused: %w", err)
	}
	return client.Quit()
}

// message builds the RFC 5322 message: UTF-8 text, quoted-printable, marked
// as automatically generated so that mail servers send no vacation replies.
func (m *SMTPMailer) message(to *mail.Address, subject, body string) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := m.Config.From.Address[strings.LastIndex(m.Config.From.Address, "@")+1:]
	clean := func(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
	from := m.Config.From
	if from.Name == "" {
		from = &mail.Address{Name: "NAP Tracker", Address: from.Address}
	}
	header := [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", clean(subject))},
		{"Date", time.Now().UTC().Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + domain + ">"},
		{"Auto-Submitted", "auto-generated"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	}
	for _, h := range header {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
