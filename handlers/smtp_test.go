package handlers_test

import (
	"bufio"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// fakeSMTP is a mail server on 127.0.0.1 that speaks just enough SMTP
// (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to receive what
// NAP Tracker sends, and can be told to refuse recipients.
type fakeSMTP struct {
	t  testing.TB
	ln net.Listener
	mu sync.Mutex
	// refuse, when set, is the reply to every RCPT (such as "550 5.1.1 no such user").
	refuse string
	mails  []fakeMail
	logins []string
	wg     sync.WaitGroup
}

// fakeMail is one message received, decoded.
type fakeMail struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string
	Body    string
}

// startFakeSMTP listens on a free port until the test ends.
func startFakeSMTP(t testing.TB) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{t: t, ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// URL is the NAPTRACKER_SMTP_URL of the server, with a user and password.
func (s *fakeSMTP) URL() string {
	return "smtp://nap:s3cret@" + s.ln.Addr().String() + "?from=nap@example.gov"
}

// Refuse makes the server refuse every recipient with reply ("" to accept again).
func (s *fakeSMTP) Refuse(reply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = reply
}

// Mails returns the messages received so far.
func (s *fakeSMTP) Mails() []fakeMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]fakeMail(nil), s.mails...)
}

// To returns the messages received for one address.
func (s *fakeSMTP) To(addr string) []fakeMail {
	var out []fakeMail
	for _, m := range s.Mails() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (s *fakeSMTP) serve(conn net.Conn) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	reply := func(line string) { _ = tp.PrintfLine("%s", line) }
	reply("220 fake.test ESMTP ready")
	var cur fakeMail
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			reply("250-fake.test greets " + arg)
			reply("250-8BITMIME")
			reply("250 AUTH PLAIN")
		case "HELO", "NOOP":
			reply("250 ok")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			creds, err := base64.StdEncoding.DecodeString(resp)
			if !strings.EqualFold(mech, "PLAIN") || err != nil {
				reply("504 5.5.4 only PLAIN with an initial response")
				continue
			}
			s.mu.Lock()
			s.logins = append(s.logins, string(creds))
			s.mu.Unlock()
			reply("235 2.7.0 authenticated")
		case "MAIL":
			cur = fakeMail{From: angle(arg)}
			reply("250 2.1.0 ok")
		case "RCPT":
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse != "" {
				reply(refuse)
				continue
			}
			cur.To = append(cur.To, angle(arg))
			reply("250 2.1.5 ok")
		case "DATA":
			if len(cur.To) == 0 {
				reply("554 5.5.1 no valid recipients")
				continue
			}
			reply("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.store(cur, data)
			cur = fakeMail{}
			reply("250 2.0.0 queued")
		case "RSET":
			cur = fakeMail{}
			reply("250 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not implemented")
		}
	}
}

// store decodes a received message: headers, RFC 2047 subject and
// quoted-printable body.
func (s *fakeSMTP) store(m fakeMail, data []byte) {
	msg, err := mail.ReadMessage(bufio.NewReader(strings.NewReader(string(data))))
	if err != nil {
		s.t.Errorf("fake SMTP: unreadable message: %v\n%s", err, data)
		return
	}
	m.Header = msg.Header
	m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		s.t.Errorf("fake SMTP: subject %q: %v", msg.Header.Get("Subject"), err)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		s.t.Errorf("fake SMTP: body: %v", err)
	}
	m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	s.mu.Lock()
	s.mails = append(s.mails, m)
	s.mu.Unlock()
}

// angle extracts the address of "FROM:<a@b>" or "TO:<a@b>".
func angle(arg string) string {
	if i, j := strings.Index(arg, "<"), strings.Index(arg, ">"); i >= 0 && j > i {
		return arg[i+1 : j]
	}
	return arg
}
