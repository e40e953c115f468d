# Muster — one non-recursive Makefile. Everything builds into build/:
#   build/muster          the program (release, -O2)
#   build/asan/...        the same sources under AddressSanitizer + UBSan, for tests
#   build/fuzz/...        libFuzzer targets (clang)
#   web/dist/             the web app (Vite), served by `muster serve --web web/dist`
# Targets: all web test demo bench fmt lint fuzz clean.

CC      ?= cc
PKGS    := sqlite3 libsodium jansson libmicrohttpd libqrencode libcurl
CWARN   := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CPPFLAGS := -D_GNU_SOURCE -Isrc -Ibuild/gen
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
MIGRATIONS := $(sort $(wildcard src/db/migrations/*.sql))
GEN_SRC  := build/gen/migrations.c
LIB_OBJ  := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRC)) build/obj/gen/migrations.o
ASAN_OBJ := $(patsubst src/%.c,build/asan/obj/%.o,$(LIB_SRC)) build/asan/obj/gen/migrations.o

UNIT_SRC := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_ASAN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))
HEADERS  := $(wildcard src/*/*.h) tests/unit/testutil.h

.PHONY: all web test unit unit-asan cli-test api-test e2e-test demo bench fmt lint fuzz fuzz-build clean deps
all: build/.deps build/muster web/dist/index.html

# Installs what is missing (scripts/deps.sh is idempotent); re-checked when it changes.
build/.deps: scripts/deps.sh $(wildcard package-lock.json)
	@mkdir -p build
	@if pkg-config --exists $(PKGS) cmocka && command -v clang >/dev/null && command -v node >/dev/null \
	   && command -v wrk >/dev/null && command -v sqlite3 >/dev/null && [ -f /usr/include/cmocka.h ] \
	   && command -v chromium >/dev/null \
	   && cmp -s package-lock.json node_modules/.muster-lock; then :; else scripts/deps.sh; fi
	@touch $@

deps:
	scripts/deps.sh

build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

$(GEN_SRC): build/tools/embed $(MIGRATIONS)
	@mkdir -p $(@D)
	build/tools/embed $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

build/obj/gen/migrations.o: $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(CFLAGS) -c -o $@ $<
build/asan/obj/gen/migrations.o: $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(ASANFLAGS) -c -o $@ $<

build/obj/%.o: src/%.c $(HEADERS) | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(CFLAGS) -c -o $@ $<
build/asan/obj/%.o: src/%.c $(HEADERS) | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) $(ASANFLAGS) -c -o $@ $<

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

build/tests/%: tests/unit/%.c build/libmuster.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CWARN) $(CFLAGS) -o $@ $< build/libmuster.a $(LDLIBS) -lcmocka
build/asan/tests/%: tests/unit/%.c build/asan/libmuster.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CWARN) $(ASANFLAGS) -o $@ $< build/asan/libmuster.a $(LDLIBS) -lcmocka

# ---- the web app ----------------------------------------------------------------------
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.mjs \
	   web/post-build.mjs
web/dist/index.html: $(WEB_SRC) package-lock.json | build/.deps
	node_modules/.bin/vite build --config web/vite.config.mjs --logLevel warn
	node web/post-build.mjs
web: web/dist/index.html

# ---- tests -------------------------------------------------------------------------
unit: $(UNIT_BIN) build/muster
	@scripts/run-unit.sh $(UNIT_BIN)
unit-asan: $(UNIT_ASAN) build/asan/muster
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/run-unit.sh $(UNIT_ASAN)
cli-test: build/muster build/asan/muster
	@scripts/run-cli-tests.sh build/muster
	@ASAN_OPTIONS=detect_leaks=1 scripts/run-cli-tests.sh build/asan/muster

api-test: build/muster build/asan/muster
	@scripts/run-api-tests.sh build/muster
	@ASAN_OPTIONS=detect_leaks=1 scripts/run-api-tests.sh build/asan/muster

# The browser tests: playwright-core driving Debian's chromium against a real server.
e2e-test: build/muster build/asan/muster web/dist/index.html
	@scripts/run-e2e-tests.sh build/muster
	@scripts/run-e2e-tests.sh build/asan/muster

test: build/.deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory unit-asan
	@$(MAKE) --no-print-directory cli-test
	@$(MAKE) --no-print-directory api-test
	@$(MAKE) --no-print-directory e2e-test
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-15}
	@echo "make test: all passed"

# ---- fuzzing (libFuzzer, bounded) -------------------------------------------------------
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
FUZZ_LIB_SRC := $(filter-out src/cli/%,$(LIB_SRC))
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $(GEN_SRC) $(HEADERS)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB_SRC) $(GEN_SRC) $(LDLIBS)
fuzz-build: $(FUZZ_BIN)
fuzz: build/.deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	  name=$$(basename $$f); mkdir -p build/fuzz/corpus/$$name; \
	  echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=0 \
	     build/fuzz/corpus/$$name tests/fuzz/seeds/$$name 2>build/fuzz/$$name.log \
	     || { tail -40 build/fuzz/$$name.log; exit 1; }; \
	done

# ---- demo, bench ---------------------------------------------------------------------------
DEMO_DB ?= build/demo/muster.db
DEMO_SCALE ?= 0.01
demo: build/.deps build/muster web/dist/index.html
	@scripts/demo.sh $(DEMO_DB) $(DEMO_SCALE)

BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))
build/bench/%: bench/%.c build/libmuster.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CWARN) -O2 -g -o $@ $< build/libmuster.a $(LDLIBS)
bench: build/.deps build/muster $(BENCH_BIN)
	@bench/run.sh $(ONLY)

# ---- style --------------------------------------------------------------------------------
fmt:
	clang-format -i $(wildcard src/*/*.[ch]) $(wildcard tests/unit/*/*.c) tests/unit/testutil.h $(wildcard tests/fuzz/*.c) tools/*.c
lint: $(GEN_SRC)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem --inline-suppr $(CPPFLAGS) src
	clang-tidy --quiet $(LIB_SRC) src/cli/main.c -- $(CPPFLAGS) -std=c11

clean:
	rm -rf build web/dist
