# The sweep studies, each a bench file per work size and a report --sweep; included by the
# main Makefile. The runner is experiments/sweep-run.
#   make study-startup [SCALE=small|medium|production]   (5, 10 or 20 repetitions)
#                               document 003: fork or spawn, pool per call or kept, threads or
#                               processes, chunk size against the work per item (experiments/
#                               study-startup): results/study-startup/report.md (about 5 minutes)
#   make study-mutation-sweep   document 000's regime: parallel mutation against the genome
#                               size (experiments/study-mutation-sweep): results/study-mutation/
#                               sweep/report.md; make study-mutation runs it after its table
# Knobs: STARTUP_SPINS (--spin values), STARTUP_POPS, STARTUP_REPEAT, STARTUP_WARMUP,
# STARTUP_DIR; SWEEP_HIDDEN (--init-hidden values), SWEEP_POP, SWEEP_REPEAT, SWEEP_WARMUP, SWEEP_DIR.

STARTUP_DIR ?= results/study-startup
STARTUP_SPINS ?= 100 1000 10000 100000 1000000 10000000
STARTUP_POPS ?= 16 128
# repetitions by scale: small (the default) under 10 minutes on 2 cores
SCALE ?= small
SCALE_REPEAT = $(if $(filter medium,$(SCALE)),10,$(if $(filter production,$(SCALE)),20,5))
STARTUP_REPEAT ?= $(SCALE_REPEAT)
STARTUP_WARMUP ?= 1
STARTUP_TITLE = Study: start, pools, threads and chunks against the work per item
SWEEP_DIR ?= results/study-mutation/sweep
SWEEP_HIDDEN ?= 0 10 30 100 300 1000
SWEEP_POP ?= 200
SWEEP_REPEAT ?= $(SCALE_REPEAT)
SWEEP_WARMUP ?= 1
SWEEP_TITLE = Study 000's regime: parallel mutation against the genome size

.PHONY: study-startup study-startup-report study-mutation-sweep study-mutation-sweep-report

study-startup: deps
	@$(MAKE) --no-print-directory all
	@CONFIGS=experiments/study-startup DIR="$(STARTUP_DIR)" KNOB=spin VALUES="$(STARTUP_SPINS)" \
		POPS="$(STARTUP_POPS)" COMMON="--mode dynamic --task spin --seed 1" UNIT_NS=2 \
		REPEAT="$(STARTUP_REPEAT)" WARMUP="$(STARTUP_WARMUP)" SWEEP=startup \
		TITLE="$(STARTUP_TITLE)" INTRO=experiments/study-startup.md experiments/sweep-run

study-startup-report: bin/evopar
	@bin/evopar report "$(STARTUP_DIR)" --sweep startup --intro experiments/study-startup.md \
		--title "$(STARTUP_TITLE)"

study-mutation-sweep: deps
	@$(MAKE) --no-print-directory all
	@CONFIGS=experiments/study-mutation-sweep DIR="$(SWEEP_DIR)" KNOB=init-hidden \
		VALUES="$(SWEEP_HIDDEN)" POPS="$(SWEEP_POP)" UNIT_NS=300 BUDGET_MS=300 MAX_GENS=20 \
		COMMON="--mode dynamic --task spin --spin 0 --seed 42" \
		REPEAT="$(SWEEP_REPEAT)" WARMUP="$(SWEEP_WARMUP)" SWEEP=mutation \
		TITLE="$(SWEEP_TITLE)" INTRO=experiments/study-mutation-sweep.md experiments/sweep-run

study-mutation-sweep-report: bin/evopar
	@bin/evopar report "$(SWEEP_DIR)" --sweep mutation --intro experiments/study-mutation-sweep.md \
		--title "$(SWEEP_TITLE)"
