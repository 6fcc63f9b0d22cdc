# The synchronisation study (document 002); included by the main Makefile.
#   make study-sync [SCALE=small|medium|production]   lock per operation vs double buffer,
#        seqlock and atomic ring, per operation and in the actor-learner system, with the
#        document's estimates and break-even counts: results/study-sync/report.md
# Knobs: SYNC_DIR, SYNC_EPOCHS, SYNC_AGENTS, SYNC_REPS, SYNC_BATCHES, SYNC_READERS (0: the
# cores). The document's counts (10 agents x 10 turns x 200 epochs) run with the operations;
# the epoch series runs at 10 agents, the agent series at 200 epochs, each past the document's
# thresholds (1000 epochs, 20 agents) so that its verdict can go either way. What runs is
# experiments/study-sync-run.

SYNC_DIR ?= results/study-sync
ifeq ($(SCALE),production)
SYNC_EPOCHS ?= 500 1000 2000 20000
SYNC_AGENTS ?= 20 40 100 200
SYNC_REPS ?= 10
SYNC_BATCHES ?= 400
else ifeq ($(SCALE),medium)
SYNC_EPOCHS ?= 500 1000 2000 5000
SYNC_AGENTS ?= 20 40 100
SYNC_REPS ?= 7
SYNC_BATCHES ?= 200
else
SYNC_EPOCHS ?= 500 2000
SYNC_AGENTS ?= 20 40
SYNC_REPS ?= 5
SYNC_BATCHES ?= 100
endif
SYNC_READERS ?= 0

.PHONY: study-sync

study-sync: deps
	@$(MAKE) --no-print-directory all
	@DIR="$(SYNC_DIR)" EPOCHS="$(SYNC_EPOCHS)" AGENTS="$(SYNC_AGENTS)" REPS="$(SYNC_REPS)" \
		BATCHES="$(SYNC_BATCHES)" READERS="$(SYNC_READERS)" experiments/study-sync-run
