package account

import "naptracker/domain"

// Names only the tests use.

// PasswordChecks returns how many password verifications (argon2id
// computations against a stored hash) this process has run.
func PasswordChecks() int64 { return passwordChecks.Load() }

// HoldHashSlots takes every hashing slot, as a saturating burst would, and
// returns the function that gives them back. Tests use it to see how
// sign-in answers a busy server without racing real hashes.
func HoldHashSlots() (release func()) {
	n := cap(hashSlots)
	for i := 0; i < n; i++ {
		hashSlots <- struct{}{}
	}
	return func() {
		for i := 0; i < n; i++ {
			<-hashSlots
		}
	}
}

// CheckPasswordRules is PasswordRuleMessage in English ("" when the
// password is acceptable).
func CheckPasswordRules(password string) string {
	if m := PasswordRuleMessage(password); m != nil {
		return domain.EnglishMessage(m.Key, m.Args...)
	}
	return ""
}
