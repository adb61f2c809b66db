package history

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	c := NewClock()
	a := c.Now()
	time.Sleep(2 * time.Millisecond)
	b := c.Now()
	if a < 0 || b-a < int64(2*time.Millisecond) {
		t.Fatalf("clock readings %d then %d", a, b)
	}
	w := c.Wall()
	if d := time.Now().UnixNano() - w; d < 0 || d > int64(time.Second) {
		t.Fatalf("wall time off by %d ns", d)
	}
	if c.Start().After(time.Now()) {
		t.Fatal("clock started in the future")
	}
}
