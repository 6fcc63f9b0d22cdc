# Experiment 3 (study document 001): the island model; included by the main Makefile.
#   make experiment-3 [SCALE=small|medium|production] [REPEAT=N] [WARMUP=N]
#                             runs experiments/experiment-3/grid, writes results/experiment-3/
#   make experiment-3-report  tables, figures and report.md again from the records there
# The grid, the scales and the verdict rule: experiments/experiment-3/README.md.

EXP3_DIR ?= results/experiment-3

.PHONY: experiment-3 experiment-3-report

experiment-3: deps
	@$(MAKE) --no-print-directory all
	@start=$$(date +%s); \
	python3 experiments/experiment-3/run.py --scale $(or $(SCALE),small) --out $(EXP3_DIR) \
		$(if $(REPEAT),--repeat $(REPEAT)) $(if $(WARMUP),--warmup $(WARMUP)); rc=$$?; \
	[ -e $(EXP3_DIR)/index.jsonl ] || exit 1; \
	python3 experiments/experiment-3/report.py --out $(EXP3_DIR) || exit 1; \
	echo "make experiment-3: $$(($$(date +%s) - start)) s; report: $(EXP3_DIR)/report.md"; \
	exit $$rc

experiment-3-report:
	python3 experiments/experiment-3/report.py --out $(EXP3_DIR)
