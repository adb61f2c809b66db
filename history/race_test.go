//go:build race

package history

// raceEnabled shortens the heaviest tests under the race detector.
const raceEnabled = true
