package main

import (
	"os"
	"testing"
)

// asGongkai, set in its environment, makes the test binary run as gongkai
// itself: tests start real gongkai processes without building one.
const asGongkai = "GONGKAI_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asGongkai) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
