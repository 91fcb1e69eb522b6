package app

import "testing"

// badJSON names the string at fault however deep it is, and does not
// mistake an escaped backslash followed by "u0000" for a NUL.
func TestBadJSONNamesTheField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body  string
		field string
		bad   bool
	}{
		{`{"narrative": "fine", "value": 3}`, "", false},
		{`{"narrative": "a\\u0000 is how NUL is written"}`, "", false},
		{`{"narrative": "a\u0000b"}`, "narrative", true},
		{"{\"value\": 1, \"narrative\": \"\xff\"}", "narrative", true},
		{`{"a": {"b": [1, "ok", "x\u0000"]}}`, "a.b.2", true},
		{`{"a": [{"k": "v"}, {"k": "v\u0000"}]}`, "a.1.k", true},
		{`{"disaggregation": {"sex=female\u0000": 3}}`, "disaggregation", true},
		{`{"x\u0000": 1}`, "body", true},
		{`"top\u0000"`, "body", true},
		{"{\"a\": \"ok\", \"b\": \"\xc3\"}", "b", true},
		{`{"broken": "\u0000`, "", false}, // not JSON: left to the handler
	} {
		field, bad := badJSON([]byte(tc.body))
		if bad != tc.bad || field != tc.field {
			t.Errorf("badJSON(%q) = %q, %v; want %q, %v", tc.body, field, bad, tc.field, tc.bad)
		}
	}
}
