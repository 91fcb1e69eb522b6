//go:build race

package handlers_test

// raceEnabled: the race detector is on, which multiplies the memory a test
// sees (shadow memory), so memory bounds are only logged.
const raceEnabled = true
