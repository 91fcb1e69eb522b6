package account

import (
	"strings"
	"testing"

	"naptracker/domain"
)

func TestPasswordHashing(t *testing.T) {
	t.Parallel()
	lao := "ລະຫັດຜ່ານຂອງຂ້ອຍຍາວຫຼາຍກວ່າເຈັດສິບສອງໄບ ແລະ ຍັງສືບຕໍ່" // far beyond bcrypt's 72 bytes
	h, err := HashPassword(lao)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the expected parameters", h)
	}
	if !CheckPassword(h, lao) {
		t.Error("the right password was refused")
	}
	// A password that differs only after byte 72 must not match.
	if CheckPassword(h, lao[:len(lao)-3]+"xyz") {
		t.Error("a password differing only in its last characters was accepted")
	}
	// Each hash has a salt of its own.
	h1, _ := HashPassword(lao)
	h2, _ := HashPassword(lao)
	if h1 == h2 {
		t.Error("two hashes of the same password are equal: salt missing")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$$", "plain", "$2a$10$abcdefghijklmnopqrstuv"} {
		if CheckPassword(bad, "") || CheckPassword(bad, "plain") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}

func TestValidateNewUser(t *testing.T) {
	t.Parallel()
	org := int64(1)
	tests := []struct {
		name   string
		user   domain.User
		pw     string
		fields []string
	}{
		{"valid", domain.User{Email: " A@Example.org ", Name: "A", Role: domain.RoleSecretariat}, "long enough", nil},
		{"bad email", domain.User{Email: "nope", Name: "A", Role: domain.RoleAdmin}, "long enough", []string{"email"}},
		{"no name", domain.User{Email: "a@b.org", Role: domain.RoleAdmin}, "long enough", []string{"name"}},
		{"unknown role", domain.User{Email: "a@b.org", Name: "A", Role: "boss"}, "long enough", []string{"role"}},
		{"focal point without organisation", domain.User{Email: "a@b.org", Name: "A", Role: domain.RoleFocalPoint}, "long enough", []string{"organisation"}},
		{"focal point with organisation", domain.User{Email: "a@b.org", Name: "A", Role: domain.RoleFocalPoint, OrganisationID: &org}, "long enough", nil},
		{"short password", domain.User{Email: "a@b.org", Name: "A", Role: domain.RoleAdmin}, "short", []string{"password"}},
		{"long password", domain.User{Email: "a@b.org", Name: "A", Role: domain.RoleAdmin}, strings.Repeat("x", 129), []string{"password"}},
		{"128 Lao characters are fine", domain.User{Email: "a@b.org", Name: "A", Role: domain.RoleAdmin}, strings.Repeat("ກ", 128), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateNewUser(&tt.user, tt.pw)
			var got []string
			if ve, ok := err.(*domain.ValidationError); ok {
				for f := range ve.Fields {
					got = append(got, f)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields in error = %v, want %v", got, tt.fields)
			}
		})
	}
}
