package models_test

import (
	"testing"

	"rounds/models/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
