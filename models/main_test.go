package models_test

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"rounds/internal/testdb"
	"rounds/models"
)

func TestMain(m *testing.M) {
	models.PasswordCost = bcrypt.MinCost
	code := m.Run()
	testdb.DropTemplate()
	os.Exit(code)
}
