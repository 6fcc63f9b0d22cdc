# The README's headline and what the instruments cost; included by the main Makefile.
#   make headline              `make run`, its records copied into experiments/records/make-run/
#                              with a README.md there (machine, commit, command), then README.md's
#                              table (between its headline markers) and docs/make-run-speedup.png
#                              rewritten from those records: commit the three
#   make headline-report       the rewrite alone, from the records committed there
#   make instruments-overhead  one sequential run with the sampler and counters on and off,
#                              interleaved: results/instruments-overhead/report.md
# Knobs: the run's (RUN_REPEAT, RUN_WARMUP, RUN_WORKLOAD); OVERHEAD_REPEAT, OVERHEAD_WARMUP,
# OVERHEAD_WORKLOAD.

HEADLINE_RECORDS ?= experiments/records/make-run
OVERHEAD_DIR ?= results/instruments-overhead
OVERHEAD_REPEAT ?= 6
OVERHEAD_WARMUP ?= 1
OVERHEAD_WORKLOAD ?= --pop 500 --gens 120 --seed 1

.PHONY: headline headline-report instruments-overhead

headline: deps
	@$(MAKE) --no-print-directory run
	@experiments/headline copy $(RUN_DIR) $(HEADLINE_RECORDS) \
		"make run RUN_REPEAT=$(RUN_REPEAT) RUN_WARMUP=$(RUN_WARMUP) RUN_WORKLOAD='$(RUN_WORKLOAD)'"
	@experiments/headline rewrite $(HEADLINE_RECORDS)

headline-report: bin/evopar
	@experiments/headline rewrite $(HEADLINE_RECORDS)

# the same run twice, only the instruments apart; the report's "What the instruments cost"
instruments-overhead: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(OVERHEAD_DIR)
	@rm -f $(OVERHEAD_DIR)/*.jsonl
	@start=$$(date +%s); \
	bin/evopar bench --common="$(OVERHEAD_WORKLOAD)" \
		--config "instruments on: --strategy sequential" \
		--config "instruments off: --strategy sequential --sample-ms 0 --counters off" \
		--repeat $(OVERHEAD_REPEAT) --warmup $(OVERHEAD_WARMUP) --out $(OVERHEAD_DIR)/bench.jsonl; rc=$$?; \
	[ -e $(OVERHEAD_DIR)/bench.jsonl ] || exit 1; \
	bin/evopar report $(OVERHEAD_DIR) --title "What the instruments cost" \
		--intro reports/instruments-overhead.md || exit 1; \
	sed -n '/^### What the instruments cost/,/^`?`/p' $(OVERHEAD_DIR)/tables.md; \
	echo; echo "make instruments-overhead: $$(($$(date +%s) - start)) s; report: $(OVERHEAD_DIR)/report.md"; \
	exit $$rc
