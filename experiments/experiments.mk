# The experiments of study document 001; included by the main Makefile.
#   make experiment-1 [SCALE=small|medium|production]   scheduler backend (mpi, fork-pool, threads)
#   make experiment-2 [SCALE=...]                        process-pool control: sequential fallback?
#   make experiment-3 [SCALE=...]                        the island model (experiments/experiment-3/)
#   make experiment-4 [SCALE=...]                        thread limiting: jobs x BLAS threads
#   make experiment-5 [SCALE=...|device]                 evaluate on a GPU (experiments/experiment-5/;
#                                                        without a GPU its CPU half, the report says why)
#   make experiment-N-report                             report and verdict again from the records
# Each writes results/experiment-N/report.md; REPEAT=N and WARMUP=N override the repetitions.
# What runs (grids, trials, repetitions per scale) and the verdict rule are in
# experiments/experiment-N, the scales in experiments/scales, the runner experiments/run-search
# (experiments 3 and 5: experiments/experiment-N/spec and run).

SCALE ?= small

.PHONY: experiment-1 experiment-2 experiment-3 experiment-4 experiment-5
.PHONY: experiment-1-report experiment-2-report experiment-3-report experiment-4-report experiment-5-report

experiment-1 experiment-2 experiment-4: deps
	@$(MAKE) --no-print-directory all
	@experiments/run-search $(@:experiment-%=%) $(SCALE)

experiment-1-report experiment-2-report experiment-4-report: bin/evopar
	@REPORT_ONLY=1 experiments/run-search $(@:experiment-%-report=%) $(SCALE)

# experiments 3 and 5 have runners of their own: experiments/experiment-N/run
experiment-3 experiment-5: deps
	@$(MAKE) --no-print-directory all
	@experiments/$@/run $(SCALE)

experiment-3-report experiment-5-report: bin/evopar
	@REPORT_ONLY=1 experiments/$(@:-report=)/run $(SCALE)
