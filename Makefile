# Muster — one non-recursive Makefile. Everything builds into build/:
#   build/muster          the program (release, -O2)
#   build/asan/...        the same sources under AddressSanitizer + UBSan, for tests
#   build/fuzz/...        libFuzzer targets (clang) over one fuzz build of the library
#   build/node/           the project's Node 24 and npm (scripts/deps.sh), for every node step
#   web/dist/             the web app (Vite), served by `muster serve --web web/dist`
# Targets: all web test check demo bench fmt fmt-check lint layers fuzz clean.

CC      ?= cc
PKGS    := sqlite3 libsodium jansson libmicrohttpd libqrencode libcurl
CWARN   := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CPPFLAGS := -D_GNU_SOURCE -Isrc -Ibuild/gen
DEPFLAGS = -MMD -MP -MF $@.d -MT $@
# Recursive (=): expanded only in the link recipes, after build/.deps-build has installed
# pkg-config and the -dev packages, never when make reads this file.
LDLIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
JOBS    ?= $(shell nproc 2>/dev/null || echo 1)
# The suites wait on servers and browsers much of the time (the two browser suites side
# by side keep 0.8 of 2 cores busy): `make test` runs twice as many suites as cores.
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))

# Every node/npm/npx step runs on the project's Node (scripts/deps.sh installs it there).
export PATH := $(CURDIR)/build/node/bin:$(PATH)

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
MIGRATIONS := $(sort $(wildcard src/db/migrations/*.sql))
GEN_SRC  := build/gen/migrations.c
LIB_OBJ  := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRC)) build/obj/gen/migrations.o
ASAN_OBJ := $(patsubst src/%.c,build/asan/obj/%.o,$(LIB_SRC)) build/asan/obj/gen/migrations.o

UNIT_SRC := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_ASAN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))

.PHONY: all web web-dev test test-build test-run check unit unit-asan cli-test cli-test-plain \
	cli-test-asan api-test api-test-plain api-test-asan e2e-test e2e-test-plain \
	e2e-test-asan demo bench fmt fmt-check lint lint-c lint-cppcheck lint-js lint-eslint lint-prettier layers fuzz fuzz-build \
	clean deps
all: build/.deps-build build/muster web/dist/index.html

# ---- what the build and the tests need (scripts/deps.sh is idempotent) -------------------
# One stamp per set, made again when deps.sh or the npm lock file changes.
build/.deps-build: scripts/deps.sh package.json package-lock.json
	@mkdir -p build
	@scripts/deps.sh build
	@touch $@
build/.deps-test: scripts/deps.sh | build/.deps-build
	@mkdir -p build
	@scripts/deps.sh test
	@touch $@
deps:
	scripts/deps.sh

# ---- the program -----------------------------------------------------------------------
build/tools/embed: tools/embed.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

$(GEN_SRC): build/tools/embed $(MIGRATIONS)
	@mkdir -p $(@D)
	build/tools/embed $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

build/obj/gen/migrations.o: $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/asan/obj/gen/migrations.o: $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(ASANFLAGS) $(DEPFLAGS) -c -o $@ $<

# Header dependencies come from the compiler (-MMD -MP, build/**/*.o.d).
build/obj/%.o: src/%.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/asan/obj/%.o: src/%.c | build/.deps-build
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(ASANFLAGS) $(DEPFLAGS) -c -o $@ $<

build/libmuster.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/asan/libmuster.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/muster: build/obj/cli/main.o build/libmuster.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
build/asan/muster: build/asan/obj/cli/main.o build/asan/libmuster.a
	$(CC) $(ASANFLAGS) -o $@ $^ $(LDLIBS)

# A unit test is one source file (with its fixture headers, tracked by -MMD like the rest).
build/tests/%: tests/unit/%.c build/libmuster.a | build/.deps-test
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CWARN) $(CFLAGS) $(DEPFLAGS) -o $@ $< build/libmuster.a $(LDLIBS) -lcmocka
build/asan/tests/%: tests/unit/%.c build/asan/libmuster.a | build/.deps-test
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CWARN) $(ASANFLAGS) $(DEPFLAGS) -o $@ $< build/asan/libmuster.a $(LDLIBS) -lcmocka

# ---- the web app ----------------------------------------------------------------------
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.mjs \
	   web/post-build.mjs
web/dist/index.html: $(WEB_SRC) package-lock.json | build/.deps-build
	node_modules/.bin/vite build --config web/vite.config.mjs --logLevel warn
	node web/post-build.mjs
web: build/.deps-build web/dist/index.html
# Vite's dev server with hot reload; /api goes to a server on 127.0.0.1:8080 (web/vite.config.mjs).
web-dev: build/.deps-build
	node_modules/.bin/vite --config web/vite.config.mjs

# ---- tests -------------------------------------------------------------------------
# `make test`: the deps, then every binary once (make -j), then the checks and the suites
# side by side (TEST_JOBS at once), each suite's output in build/test-logs/<suite>.log (printed when it fails);
# -k so that one failing suite does not hide another.
SUBMAKE = $(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
test: build/.deps-build build/.deps-test
	@$(SUBMAKE) test-build
	@rm -rf build/test-logs && mkdir -p build/test-logs && : >build/test-logs/summary
	@rc=0; $(MAKE) --no-print-directory -j$(TEST_JOBS) -k test-run SUITE=1 FUZZ_SECONDS=$${FUZZ_SECONDS:-15} || rc=$$?; \
	  echo "suites: $$(grep -c '^PASS' build/test-logs/summary || true) passed, $$(grep -c '^FAIL' build/test-logs/summary || true) failed"; \
	  exit $$rc
test-build: build/muster build/asan/muster $(UNIT_BIN) $(UNIT_ASAN) web/dist/index.html fuzz-build
# The longest first, so that they start first; the checks' many short clang-tidy runs last.
test-run: e2e-test-asan e2e-test-plain api-test-asan api-test-plain unit-asan unit \
	cli-test-asan cli-test-plain fuzz check

# SUITE=1 (as `make test` runs them): each suite through scripts/suite.sh, into its log.
run = $(if $(SUITE),scripts/suite.sh $(1) )

unit: $(UNIT_BIN) build/muster
	@$(call run,unit)scripts/run-unit.sh $(UNIT_BIN)
unit-asan: $(UNIT_ASAN) build/asan/muster
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(call run,unit-asan)scripts/run-unit.sh $(UNIT_ASAN)
cli-test: cli-test-plain cli-test-asan
cli-test-plain: build/muster build/.deps-test
	@$(call run,cli-test)scripts/run-cli-tests.sh build/muster
cli-test-asan: build/asan/muster build/.deps-test
	@ASAN_OPTIONS=detect_leaks=1 $(call run,cli-test-asan)scripts/run-cli-tests.sh build/asan/muster

api-test: api-test-plain api-test-asan
api-test-plain: build/muster build/.deps-build
	@$(call run,api-test)scripts/run-api-tests.sh build/muster
api-test-asan: build/asan/muster build/.deps-build
	@ASAN_OPTIONS=detect_leaks=1 $(call run,api-test-asan)scripts/run-api-tests.sh build/asan/muster

# The browser tests: playwright-core driving Debian's chromium against a real server.
e2e-test: e2e-test-plain e2e-test-asan
e2e-test-plain: build/muster web/dist/index.html build/.deps-test
	@$(call run,e2e-test)scripts/run-e2e-tests.sh build/muster
e2e-test-asan: build/asan/muster web/dist/index.html build/.deps-test
	@$(call run,e2e-test-asan)scripts/run-e2e-tests.sh build/asan/muster

# ---- fuzzing (libFuzzer, bounded) -------------------------------------------------------
# The library is compiled once for fuzzing (build/fuzz/libmuster.a, instrumented without
# libFuzzer's main); each target links its own main against it.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -g -O1
FUZZ_LIB_SRC := $(filter-out src/cli/%,$(LIB_SRC))
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(FUZZ_LIB_SRC)) build/fuzz/obj/gen/migrations.o
build/fuzz/obj/%.o: src/%.c | build/.deps-test
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(DEPFLAGS) -c -o $@ $<
build/fuzz/obj/gen/migrations.o: $(GEN_SRC) | build/.deps-test
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(DEPFLAGS) -c -o $@ $<
build/fuzz/libmuster.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c build/fuzz/libmuster.a | build/.deps-test
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $(DEPFLAGS) -o $@ $< build/fuzz/libmuster.a $(LDLIBS)
fuzz-build: $(FUZZ_BIN)
fuzz: build/.deps-test $(FUZZ_BIN)
	@$(call run,fuzz)scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# ---- crash campaign: 100 kill -9 runs of the server in a scan storm (not in make test) ---
CRASH_RUNS ?= 100
.PHONY: crash-campaign
crash-campaign: build/muster build/.deps-test
	nice -n 10 scripts/crash-campaign.sh build/muster $(CRASH_RUNS)

# ---- demo, bench ---------------------------------------------------------------------------
DEMO_DB ?= build/demo/muster.db
DEMO_SCALE ?= 0.01
demo: build/.deps-build build/muster web/dist/index.html
	@scripts/demo.sh $(DEMO_DB) $(DEMO_SCALE)

BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))
build/bench/%: bench/%.c build/libmuster.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) -O2 -g $(DEPFLAGS) -o $@ $< build/libmuster.a $(LDLIBS)
bench: build/.deps-build build/.deps-test build/muster $(BENCH_BIN)
	@bench/run.sh $(ONLY)

# ---- style and the checks `make test` runs -------------------------------------------------
FMT_SRC := $(wildcard src/*/*.[ch]) $(wildcard tests/unit/*/*.[ch]) tests/unit/testutil.h \
	   $(wildcard tests/fuzz/*.c) $(wildcard tools/*.c) $(wildcard bench/*.c)
JS_SRC  := web/src web/vite.config.mjs web/post-build.mjs tests/api tests/e2e eslint.config.mjs
check: lint fmt-check layers
fmt:
	clang-format -i $(FMT_SRC)
fmt-check: build/.deps-test
	@$(call run,fmt-check)sh -c 'rc=0; for f in $(FMT_SRC); do \
	  clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || { echo "not formatted: $$f"; rc=1; }; \
	  done; [ $$rc -eq 0 ] || echo "(clang-format --dry-run FILE shows where; make fmt formats them)"; exit $$rc'
lint: lint-c lint-js
# clang-tidy one file at a time (side by side under -j, and again only when the file or a
# header it includes changed: the stamp follows the object's -MMD dependencies); any
# warning fails.
TIDY_OK := $(patsubst src/%.c,build/lint/%.tidy,$(LIB_SRC) src/cli/main.c)
build/lint/%.tidy: src/%.c build/obj/%.o .clang-tidy | build/.deps-test
	@mkdir -p $(@D)
	@clang-tidy --quiet --warnings-as-errors='*' $< -- $(CPPFLAGS) -std=c11 >$@.log 2>&1 || \
	  { echo "FAIL clang-tidy $<:"; grep -v 'warnings generated\.$$' $@.log | sed 's/^/    /'; \
	    $(if $(SUITE),echo "FAIL clang-tidy-$<" >>build/test-logs/summary;) exit 1; }
	@touch $@
lint-c: lint-cppcheck $(TIDY_OK)
lint-cppcheck: $(GEN_SRC) build/.deps-test
	@$(call run,cppcheck)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem --inline-suppr $(CPPFLAGS) src
lint-js: lint-eslint lint-prettier
lint-eslint: build/.deps-build
	@$(call run,eslint)node_modules/.bin/eslint --no-color --max-warnings=0 $(JS_SRC)
lint-prettier: build/.deps-build
	@$(call run,prettier)node_modules/.bin/prettier --no-color --check $(JS_SRC)
# One-way layers and table owners (scripts/check-layers.sh).
layers:
	@$(call run,layers)scripts/check-layers.sh

clean:
	rm -rf build web/dist

-include $(shell find build/obj build/asan build/tests build/fuzz build/bench -name '*.d' 2>/dev/null)
