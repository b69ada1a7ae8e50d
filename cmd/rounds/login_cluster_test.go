package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// TestGuessesAcrossTwoInstances: 100 wrong passwords for one account, sent
// 50 at a time to two instances on one PostgreSQL database, are counted as
// one count: no more are checked than the free attempts, and the member
// still logs in from another address.
func TestGuessesAcrossTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dbURL := testkit.NewPostgresDatabase(t) // skips without PostgreSQL
	db, err := store.Open(dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	testkit.Member(t, db, testkit.Email("target@example.ac.uk"), testkit.Password("correct horse battery"))
	env := map[string]string{"ROUNDS_DATABASE_URL": dbURL, "ROUNDS_TRUST_PROXY": "true"}
	instances := []*instance{startInstance(t, env), startInstance(t, env)}

	began := time.Now()
	var mu sync.Mutex
	answers := map[int]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			status, _ := instances[i%2].callFrom("203.0.113.66", "/api/v1/auth/login",
				map[string]string{"email": "target@example.ac.uk", "password": fmt.Sprint("guess ", i)})
			mu.Lock()
			answers[status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	// The real clock runs here: past the free attempts, one more is allowed
	// after each pause (1 s, 2 s, 4 s…) that has passed.
	allowed, pauses := models.AccountLoginLimit.Free, time.Duration(0)
	for p := models.AccountLoginLimit.Base; pauses+p <= time.Since(began); p *= 2 {
		pauses += p
		allowed++
	}
	t.Logf("answers %v in %v (at most %d checked)", answers, time.Since(began).Round(time.Millisecond), allowed)
	if answers[http.StatusUnauthorized] > allowed || answers[http.StatusUnauthorized]+answers[http.StatusTooManyRequests] != 100 {
		t.Errorf("answers %v in %v: at most %d of the guesses may be checked", answers, time.Since(began).Round(time.Millisecond), allowed)
	}
	if status, body := instances[1].callFrom("198.51.100.7", "/api/v1/auth/login",
		map[string]string{"email": "target@example.ac.uk", "password": "correct horse battery"}); status != http.StatusOK {
		t.Errorf("the member from another address: %d %s", status, body)
	}
}

// callFrom posts a JSON body as a client at address ip (behind the proxy
// the instance trusts).
func (in *instance) callFrom(ip, path string, body any) (int, []byte) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", in.url+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}
