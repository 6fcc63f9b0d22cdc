# Benchmarks and the instruction-count regression gate; included by the main Makefile.
#   make bench          Google Benchmark micro-costs, table on the terminal, JSON to results/bench/
#   make bench-check    instructions per network per probe (callgrind) against baseline.json
#   make bench-baseline rewrite tests/bench/baseline.json from this tree
#   make bench-compare A=old.json B=new.json

BENCH_SRC_DIR := tests/bench
BENCH_OBJ := $(BUILD)/tests/bench
BENCH_BIN := $(BENCH_OBJ)/bench_engine
PROBE_BIN := $(BENCH_OBJ)/probe
CHECK_BIN := $(BENCH_OBJ)/bench_check
BENCH_BASELINE ?= $(BENCH_SRC_DIR)/baseline.json
BENCH_RESULTS ?= results/bench
CG_DIR := $(BENCH_OBJ)/callgrind

# make bench knobs: repetitions (every one in the JSON, for compare.py's U test; the terminal shows the aggregates), seconds per repetition, a name filter
BENCH_REPS ?= 5
BENCH_MIN_TIME ?= 0.2
BENCH_FILTER ?= .
BENCH_ARGS ?=

GBENCH_CFLAGS = $(shell $(PKG_CONFIG) --cflags benchmark 2>/dev/null)
GBENCH_LIBS = $(shell $(PKG_CONFIG) --libs benchmark 2>/dev/null)
BENCH_CXXFLAGS = -std=c++17 $(OPT) -g -Wall -Wextra -Werror -MMD -MP -pthread $(GBENCH_CFLAGS)

# what the gate records beside its counts, and warns about when they differ from the baseline
BENCH_CC_ID = $(shell $(CC) --version 2>/dev/null | head -n 1)
BENCH_FLAGS_ID = $(BASE_CFLAGS) $(CFLAGS)
BENCH_CPU_ID = $(shell sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
BENCH_VG_ID = $(shell valgrind --version 2>/dev/null)
CALLGRIND := OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind --instr-atstart=no \
	--collect-atstart=no -q \
	--callgrind-out-file=$(CG_DIR)/callgrind.out

.PHONY: bench bench-run bench-check bench-check-run bench-baseline bench-baseline-run bench-probe-run \
	bench-compare bench-compare-run bench-build bench-no-sanitize bench-repeatable

bench-no-sanitize:
ifneq ($(SANITIZE),)
	@echo "bench: run without SANITIZE (the gate measures the -O2 -g build)"; exit 2
endif

# --- build ----------------------------------------------------------------------------
# The benchmarks measure the engine alone: they link its objects, not all of $(LIB), so a
# strategy or harness change can neither break nor move them.
BENCH_COMMON_OBJ := $(BENCH_OBJ)/workload.o $(ENGINE_SRC:%.c=$(BUILD)/%.o)

$(BENCH_OBJ)/bench_engine.o: $(BUILD)/build-id
$(BENCH_OBJ)/bench_engine.o: ALL_CFLAGS += -DEVOPAR_COMMIT='"$(COMMIT)"' \
	-DEVOPAR_CFLAGS='"$(BASE_CFLAGS) $(CFLAGS)"'

$(BENCH_OBJ)/gbench_shim.o: $(BENCH_SRC_DIR)/gbench_shim.cc
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)$(CXX) $(BENCH_CXXFLAGS) -c -o $@ $<

$(BENCH_BIN): $(BENCH_OBJ)/bench_engine.o $(BENCH_OBJ)/gbench_shim.o $(BENCH_COMMON_OBJ)
	$(call say,LINK,$@)$(CXX) $(ALL_LDFLAGS) -o $@ $^ $(GBENCH_LIBS) $(PKG_LIBS) $(LDLIBS)

$(PROBE_BIN): $(BENCH_OBJ)/probe.o $(BENCH_COMMON_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(CHECK_BIN): $(BENCH_OBJ)/bench_check.o $(BENCH_OBJ)/bench_json.o
	$(call say,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

bench-build: bench-no-sanitize $(BENCH_BIN) $(PROBE_BIN) $(CHECK_BIN)

# --- make bench: Google Benchmark, table on the terminal, JSON in results/bench/ ------
bench: deps
	@$(MAKE) --no-print-directory bench-run
	@$(MAKE) --no-print-directory bench-dispatch-run

bench-run: bench-no-sanitize $(BENCH_BIN)
	@mkdir -p $(BENCH_RESULTS)
	@out=$(BENCH_RESULTS)/bench-$$(date +%Y%m%d-%H%M%S).json; \
	$(BENCH_BIN) --benchmark_repetitions=$(BENCH_REPS) --benchmark_display_aggregates_only=true \
		--benchmark_min_time=$(BENCH_MIN_TIME) --benchmark_filter='$(BENCH_FILTER)' \
		--benchmark_out=$$out --benchmark_out_format=json $(BENCH_ARGS) && \
	cp $$out $(BENCH_RESULTS)/latest.json.tmp && mv $(BENCH_RESULTS)/latest.json.tmp $(BENCH_RESULTS)/latest.json && \
	echo "bench: JSON written to $$out and $(BENCH_RESULTS)/latest.json"

# --- make bench-check: instructions per network against the committed baseline ---------
BENCH_IDENT = --commit '$(COMMIT)' --compiler '$(BENCH_CC_ID)' --cflags '$(BENCH_FLAGS_ID)' \
	--cpu '$(BENCH_CPU_ID)' --valgrind '$(BENCH_VG_ID)'

# the probes once under callgrind (one dump per probe) and once natively for PAPI
bench-probe-run: bench-no-sanitize $(PROBE_BIN)
	@command -v valgrind >/dev/null 2>&1 || { echo "bench-check: valgrind is not installed (make deps installs it)"; exit 2; }
	@rm -rf $(CG_DIR) && mkdir -p $(CG_DIR)
	$(call say,PROBE,callgrind)$(CALLGRIND) $(PROBE_BIN) --meter callgrind > $(CG_DIR)/probe.txt
	$(call say,PROBE,papi)$(PROBE_BIN) --meter papi > $(CG_DIR)/papi.txt

bench-check: deps
	@$(MAKE) --no-print-directory bench-check-run

bench-check-run: bench-probe-run $(CHECK_BIN)
	@$(CHECK_BIN) --dumps $(CG_DIR) --papi $(CG_DIR)/papi.txt --baseline $(BENCH_BASELINE) $(BENCH_IDENT)

bench-baseline: deps
	@$(MAKE) --no-print-directory bench-baseline-run

bench-baseline-run: bench-probe-run $(CHECK_BIN)
	@$(CHECK_BIN) --write --dumps $(CG_DIR) --papi $(CG_DIR)/papi.txt --baseline $(BENCH_BASELINE) $(BENCH_IDENT)

# the gate's promise: two runs on an unchanged tree count the same instructions
bench-repeatable: bench-no-sanitize $(PROBE_BIN)
	@for k in 1 2; do \
		rm -rf $(CG_DIR) && mkdir -p $(CG_DIR) && \
		$(CALLGRIND) $(PROBE_BIN) --meter callgrind > /dev/null && \
		grep -h -e '^desc: Trigger' -e '^totals' $(CG_DIR)/callgrind.out.* > $(CG_DIR)-run$$k.txt || exit 1; \
	done; \
	if cmp -s $(CG_DIR)-run1.txt $(CG_DIR)-run2.txt; then \
		echo "bench-repeatable: two runs, identical counts for $$(grep -c '^totals' $(CG_DIR)-run1.txt) probes"; \
	else \
		echo "bench-repeatable: the counts differ between two runs:"; diff $(CG_DIR)-run1.txt $(CG_DIR)-run2.txt; exit 1; \
	fi

# --- make bench-compare A=old.json B=new.json ---------------------------------------------
# evopar compare on two make bench files: every repetition of each benchmark, the ratio B/A of
# the medians with its bootstrap interval and a verdict. BENCH_COMPARE_ARGS: e.g. --metric cpu,
# --fail-above 5 (exit 1 on a regression beyond 5%), --json.
BENCH_COMPARE_ARGS ?=

bench-compare: deps
	@$(MAKE) --no-print-directory bench-compare-run

bench-compare-run: bin/evopar
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "usage: make bench-compare A=old.json B=new.json"; exit 2; }
	@bin/evopar compare "$(A)" "$(B)" $(BENCH_COMPARE_ARGS)

# --- make bench, second part: dispatch costs (bench_dispatch.c) ---------------------------
# The cost of moving work to a worker and back, beside this machine's floors, in one Google
# Benchmark run. Unlike bench_engine it measures the strategies' plumbing, so it links their
# objects too (not the harness's); the spawn start execs bin/evopar. Its JSON goes to its own
# files, so a filter that selects only one of the two binaries leaves the other's alone.
DISPATCH_BIN := $(BENCH_OBJ)/bench_dispatch

.PHONY: bench-dispatch-run

$(BENCH_OBJ)/bench_dispatch.o: $(BUILD)/build-id
$(BENCH_OBJ)/bench_dispatch.o: ALL_CFLAGS += -DEVOPAR_COMMIT='"$(COMMIT)"' \
	-DEVOPAR_CFLAGS='"$(BASE_CFLAGS) $(CFLAGS)"' -DEVOPAR_BIN='"$(abspath bin/evopar)"'

DISPATCH_OBJ := $(addprefix $(BENCH_OBJ)/,bench_dispatch.o dispatch_common.o dispatch_floors.o dispatch_procs.o)

$(DISPATCH_BIN): $(DISPATCH_OBJ) $(BENCH_OBJ)/gbench_shim.o $(BENCH_COMMON_OBJ) \
		$(PROC_SRC:%.c=$(BUILD)/%.o) $(STRATEGY_SRC:%.c=$(BUILD)/%.o)
	$(call say,LINK,$@)$(CXX) $(ALL_LDFLAGS) -o $@ $^ $(GBENCH_LIBS) $(PKG_LIBS) $(LDLIBS)

bench-build: $(DISPATCH_BIN)

# runs only when the filter selects one of its benchmarks
bench-dispatch-run: bench-no-sanitize $(DISPATCH_BIN) bin/evopar
	@mkdir -p $(BENCH_RESULTS)
	@if [ -z "$$($(DISPATCH_BIN) --benchmark_list_tests=true --benchmark_filter='$(BENCH_FILTER)' 2>/dev/null)" ]; then \
		echo "bench: no dispatch benchmark matches '$(BENCH_FILTER)'"; exit 0; \
	fi; \
	out=$(BENCH_RESULTS)/dispatch-$$(date +%Y%m%d-%H%M%S).json; \
	$(DISPATCH_BIN) --benchmark_repetitions=$(BENCH_REPS) --benchmark_display_aggregates_only=true \
		--benchmark_min_time=$(BENCH_MIN_TIME) --benchmark_filter='$(BENCH_FILTER)' \
		--benchmark_out=$$out --benchmark_out_format=json $(BENCH_ARGS) && \
	cp $$out $(BENCH_RESULTS)/latest-dispatch.json.tmp && \
	mv $(BENCH_RESULTS)/latest-dispatch.json.tmp $(BENCH_RESULTS)/latest-dispatch.json && \
	echo "bench: JSON written to $$out and $(BENCH_RESULTS)/latest-dispatch.json"
