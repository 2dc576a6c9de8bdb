# make run   builds gongkai and serves it with demo data on http://127.0.0.1:8080
# make test  runs every test against a throwaway PostgreSQL and headless Chromium
#            (scripts/test.sh); narrow it with PKGS=./internal/store ARGS='-run TestX -v'
# make bench the load benchmark on 1,000,000 items, SQLite and PostgreSQL (scripts/bench.sh,
#            writes BENCHMARKS.md); SCALE=small for 20,000 items

BIN  := bin/gongkai
PKGS ?= ./...
ARGS ?=

.PHONY: run build test vet bench clean

run: build
	@mkdir -p data
	$(BIN) serve --demo

build:
	go build -o $(BIN) ./cmd/gongkai

test:
	PKGS='$(PKGS)' scripts/test.sh $(ARGS)

vet:
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	go vet $(PKGS)

bench:
	SCALE='$(SCALE)' scripts/bench.sh

clean:
	rm -rf bin e2e/artifacts
