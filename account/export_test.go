package account

import "naptracker/domain"

// Names only the tests use.

// CheckPasswordRules is PasswordRuleMessage in English ("" when the
// password is acceptable).
func CheckPasswordRules(password string) string {
	if m := PasswordRuleMessage(password); m != nil {
		return domain.EnglishMessage(m.Key, m.Args...)
	}
	return ""
}
