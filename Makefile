# PosixProcs: one entry point for building, testing, the demo and the benchmarks.
# Everything needed comes from the distribution's packages or NuGet inside these targets.

# The C shim is built per runtime identifier (RID), into artifacts/native/RID/, the layout
# NuGet packs as runtimes/RID/native/. On Linux x86-64 the linux-arm64 shim is cross-compiled
# too (Debian's gcc-aarch64-linux-gnu), so the packages carry both Linux machines. macOS
# shims are built by `make` on a Mac (osx-arm64 or osx-x64, the Mac's own machine).
UNAME_S := $(shell uname -s)
UNAME_M := $(shell uname -m)
ifeq ($(UNAME_S),Darwin)
  SHIM_NAME := libposixprocs.dylib
  SHIM_LDFLAGS := -dynamiclib -install_name @rpath/libposixprocs.dylib
  HOST_RID := osx-$(if $(filter arm64 aarch64,$(UNAME_M)),arm64,x64)
  CROSS_RIDS :=
else
  SHIM_NAME := libposixprocs.so
  SHIM_LDFLAGS := -shared
  HOST_RID := linux-$(if $(filter arm64 aarch64,$(UNAME_M)),arm64,x64)
  CROSS_RIDS := $(if $(filter linux-x64,$(HOST_RID)),linux-arm64,)
endif
CC_linux-arm64 := aarch64-linux-gnu-gcc

CC ?= cc
CC_$(HOST_RID) = $(CC)
CFLAGS_SHIM := -std=c11 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CONFIGURATION ?= Release
ARTIFACTS := artifacts
SHIM := $(ARTIFACTS)/native/$(HOST_RID)/$(SHIM_NAME)
CROSS_SHIMS := $(foreach rid,$(CROSS_RIDS),$(ARTIFACTS)/native/$(rid)/$(SHIM_NAME))
# The container init is a program of its own (PID 1 must not carry a runtime), per RID too.
INIT := $(ARTIFACTS)/native/$(HOST_RID)/posixprocs-init
CROSS_INITS := $(foreach rid,$(CROSS_RIDS),$(ARTIFACTS)/native/$(rid)/posixprocs-init)
CFLAGS_INIT := -std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
NATIVE_SOURCES := $(wildcard native/*.c)
NATIVE_HEADERS := $(wildcard native/*.h)
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all native check-native pack package-test build test demo bench bench-quick bench-references stress clean prerequisites

all: build

# Installs the toolchain pieces only when they are missing (fresh Debian/Ubuntu machines).
prerequisites:
	@scripts/ensure-prerequisites.sh

native: $(SHIM) $(CROSS_SHIMS) $(INIT) $(CROSS_INITS)

$(ARTIFACTS)/native/%/posixprocs-init: native/init/posixprocs-init.c | prerequisites
	@mkdir -p $(dir $@)
	$(CC_$*) $(CFLAGS_INIT) -o $@ $<

$(SHIM): $(NATIVE_SOURCES) $(NATIVE_HEADERS) | prerequisites
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SHIM) $(SHIM_LDFLAGS) -o $@ $(NATIVE_SOURCES)

# Cross-compiled shims: the same sources and flags, so the ABI static asserts in
# native/pp_abi.c are checked for that machine's C ABI too (they cannot be run here).
$(ARTIFACTS)/native/%/$(SHIM_NAME): $(NATIVE_SOURCES) $(NATIVE_HEADERS) | prerequisites
	@mkdir -p $(dir $@)
	$(CC_$*) $(CFLAGS_SHIM) $(SHIM_LDFLAGS) -o $@ $(NATIVE_SOURCES)

# Proves each shim is built for the machine its folder names (readelf / file on macOS).
check-native: native
	@scripts/check-native.sh $(ARTIFACTS)/native

# The posixprocs program in artifacts/ is published ReadyToRun for this machine: the fork
# switches turn tiered compilation off, so without precompiled code every method is JIT-compiled
# fully optimised at first call, and a command spent 0.20 s of CPU starting (0.06 s with it).
# It is still framework-dependent; the NuGet tool stays portable (JIT-compiled).
CLI_PUBLISH := -c $(CONFIGURATION) -r $(HOST_RID) --self-contained false -p:PublishReadyToRun=true -nologo -v:q -o $(ARTIFACTS)/cli

build: native
	$(DOTNET) build PosixProcs.sln -c $(CONFIGURATION) -nologo -v:q -clp:NoSummary
	$(DOTNET) publish src/PosixProcs.Cli/PosixProcs.Cli.csproj $(CLI_PUBLISH)
	@scripts/write-launcher.sh $(ARTIFACTS)/posixprocs cli/PosixProcs.Cli.dll

# The libraries and the posixprocs tool as NuGet packages (+ .snupkg symbols), in artifacts/packages.
PACKAGES := $(ARTIFACTS)/packages
pack: build check-native
	rm -rf $(PACKAGES)
	$(DOTNET) pack PosixProcs.sln -c $(CONFIGURATION) --no-build -nologo -v:q -clp:NoSummary -p:ContinuousIntegrationBuild=true

# A clean consumer app builds and runs from the packages alone (part of `make test`).
package-test: pack
	@scripts/package-test.sh

test: pack
	@scripts/run-tests.sh $(CONFIGURATION)

demo: build
	$(ARTIFACTS)/posixprocs tour

# Benchmarks (never part of `make test`): the C references are compiled here, the Python
# references run from scripts/bench/python, and `posixprocs bench` runs both interleaved
# with the .NET code it measures. Results land in artifacts/bench/.
BENCH_DIR := $(ARTIFACTS)/bench
BENCH_C_SOURCES := $(wildcard scripts/bench/c/*.c)
BENCH_C_HEADERS := $(wildcard scripts/bench/c/*.h)
CFLAGS_BENCH := -std=c11 -O2 -Wall -Wextra -Werror
# One set per machine, like the shim: the posixprocs tool carries them (bench/c/RID/) and
# finds them next to itself wherever it is installed.
BENCH_REFERENCES := $(ARTIFACTS)/bench-references
BENCH_RIDS := $(HOST_RID) $(CROSS_RIDS)
BENCH_C_BINARIES := $(foreach rid,$(BENCH_RIDS),$(patsubst scripts/bench/c/%.c,$(BENCH_REFERENCES)/$(rid)/%,$(BENCH_C_SOURCES)))

define BENCH_REFERENCE_RULE
$(BENCH_REFERENCES)/$(1)/%: scripts/bench/c/%.c $(BENCH_C_HEADERS) | prerequisites
	@mkdir -p $$(dir $$@)
	$$(CC_$(1)) $(CFLAGS_BENCH) -o $$@ $$<
endef
$(foreach rid,$(BENCH_RIDS),$(eval $(call BENCH_REFERENCE_RULE,$(rid))))

bench-references: $(BENCH_C_BINARIES)

BENCH_ARGS := --references $(BENCH_REFERENCES)/$(HOST_RID) --scripts scripts/bench/python --output $(BENCH_DIR)

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
	$(DOTNET) publish src/PosixProcs.Cli/PosixProcs.Cli.csproj $(CLI_PUBLISH)
	@scripts/write-launcher.sh $(ARTIFACTS)/posixprocs cli/PosixProcs.Cli.dll
	$(DOTNET) $(STRESS_DLL) --output $(ARTIFACTS)/stress --cli $(ARTIFACTS)/posixprocs $(STRESS_ARGS)
