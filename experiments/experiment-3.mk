# Experiment 3 (study document 001): the island model; included by the main Makefile.
#   make experiment-3 [SCALE=small|medium|production]   results/experiment-3/report.md
#   make experiment-3-report                            the verdict and report again from the records
# The arms, the scales: experiments/experiment-3/spec; the rule: reports/islands_verdict.c,
# stated in experiments/experiment-3/README.md.

.PHONY: experiment-3 experiment-3-report

experiment-3: deps
	@$(MAKE) --no-print-directory all
	@experiments/experiment-3/run $(SCALE)

experiment-3-report: bin/evopar
	@REPORT_ONLY=1 experiments/experiment-3/run $(SCALE)
