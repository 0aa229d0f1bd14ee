# Makefile - wraps the README's commands. The build itself is CMake + Ninja.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 6
FUZZ_TARGETS ?=
JOBS ?= $(shell nproc)
ARGS ?=

.PHONY: all deps test-deps build asan run test test-fast bench powerloss fuzz fuzz-smoke format clean

all: build

# What building and running need; test-deps adds what the tests, bench and format need.
deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

# The Makefile's builds are the developers' and CI's: warnings are errors there (a plain
# `cmake` build, a packager's, does not stop on a newer compiler's new warnings).
$(BUILD)/build.ninja: Makefile
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKINESD_WERROR=ON

$(ASAN_BUILD)/build.ninja: Makefile
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKINESD_SANITIZE=ON \
		-DKINESD_WERROR=ON

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# Sets up and runs kinesd with its embedded local storage in ./data.
run: deps build
	$(BUILD)/kinesd $(ARGS)

# Sets up and runs every test: the release build, then the ASan+UBSan build, then each fuzz
# target briefly.
test: test-deps build asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE nosan
	scripts/fuzz --build $(FUZZ_BUILD) --seconds $(FUZZ_SMOKE_SECONDS)

# Every libFuzzer target (tests/fuzz) for FUZZ_SMOKE_SECONDS each: about a minute in all.
fuzz-smoke: test-deps
	scripts/fuzz --build $(FUZZ_BUILD) --seconds $(FUZZ_SMOKE_SECONDS)

# The long run: FUZZ_SECONDS per target (FUZZ_TARGETS: only those), one after the other.
fuzz: test-deps
	scripts/fuzz --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: test-deps build
	scripts/bench

# The long power-loss simulation (the test suite runs a short one): 300 crash states.
powerloss: build
	cd tests/integration && KINESD_BIN=../../$(BUILD)/kinesd KINESD_BUILD_DIR=../../$(BUILD) \
		POWERLOSS_STATES=$${POWERLOSS_STATES:-300} python3 -m unittest -v test_powerloss

format: test-deps
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
