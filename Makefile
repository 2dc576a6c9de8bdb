# make run   builds gongkai and serves it with demo data on http://127.0.0.1:8080
#            (installing the Chinese font of the notices' PDF when missing)
# make test  runs every test against a throwaway PostgreSQL and headless Chromium
#            (scripts/test.sh); narrow it with PKGS=./internal/store ARGS='-run TestX -v'
# make lint  runs golangci-lint with .golangci.yml (scripts/lint.sh, which builds the
#            pinned linter once into the cache); PKGS=./internal/store for some packages
# make bench the ledger's append and proof costs (Go benchmarks), then the load benchmark
#            on 1,000,000 items, SQLite and PostgreSQL (scripts/bench.sh,
#            writes BENCHMARKS.md); SCALE=small for 20,000 items
# make release  static binaries (no cgo) for linux/amd64, arm64 and loong64 in dist/,
#            named with the version, and dist/SHA256SUMS; VERSION=v1.2.3 to name it

BIN  := bin/gongkai
PKGS ?= ./...
ARGS ?=

# The version is the nearest tag with the commits since it, or the commit;
# -dirty when the working tree has changes.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The servers of the county: x86, Kunpeng and Phytium (arm64), Loongson (loong64).
PLATFORMS ?= linux/amd64 linux/arm64 linux/loong64

.PHONY: run build test lint vet bench release clean

run: build
	@mkdir -p data
	@scripts/pdf-font.sh
	$(BIN) serve --demo

build:
	go build -ldflags '-X main.version=$(VERSION)' -o $(BIN) ./cmd/gongkai

test:
	PKGS='$(PKGS)' scripts/test.sh $(ARGS)

lint:
	scripts/lint.sh $(PKGS)

vet:
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	go vet $(PKGS)

bench:
	go test -run '^$$' -bench Ledger -benchtime 1000x ./internal/store
	SCALE='$(SCALE)' scripts/bench.sh

# CGO_ENABLED=0: one static binary that runs on any Linux of its architecture,
# also in a container from scratch (the SQLite driver is pure Go).
# -trimpath: no path of the build machine in the binary; -s -w: no symbol
# table nor DWARF (a third smaller; panics still print their stack).
release:
	@case '$(VERSION)' in *[!A-Za-z0-9._+-]*|'') echo "release: bad VERSION '$(VERSION)'" >&2; exit 1;; esac
	rm -rf dist && mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; out=dist/gongkai-$(VERSION)-$$os-$$arch; \
		echo "go build $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -trimpath \
			-ldflags '-s -w -X main.version=$(VERSION)' -o $$out ./cmd/gongkai; \
	done
	cd dist && sha256sum gongkai-* >SHA256SUMS
	@cat dist/SHA256SUMS

clean:
	rm -rf bin dist e2e/artifacts
