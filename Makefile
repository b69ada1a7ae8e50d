# Rounds — common tasks. `make run` and `make test` are the two commands a
# newcomer needs.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: run test test-short lint build bench docker clean

## run: fill a fresh SQLite database with the demo society (once) and serve it on :8080
run:
	$(GO) run ./cmd/rounds demo --if-empty
	$(GO) run ./cmd/rounds serve

## test: the whole suite with the race detector (PostgreSQL too when ROUNDS_TEST_POSTGRES_URL is set)
test:
	$(GO) test -race -count=1 -timeout 25m ./...

## test-short: the suite without browser journeys and long concurrency runs
test-short:
	$(GO) test -short -count=1 ./...

## lint: formatting and vet
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...

## build: the rounds binary
build:
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o rounds ./cmd/rounds

## bench: benchmarks of the models (see docs/PERFORMANCE.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./models/...

docker:
	docker build -t rounds:$(VERSION) .

clean:
	rm -f rounds
