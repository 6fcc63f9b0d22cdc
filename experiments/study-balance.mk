# The balanced-load study; included by the main Makefile.
#   make study-balance   speedup, share of capacity and imbalance against chunk size and
#                        assignment rule: results/study-balance/report.md (about 25 minutes on 2 cores)
# Knobs: BALANCE_POPS, BALANCE_SEEDS, BALANCE_GENS, BALANCE_REPEAT, BALANCE_WARMUP,
# BALANCE_WORKERS, BALANCE_DIR. What runs is experiments/study-balance, the runner
# experiments/study-balance-run.

BALANCE_DIR ?= results/study-balance
BALANCE_POPS ?= 200 500
BALANCE_SEEDS ?= 1 2 3 4 5
BALANCE_GENS ?= 60
BALANCE_REPEAT ?= 3
BALANCE_WARMUP ?= 0
BALANCE_WORKERS ?= 2

.PHONY: study-balance

study-balance: deps
	@$(MAKE) --no-print-directory all
	@DIR="$(BALANCE_DIR)" POPS="$(BALANCE_POPS)" SEEDS="$(BALANCE_SEEDS)" GENS="$(BALANCE_GENS)" \
		REPEAT="$(BALANCE_REPEAT)" WARMUP="$(BALANCE_WARMUP)" WORKERS="$(BALANCE_WORKERS)" \
		experiments/study-balance-run
