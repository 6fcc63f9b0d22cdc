# Experiment 5 (study document 001): the evaluate phase on a GPU; included by the main Makefile.
#   make experiment-5 [SCALE=small|medium|production|device]   results/experiment-5/report.md
#   make experiment-5-report                                   report and verdict again from the records
# Without a GPU (or a CUDA build) it runs the CPU half and the report says why the GPU half did
# not run. The grid: experiments/experiment-5/spec; the rules: reports/evaluate_verdict.c;
# on a GPU machine, experiments/experiment-5/device-run.sh runs it all in one go.

.PHONY: experiment-5 experiment-5-report

experiment-5: deps
	@$(MAKE) --no-print-directory all
	@experiments/experiment-5/run $(SCALE)

experiment-5-report: bin/evopar
	@REPORT_ONLY=1 experiments/experiment-5/run $(SCALE)
