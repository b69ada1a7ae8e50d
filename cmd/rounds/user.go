package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"rounds/models"
)

// userCommand handles "rounds user create": the way to make the first
// committee member.
func userCommand(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &usageError{"usage: rounds user create --email E --name N --role student|teacher|committee [--year Y]"}
	}
	fs := flag.NewFlagSet("rounds user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "full name")
	role := fs.String("role", string(models.RoleStudent), "student, teacher or committee")
	year := fs.String("year", "", "year of study 1–6 (empty for graduates and doctors)")
	if err := fs.Parse(args[1:]); err != nil {
		return &usageError{err.Error()}
	}
	var y *int
	if *year != "" {
		n, err := strconv.Atoi(*year)
		if err != nil {
			return fmt.Errorf("--year %q must be a number from 1 to 6", *year)
		}
		y = &n
	}
	password := getenv("ROUNDS_PASSWORD")
	if password == "" {
		fmt.Fprint(stderr, "Password (at least 10 characters): ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password given: set ROUNDS_PASSWORD or type it on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	_, log, db, err := openDatabase(nil, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	_ = log
	u, err := models.CreateUser(context.Background(), db, models.NewUser{Email: *email, Name: *name, Password: password, Role: models.Role(*role), YearOfStudy: y}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s <%s> as %s (id %d) at %s\n", u.Name, u.Email, u.Role, u.ID, time.Now().Format(time.RFC3339))
	return nil
}
