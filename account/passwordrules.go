package account

import (
	_ "embed" // the list of common passwords
	"strings"
	"unicode/utf8"

	"naptracker/domain"
)

// commonPasswords is the list of the most common passwords of at least
// MinPasswordLen characters, one lower-cased password a line, in rank order.
// It comes from data/passwords.txt of github.com/trustelem/zxcvbn v1.0.1
// (MIT licence, reproduced at the top of the file).
//
//go:embed passwords/common.txt
var commonPasswords string

// IsCommonPassword reports whether a password, ignoring case, is on the
// embedded list of common passwords. It searches the embedded text itself
// (about 0.1 ms, next to tens of milliseconds of hashing the password), so
// there is no table to build or to keep.
func IsCommonPassword(password string) bool {
	p := strings.ToLower(password)
	if p == "" || strings.ContainsAny(p, "\r\n") || strings.HasPrefix(p, "#") {
		return false // never a line of the list, nor a comment line
	}
	return strings.Contains(commonPasswords, "\n"+p+"\n")
}

// PasswordRuleMessage returns why a new password is refused, as a
// catalogued message, or nil when it is acceptable. The rules are ASVS's: 8
// to 128 characters (counted as characters, so Lao passphrases are not cut
// short), no composition rules, and not one of the most common passwords.
func PasswordRuleMessage(password string) *domain.Message {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return &domain.Message{Key: "err.password_short", Args: []any{MinPasswordLen, MaxPasswordLen}}
	case n > MaxPasswordLen:
		return &domain.Message{Key: "err.password_long", Args: []any{MinPasswordLen, MaxPasswordLen}}
	case IsCommonPassword(password):
		return &domain.Message{Key: "err.password_common"}
	}
	return nil
}
