//go:build race

package account_test

// raceEnabled: the race detector is on, which multiplies the memory a test
// sees (shadow memory), so memory bounds are only logged.
const raceEnabled = true
