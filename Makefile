# The developer interface of sohoa. `make run` and `make test` are the two
# commands a new user needs (see README.md).
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
# OpenMP threads made each page 4-5x slower; parallelism comes from workers.
export OMP_THREAD_LIMIT := 1

GO ?= go
BIN := bin/sohoa
# What `sohoa version` and /healthz say: the release tag, else the commit.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: all deps build run test test-short bench bench-ocr bench-fields bench-import lint minio clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -ldflags "-X main.Version=$(VERSION)" -o $(BIN) ./cmd/sohoa

## run: start the service on its embedded defaults under ./data
run: build
	./$(BIN) serve

## minio: build the MinIO server for the integration tests (cached)
minio:
	@scripts/minio.sh >/dev/null

## test: every test, the integration tests against a real MinIO server and
## the web page's in a real Chromium included (screenshots in $$SOHOA_ARTIFACTS,
## default /tmp/sohoa-screenshots)
test: deps minio
	SOHOA_MINIO="$$(scripts/minio.sh)" SOHOA_REQUIRE_MINIO=1 SOHOA_AXE="$$(scripts/browser.sh)" SOHOA_REQUIRE_BROWSER=1 \
		$(GO) test -race -count=1 -timeout 30m ./...

## test-short: the unit tests only
test-short:
	$(GO) test -short ./...

## bench: speed and memory, as ratios against a baseline measured in the same run
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./ingest/ocr/ ./ingest/scan/ && $(GO) test -run '^$$' -bench . -benchmem ./search/ ./audit/
	$(GO) test -run '^$$' -bench BenchmarkMonthly -benchmem -benchtime 3x ./report/
	SOHOA_AXE="$$(scripts/browser.sh)" SOHOA_REQUIRE_BROWSER=1 $(GO) test -run '^$$' -bench BenchmarkWebPages -benchtime 1x -timeout 20m ./cmd/sohoa/

## bench-import: 1,000 drawn pages through sohoa import and a local server, beside bare tesseract; kill -9 three times
bench-import: build
	$(GO) run ./tools/benchimport -n 1000 -out docs/BENCHMARKS-import.md

## bench-fields: fields, register rows and strict CER on newly drawn, degraded pages
bench-fields: deps
	@test -x /usr/bin/convert || { echo "installing imagemagick for degrade.sh" >&2; \
		$$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get install -y -qq imagemagick >/dev/null; }
	OMP_THREAD_LIMIT=1 $(GO) run ./tools/benchfields -n 4 -out docs/BENCHMARKS-fields.md

## bench-ocr: CER, word recall and s/page on degraded scans: bare tesseract, OCRmyPDF, sohoa
bench-ocr: deps
	@command -v ocrmypdf >/dev/null && test -x /usr/bin/convert || { \
		echo "installing ocrmypdf, unpaper and imagemagick for the OCR benchmark" >&2; \
		$$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get install -y -qq ocrmypdf unpaper imagemagick >/dev/null; }
	$(GO) run ./tools/benchocr -out docs/BENCHMARKS-ocr.md

## lint: vet, gofmt, staticcheck, a tidy go.mod, api/openapi.yaml through an OpenAPI validator
lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) mod tidy -diff
	$(GO) tool staticcheck ./...
	$(GO) test -count=1 -run '^TestOpenAPI$$' ./api/

clean:
	rm -rf bin
