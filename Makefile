# evopar: build, deps, test, run, bench. `make help` lists the targets.
#
# Set-up on a fresh Debian machine is two commands: `make run` and `make test`; both
# install what is missing first (the deps target) through apt-get.

CC ?= cc
CXX ?= c++
PKG_CONFIG ?= pkg-config
SANITIZE ?=
V ?= 0

PKGS := openblas papi jansson ompi-c
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

OPT ?= -O2
WARN := -Wall -Wextra -Wstrict-prototypes -Werror
CFLAGS ?= $(OPT) -g
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -I. $(WARN) -MMD -MP -pthread
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
LDLIBS := -lm -pthread

ifneq ($(SANITIZE),)
BUILD := build/san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD := build/obj
SAN_FLAGS :=
endif

ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

ifeq ($(V),0)
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
say =
endif

# the rooms, lowest first (DESIGN.md: arrows point down only)
ENGINE_SRC := $(wildcard engine/*.c)
PROC_SRC := $(wildcard proc/*.c)
STRATEGY_SRC := $(wildcard strategies/*.c strategies/common/*.c)
HARNESS_SRC := $(wildcard harness/*.c harness/*/*.c)
REPORT_SRC := $(wildcard reports/*.c)
STUDY_SRC := $(wildcard studies/*.c)

# --- the CUDA path (gpu/) -----------------------------------------------------------
# Built where nvcc is found (PATH, then /usr/local/cuda/bin); `make NVCC=` leaves it out.
# Without it gpu/none.c stands in and `--device cuda` exits 2 saying why. The sanitizer
# build leaves it out too: the CUDA runtime maps memory where ASan keeps its shadow.
comma := ,
NVCC ?= $(or $(shell command -v nvcc 2>/dev/null),$(wildcard /usr/local/cuda/bin/nvcc))
CUDA_ARCH ?= 80 90
ifneq ($(SANITIZE),)
GPU_NONE_REASON := a sanitizer build
else ifeq ($(NVCC),)
GPU_NONE_REASON := nvcc not found
endif
ifeq ($(GPU_NONE_REASON),)
CUDA_HOME := $(patsubst %/bin/nvcc,%,$(NVCC))
CUDA_LIBDIR := $(firstword $(wildcard $(CUDA_HOME)/lib64 $(CUDA_HOME)/lib))
CUDA_LIBS := $(if $(CUDA_LIBDIR),-L$(CUDA_LIBDIR) -Wl$(comma)-rpath$(comma)$(CUDA_LIBDIR)) -lcudart -lstdc++
NVCC_WERROR ?= ,-Werror
NVCC_FLAGS := -O3 -std=c++17 -D_GNU_SOURCE -I. --fmad=false -MMD -MP -Xcompiler -Wall,-Wextra$(NVCC_WERROR) \
	$(foreach a,$(CUDA_ARCH),-gencode arch=compute_$(a),code=sm_$(a)) \
	-gencode arch=compute_$(lastword $(CUDA_ARCH)),code=compute_$(lastword $(CUDA_ARCH))
GPU_SRC := gpu/pack.c
GPU_OBJ := $(BUILD)/gpu/eval.o
GPU_SAYS := CUDA path: built with $(NVCC) (sm $(CUDA_ARCH))
else
GPU_SRC := gpu/pack.c gpu/none.c
GPU_SAYS := CUDA path: not built ($(GPU_NONE_REASON)); --device cuda will exit 2
endif
ifeq ($(MAKELEVEL),0)
ifneq ($(filter-out clean help,$(or $(MAKECMDGOALS),all)),)
$(info make: $(GPU_SAYS))
endif
endif

LIB_SRC := $(ENGINE_SRC) $(PROC_SRC) $(STRATEGY_SRC) $(HARNESS_SRC) $(STUDY_SRC) $(REPORT_SRC) $(GPU_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(GPU_OBJ)
LIB := $(BUILD)/libevopar.a

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit-tests asan-tests cli-tests readme-check bench clean help install
.DEFAULT_GOAL := all

# the man page and the bash completion, written by evopar from its option tables
MAN_PAGE := build/evopar.1
COMPLETION := build/evopar.bash
PREFIX ?= /usr/local

all: bin/evopar $(MAN_PAGE) $(COMPLETION)

help:
	@echo "make run         install what is missing, build, a small study of every strategy (results/run/report.md)"
	@echo "make report DIR=D  tables, figures and report.md from the *.jsonl records in D"
	@echo "make study-mutation  study document 000: results/study-mutation/report.md (a few minutes)"
	@echo "make experiment-5 [SCALE=...]  the evaluate phase on a GPU vs one and all cores (CPU half without a GPU)"
	@echo "make study-sync [SCALE=...]  study document 002, synchronisation per operation and in the actor-learner: results/study-sync/report.md"
	@echo "make study-model [MODEL_SCALE=small]  evopar advise's cost model predicted, then measured: results/study-model/report.md (about 15 minutes)"
	@echo "make study-balance   balanced load against the machine's capacity: results/study-balance/report.md (a few minutes)"
	@echo "make headline    make run, its records into experiments/records/make-run/, README's table and figure from them"
	@echo "make instruments-overhead  the same sequential run with the sampler and counters on and off"
	@echo "make test        install, build with -Werror, unit + integration + sanitizer tests, readme-check"
	@echo "make readme-check  run every command block of README.md as written, in a scratch copy of the tree"
	@echo "make bench       Google Benchmark micro-costs (per-network mutate, prepare, evaluate)"
	@echo "make bench-check instruction counts per network vs tests/bench/baseline.json (CI gate)"
	@echo "make bench-baseline rewrite tests/bench/baseline.json from this tree (commit it, say why)"
	@echo "make bench-compare A=old.json B=new.json  compare two make bench results"
	@echo "make deps        apt-get install only what pkg-config / command -v do not find"
	@echo "make install [PREFIX=/usr/local]  the binary, the man page and the bash completion"
	@echo "make clean       remove bin/ and build/"

# --- dependencies -------------------------------------------------------------------
# pkg-config name or command, and the Debian package that provides it
DEP_PC := openblas:libopenblas-dev papi:libpapi-dev jansson:libjansson-dev cmocka:libcmocka-dev \
	benchmark:libbenchmark-dev ompi-c:libopenmpi-dev
DEP_CMD := gnuplot:gnuplot-nox mpirun:openmpi-bin valgrind:valgrind c++:g++ pkg-config:pkg-config \
	jq:jq python3:python3 pgrep:procps timeout:coreutils ip:iproute2 nsenter:util-linux \
	unshare:util-linux setpriv:util-linux

# numpy for the tests of evopar watch, for Debian's python3 (another python3 may come first on PATH)
DEB_PYTHON3 := $(firstword $(wildcard /usr/bin/python3) python3)

deps:
	@missing=""; \
	for d in $(DEP_CMD); do command -v $${d%%:*} >/dev/null 2>&1 || missing="$$missing $${d#*:}"; done; \
	for d in $(DEP_PC); do $(PKG_CONFIG) --exists $${d%%:*} 2>/dev/null || missing="$$missing $${d#*:}"; done; \
	$(PKG_CONFIG) --exists openblas 2>/dev/null || missing="$$missing libopenblas0-pthread"; \
	$(DEB_PYTHON3) -c 'import numpy' 2>/dev/null || missing="$$missing python3-numpy"; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends $$missing; \
	fi

# --- build --------------------------------------------------------------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# meta.c records the commit and flags it was built with; rebuild it when they change
$(BUILD)/build-id: FORCE
	@mkdir -p $(dir $@)
	@echo '$(COMMIT) $(CC) $(CFLAGS) $(SAN_FLAGS)' | cmp -s - $@ || echo '$(COMMIT) $(CC) $(CFLAGS) $(SAN_FLAGS)' > $@
$(BUILD)/harness/records/meta.o $(BUILD)/harness/options.o: $(BUILD)/build-id

# which GPU path the library holds; a change rebuilds the archive (and none.o's message)
$(BUILD)/gpu-id: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GPU_SAYS)' | cmp -s - $@ || echo '$(GPU_SAYS)' > $@
$(BUILD)/gpu/none.o: $(BUILD)/gpu-id
$(BUILD)/gpu/none.o: ALL_CFLAGS += -DGPU_NONE_REASON='"$(GPU_NONE_REASON)"'
$(BUILD)/gpu/%.o: gpu/%.cu
	@mkdir -p $(dir $@)
	$(call say,NVCC,$<)$(NVCC) $(NVCC_FLAGS) -c -o $@ $<
$(BUILD)/harness/options.o: ALL_CFLAGS += -DEVOPAR_COMMIT='"$(COMMIT)"'
$(BUILD)/harness/records/meta.o: ALL_CFLAGS += -DEVOPAR_COMMIT='"$(COMMIT)"' \
	-DEVOPAR_CFLAGS='"$(BASE_CFLAGS) $(CFLAGS) $(SAN_FLAGS)"'
FORCE:

$(LIB): $(LIB_OBJ) $(BUILD)/gpu-id
	@rm -f $@   # a member whose source is gone must not linger in the archive
	$(call say,AR,$@)$(AR) rcs $@ $(LIB_OBJ)

bin/evopar: $(BUILD)/evopar.o $(LIB)
	@mkdir -p bin
	$(call say,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CUDA_LIBS) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $< $(LIB) \
		$(ALL_LDFLAGS) $(shell $(PKG_CONFIG) --libs cmocka) $(PKG_LIBS) $(CUDA_LIBS) $(LDLIBS)

$(MAN_PAGE): bin/evopar
	$(call say,GEN,$@)bin/evopar help --man >$@.tmp && mv $@.tmp $@
$(COMPLETION): bin/evopar
	$(call say,GEN,$@)bin/evopar help --completion >$@.tmp && mv $@.tmp $@

install: bin/evopar $(MAN_PAGE) $(COMPLETION)
	install -D -m 755 bin/evopar $(DESTDIR)$(PREFIX)/bin/evopar
	install -D -m 644 $(MAN_PAGE) $(DESTDIR)$(PREFIX)/share/man/man1/evopar.1
	install -D -m 644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/evopar

# --- run ----------------------------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory run-study

# --- tests --------------------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory all unit-tests cli-tests readme-check
	@$(MAKE) --no-print-directory asan-tests
	@$(MAKE) --no-print-directory bench-check

unit-tests: $(TEST_BIN)
	@tests/run-tests.sh $(TEST_BIN)

cli-tests: bin/evopar
	@tests/run-tests.sh tests/cli/test_*.sh

# every command block of the README, as a new user would type it (tests/readme-check/readme-check.sh)
readme-check: bin/evopar
	@tests/readme-check/readme-check.sh README.md

asan-tests:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined OPT=-O1 \
		$(TEST_SRC:tests/%.c=build/san/tests/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-tests.sh $(TEST_SRC:tests/%.c=build/san/tests/%)

clean:
	rm -rf bin build

-include $(shell find build -name '*.d' 2>/dev/null)

# benchmarks and the instruction-count regression gate live beside their sources
-include tests/bench/bench.mk
-include reports/reports.mk
-include experiments/experiments.mk
-include experiments/study-balance.mk
-include experiments/sweeps.mk
-include experiments/study-sync.mk
-include experiments/study-model.mk
-include experiments/headline.mk
