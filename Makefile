# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A thin front end to meson. The two commands of the README:
#   make run     install what is missing, build, and run 'cvm check' on this host
#   make check   install what is missing, build, prepare test-env/, and run every test
# More:
#   make asan          unit and fuzz-regression tests under AddressSanitizer + UBSan (build-asan/), and
#                      the qgsd integration test (cvm-qgsd's memory over 10 000 requests, leaks at exit)
#   make fuzz          libFuzzer build with clang (build-fuzz/) and a short run of every target
#                      (FUZZ_SECONDS each, default 10; crashes land in build-fuzz/artifacts/)
#   make format        clang-format every C file in place
#   make format-check  fail if any C file is not clang-formatted
#   make clean         remove the build directories (test-env/ stays: it is a download cache)
#   make distclean     remove test-env/ too

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 10
MESON ?= meson
NINJA ?= ninja

SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
C_FILES = $(shell find src include fuzz test bench -name '*.[ch]' 2>/dev/null | sort)
# Exported for the tests: what tools/test-setup prepared (a value already in the environment wins).
TEST_ENV = set -a; if [ -f test-env/env ]; then . ./test-env/env; fi; set +a

.PHONY: all deps build run check test-env asan fuzz format format-check clean distclean

all: build

deps:
	@tools/install-deps --check >/dev/null 2>&1 || tools/install-deps

build: deps
	@[ -f $(BUILD)/build.ninja ] || $(MESON) setup $(BUILD)
	$(NINJA) -C $(BUILD)

# 'cvm check' exits 1 when a TEE is not ready: that is an answer, not a failure of 'make run'.
run: build
	@$(BUILD)/src/cvm/cvm check || [ $$? -eq 1 ]

test-env:
	tools/test-setup

check: build test-env
	$(TEST_ENV); $(MESON) test -C $(BUILD) --print-errorlogs

asan: deps
	@[ -f $(ASAN_BUILD)/build.ninja ] || \
		$(MESON) setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false
	$(NINJA) -C $(ASAN_BUILD)
	$(SANITIZER_ENV) $(MESON) test -C $(ASAN_BUILD) --print-errorlogs --suite unit --suite fuzz-regress
	$(SANITIZER_ENV) $(MESON) test -C $(ASAN_BUILD) --print-errorlogs qgsd

# Each target starts from its committed corpus (read only) and writes what it finds to build-fuzz/corpus/.
fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang $(MESON) setup $(FUZZ_BUILD) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
	$(NINJA) -C $(FUZZ_BUILD)
	@set -e; found=0; failed=; \
	for exe in $(FUZZ_BUILD)/fuzz/*-libfuzzer; do \
		[ -x "$$exe" ] || continue; \
		found=1; \
		t=$$(basename "$$exe" -libfuzzer); \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		if $(SANITIZER_ENV) "$$exe" -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
			$(FUZZ_BUILD)/corpus/$$t test/fuzz/$$t >$(FUZZ_BUILD)/artifacts/$$t.log 2>&1; then \
			grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
				$(FUZZ_BUILD)/artifacts/$$t.log | sed "s/^/fuzz: $$t: /"; \
		else \
			echo "fuzz: $$t FAILED; see $(FUZZ_BUILD)/artifacts/$$t.log:"; \
			grep -E -A30 '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written' \
				$(FUZZ_BUILD)/artifacts/$$t.log | head -n 60; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	[ "$$found" = 1 ] || { echo "fuzz: no *-libfuzzer targets in $(FUZZ_BUILD)/fuzz"; exit 1; }; \
	[ -z "$$failed" ] || { echo "fuzz: crashes in:$$failed"; exit 1; }

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run -Werror $(C_FILES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-ci-*

distclean: clean
	rm -rf test-env
