# faultline — see README.md.
GO       ?= go
BIN      := bin/faultline
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X faultline.dev/faultline/internal/buildinfo.version=$(VERSION)
SCENARIO ?= default
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.6.1

.PHONY: all build deps kind-images demo test test-unit test-integration test-kind bench bench-workload controls crash fuzz verify clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/faultline

deps:
	./hack/install-deps.sh

# The images of faultline's kind clusters, built locally (no registry):
# a Docker daemon on 198.19.0.0/16, then every stage of kind/images/build.sh
# (cached: a second run takes seconds).
kind-images: deps
	hack/dockerd.sh start && kind/images/build.sh all

# The main job: run the default scenario on the embedded lab (real MariaDB
# Galera in network namespaces), print the report path and the verdict. The
# exit code follows the verdict (0 valid, 1 invalid, 2 unknown, 3 harness).
demo: deps build
	./$(BIN) run $(SCENARIO) --out runs

# Every test: hermetic unit tests with -race, the integration tests against
# real servers (real mariadbd labs, real kernel faults, Chromium), then the
# Kubernetes suite on a real kind cluster.
test: deps test-unit test-integration test-kind

test-unit:
	$(GO) test -race -count=1 -timeout 20m -skip 'Integration|TestKind' ./...

test-integration:
	$(GO) test -count=1 -p 1 -timeout 60m -run 'Integration' ./...

# The Kubernetes suite: a Docker daemon on 198.19.0.0/16, the locally built
# images (cached by version), ONE kind cluster (faultline-test, kept for the
# next run; FAULTLINE_KIND_KEEP=0 deletes it) for the kind package's tests
# and the Kubernetes target's Ginkgo suite, then the example suite (e2e/,
# both its labels: local on the lab, kind on the same cluster). -v streams
# each package's output as it runs, so a stuck spec is seen where it stands.
test-kind: kind-images
	$(GO) test -v -count=1 -p 1 -timeout 60m -run 'TestKind' ./kind/ ./targets/kube/e2e/ ./e2e/

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=1x ./targets/... 
	$(GO) test -run '^$$' -bench . -benchmem ./history/... ./verify/... ./injectors/... ./reports/...

bench-workload:
	./hack/install-deps.sh --bench
	$(GO) test -run '^$$' -bench BenchmarkLedgerVsSysbench -benchtime=1x -timeout 30m -v ./workloads/...

# Positive and negative controls of the checkers on real labs, repeated.
controls: deps build
	FAULTLINE_CONTROLS_RUNS=10 $(GO) test -count=1 -p 1 -timeout 120m -run 'IntegrationControl' -v ./runner/...

# Kill a harness injecting real faults at random moments, 50 times; after
# each, `faultline recover` must leave nothing behind.
crash: deps
	FAULTLINE_CRASH_ITERATIONS=50 $(GO) test -count=1 -timeout 30m -run 'IntegrationCrashRecover' -v ./injectors/all/

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 10m ./scenarios/

# gofmt, go.mod as `go mod tidy` leaves it, vet and staticcheck.
verify:
	test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf bin runs
