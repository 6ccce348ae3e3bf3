# PosixProcs: one entry point for building, testing, the demo and the benchmarks.
# Everything needed comes from the distribution's packages or NuGet inside these targets.

UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
  SHIM_NAME := libposixprocs.dylib
  SHIM_LDFLAGS := -dynamiclib -install_name @rpath/libposixprocs.dylib
else
  SHIM_NAME := libposixprocs.so
  SHIM_LDFLAGS := -shared
endif

CC ?= cc
CFLAGS_SHIM := -std=c11 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CONFIGURATION ?= Release
ARTIFACTS := artifacts
SHIM := $(ARTIFACTS)/native/$(SHIM_NAME)
NATIVE_SOURCES := $(wildcard native/*.c)
NATIVE_HEADERS := $(wildcard native/*.h)
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all native build test demo bench bench-quick bench-references stress clean prerequisites

all: build

# Installs the toolchain pieces only when they are missing (fresh Debian/Ubuntu machines).
prerequisites:
	@scripts/ensure-prerequisites.sh

native: $(SHIM)

$(SHIM): $(NATIVE_SOURCES) $(NATIVE_HEADERS) | prerequisites
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) $(SHIM_LDFLAGS) -o $@ $(NATIVE_SOURCES)

build: native
	$(DOTNET) build PosixProcs.sln -c $(CONFIGURATION) -nologo -v:q -clp:NoSummary
	$(DOTNET) publish src/PosixProcs.Cli/PosixProcs.Cli.csproj -c $(CONFIGURATION) --no-build -nologo -v:q -o $(ARTIFACTS)/cli
	@scripts/write-launcher.sh $(ARTIFACTS)/posixprocs cli/PosixProcs.Cli.dll

test: build
	@scripts/run-tests.sh $(CONFIGURATION)

demo: build
	$(ARTIFACTS)/posixprocs tour

# Benchmarks (never part of `make test`): the C references are compiled here, the Python
# references run from scripts/bench/python, and `posixprocs bench` runs both interleaved
# with the .NET code it measures. Results land in artifacts/bench/.
BENCH_DIR := $(ARTIFACTS)/bench
BENCH_C_SOURCES := $(wildcard scripts/bench/c/*.c)
BENCH_C_HEADERS := $(wildcard scripts/bench/c/*.h)
BENCH_C_BINARIES := $(patsubst scripts/bench/c/%.c,$(BENCH_DIR)/%,$(BENCH_C_SOURCES))
CFLAGS_BENCH := -std=c11 -O2 -Wall -Wextra -Werror

$(BENCH_DIR)/%: scripts/bench/c/%.c $(BENCH_C_HEADERS) | prerequisites
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BENCH) -o $@ $<

bench-references: $(BENCH_C_BINARIES)

BENCH_ARGS := --references $(BENCH_DIR) --scripts scripts/bench/python --output $(BENCH_DIR)

bench: build bench-references
	$(ARTIFACTS)/posixprocs bench $(BENCH_ARGS)

bench-quick: build bench-references
	$(ARTIFACTS)/posixprocs bench --quick $(BENCH_ARGS)

clean:
	rm -rf $(ARTIFACTS)
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +

# The stress harness (issue 10; never part of `make test`): every case in its own bounded
# process, under 10 minutes on 2 cores. Prints a table, writes artifacts/stress/report.json,
# exits non-zero if any case failed. STRESS_ARGS=--quick for small sizes, --only a,c,... to choose.
STRESS_DLL := tests/PosixProcs.Stress/bin/$(CONFIGURATION)/net10.0/PosixProcs.Stress.dll
STRESS_ARGS ?=

stress: native
	$(DOTNET) build tests/PosixProcs.Stress/PosixProcs.Stress.csproj -c $(CONFIGURATION) -nologo -v:q -clp:NoSummary
	$(DOTNET) publish src/PosixProcs.Cli/PosixProcs.Cli.csproj -c $(CONFIGURATION) -nologo -v:q -o $(ARTIFACTS)/cli
	@scripts/write-launcher.sh $(ARTIFACTS)/posixprocs cli/PosixProcs.Cli.dll
	$(DOTNET) $(STRESS_DLL) --output $(ARTIFACTS)/stress --cli $(ARTIFACTS)/posixprocs $(STRESS_ARGS)
