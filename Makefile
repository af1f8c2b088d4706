# nodelet — every target installs what it needs first, so `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PREFIX ?= /usr/local
DEB_PACKAGES := busybox-static catatonit iproute2 iptables nftables util-linux kmod socat procps openssl conntrack libseccomp-dev bpftool docker-registry skopeo apache2-utils attr zstd python3-kubernetes mmdebstrap etcd-server chromium
BENCH_PACKAGES := crun runc podman containernetworking-plugins wrk hyperfine iperf3 umoci containerd
NODE_TEST := node --test --test-concurrency=1 --enable-source-maps
# A bound on each test file (the runner applies --test-timeout to a file's whole process), so a test that hangs fails
# its file in minutes instead of holding CI until its budget runs out; the slowest files take about a quarter of these.
UNIT_TIMEOUT_MS := 300000
# Unit test files share nothing (no host objects, ports from 0, own temp dirs), so two run at once: the suite is mostly
# process start-up and waits, and this halves it on a 2-core machine.
UNIT_CONCURRENCY := 2
SYSTEM_TIMEOUT_MS := 900000
# Privileged and e2e files run two at a time as well: every test has its own state dir, cgroup parent, bridge,
# subnets (test/helpers/subnets.ts claims them across processes) and ports, and the files are mostly waits on
# containers and daemons. shim-zz-no-leaks checks that no shim process of this build outlived the files before it,
# so it runs alone after them; NODELET_TEST_RUN_STARTED tells it when they began.
SYSTEM_CONCURRENCY := 2
PRIVILEGED_LAST := dist/test/privileged/shim-zz-no-leaks.test.js
define run-privileged
export NODELET_TEST_RUN_STARTED=$$(cut -d' ' -f22 /proc/self/stat); \
$(NODE_TEST) --test-concurrency=$(SYSTEM_CONCURRENCY) --test-timeout=$(SYSTEM_TIMEOUT_MS) $(filter-out $(PRIVILEGED_LAST),$(wildcard dist/test/privileged/*.test.js)) && \
$(NODE_TEST) --test-timeout=$(SYSTEM_TIMEOUT_MS) $(PRIVILEGED_LAST)
endef

.PHONY: all deps deb-deps bench-deps build shim shim-analyze deps-check lint test test-unit test-privileged test-e2e demo demo-stop bench install clean

all: build

# Debian packages: installed only when missing, so repeated runs stay offline and fast.
deb-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: deb-deps node_modules/.installed

build/nodelet-shim: $(wildcard shim/*.c shim/*.h) | deb-deps
	@mkdir -p build
	gcc -O2 -Wall -Wextra -Werror -std=gnu11 -o $@ $(filter %.c,$^) -lseccomp

shim: build/nodelet-shim

# gcc's static analyzer (-fanalyzer) over the shim: a build of its own at -O0 whose findings are errors (leaks, NULL
# dereferences, use after free, fd leaks), so the -O2 build above stays fast; the stamp reruns it only when a source
# changed. `make test` runs it.
build/shim-analyzed: $(wildcard shim/*.c shim/*.h) | deb-deps
	@mkdir -p build/analyze
	@for f in $(filter %.c,$^); do \
	  gcc -fanalyzer -O0 -Wall -Wextra -Werror -std=gnu11 -c $$f -o build/analyze/$$(basename $$f .c).o || exit 1; \
	done
	@touch $@

shim-analyze: build/shim-analyzed

# tsc for every module (tests import them one by one), then the CLI bundled into one CommonJS file per verb, so a
# command loads three files instead of a few dozen (its start-up is part of every `nodelet run`; scripts/build-cli.mjs),
# then the web view's page (web/, type-checked with the DOM's types) bundled with its libraries into dist/ui.
build: deps shim
	npx tsc -p tsconfig.json
	rm -rf dist/cli
	node scripts/build-cli.mjs
	npx tsc -p web/tsconfig.json
	node scripts/build-ui.mjs

# DESIGN.md's layer order and no import cycles, as rules in .dependency-cruiser.cjs (test/unit/layering shows a
# wrong-way import is caught).
deps-check: deps
	npx depcruise src --config .dependency-cruiser.cjs

# ESLint with typescript-eslint's type-checked rules (eslint.config.js). The cache (under node_modules/, not in git)
# skips files unchanged since a clean run; a clean clone, as CI, checks every file (rm -rf node_modules/.cache/eslint
# to do the same by hand: a type change can add a finding in a file that did not change).
lint: deps
	npx eslint --cache --cache-location node_modules/.cache/eslint/ --cache-strategy content --max-warnings 0 src test bench web

test: build shim-analyze deps-check lint
	$(NODE_TEST) --test-concurrency=$(UNIT_CONCURRENCY) --test-timeout=$(UNIT_TIMEOUT_MS) dist/test/unit
	$(run-privileged)
	$(NODE_TEST) --test-concurrency=$(SYSTEM_CONCURRENCY) --test-timeout=$(SYSTEM_TIMEOUT_MS) dist/test/e2e

test-unit: build
	$(NODE_TEST) --test-concurrency=$(UNIT_CONCURRENCY) --test-timeout=$(UNIT_TIMEOUT_MS) dist/test/unit

test-privileged: build
	$(run-privileged)

test-e2e: build
	$(NODE_TEST) --test-concurrency=$(SYSTEM_CONCURRENCY) --test-timeout=$(SYSTEM_TIMEOUT_MS) dist/test/e2e

SYSTEMD_UNIT_DIR ?= /etc/systemd/system

# Puts `nodelet` on PATH (a link to this checkout's bin/nodelet) and installs the systemd unit (not enabled or
# started: `systemctl enable --now nodelet` does that on a host that runs systemd).
install: build
	ln -sf $(CURDIR)/bin/nodelet $(PREFIX)/bin/nodelet
	@echo "installed $(PREFIX)/bin/nodelet -> $(CURDIR)/bin/nodelet"
	@mkdir -p $(SYSTEMD_UNIT_DIR)
	sed 's|@BINDIR@|$(PREFIX)/bin|' deploy/nodelet.service > $(SYSTEMD_UNIT_DIR)/nodelet.service
	@if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "installed $(SYSTEMD_UNIT_DIR)/nodelet.service (systemctl enable --now nodelet to run it)"

demo: install
	./scripts/demo.sh

# Stops the demo daemon; CLEANUP=1 also removes every pod it runs.
demo-stop:
	@pidfile=/run/nodelet/demo-daemon.pid; \
	if [ -f $$pidfile ]; then \
	  pid=$$(cat $$pidfile); kill -TERM $$pid 2>/dev/null; \
	  for i in $$(seq 300); do kill -0 $$pid 2>/dev/null || break; sleep 0.1; done; \
	  if [ -n "$(CLEANUP)" ]; then ./bin/nodelet reset; fi; \
	  rm -f $$pidfile; \
	else echo "no demo daemon is running"; fi

# Prints every figure the issues ask for, side by side with the peers (one run; the machine is shared, so compare
# ratios rather than absolute numbers).
bench: build bench-deps
	node dist/bench/runtime-bench.js
	node dist/bench/hardening-bench.js
	NODELET_SHIM=$(CURDIR)/build/nodelet-shim node dist/bench/network-bench.js
	node dist/bench/portforward-bench.js
	node dist/bench/kubelet-bench.js
	node dist/bench/workloads-bench.js
	node dist/bench/service-bench.js
	node dist/bench/soak-bench.js
	node dist/bench/heap-flag-bench.js
	node dist/bench/storage-bench.js
	node dist/bench/access-bench.js
	node dist/bench/protobuf-bench.js
	node dist/bench/images-bench.js
	node dist/bench/store-backends-bench.js
	node dist/bench/cluster-scale-bench.js
	node dist/bench/ui-bench.js

clean:
	rm -rf dist build
