# Study document 003 (start, pools, threads, chunks against the work per item); included by
# the main Makefile.
#   make study-startup [SCALE=small]   results/study-startup/report.md (about 5 minutes)
# Knobs: STARTUP_SPINS (--spin values), STARTUP_POPS, STARTUP_REPEAT, STARTUP_WARMUP,
# STARTUP_DIR. What runs is experiments/study-startup, the runner experiments/sweep-run.

STARTUP_DIR ?= results/study-startup
STARTUP_SPINS ?= 100 1000 10000 100000 1000000 10000000
STARTUP_POPS ?= 16 128
STARTUP_REPEAT ?= 5
STARTUP_WARMUP ?= 1

.PHONY: study-startup study-startup-report

study-startup: deps
	@$(MAKE) --no-print-directory all
	@CONFIGS=experiments/study-startup DIR="$(STARTUP_DIR)" KNOB=spin VALUES="$(STARTUP_SPINS)" \
		POPS="$(STARTUP_POPS)" COMMON="--mode dynamic --task spin --seed 1" UNIT_NS=2 \
		REPEAT="$(STARTUP_REPEAT)" WARMUP="$(STARTUP_WARMUP)" SWEEP=startup \
		TITLE="Study: start, pools, threads and chunks against the work per item" \
		INTRO=experiments/study-startup.md experiments/sweep-run

study-startup-report: bin/evopar
	@bin/evopar report "$(STARTUP_DIR)" --sweep startup --intro experiments/study-startup.md \
		--title "Study: start, pools, threads and chunks against the work per item"
