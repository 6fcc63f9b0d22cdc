# The reporting chain; included by the main Makefile.
#   make run                the main Makefile's run target ends in run-study: a small study of
#                           every strategy, results/run/report.md, the table on the terminal
#   make report DIR=D       tables.md, figures (gnuplot) and report.md from every *.jsonl in D
#   make study-mutation     study document 000: results/study-mutation/report.md, then its
#                           regime sweep (experiments/sweeps.mk): results/study-mutation/sweep/
# Knobs: RUN_REPEAT, RUN_WARMUP, RUN_WORKLOAD, RUN_AA; STUDY_REPEAT, STUDY_WARMUP.

RUN_DIR ?= results/run
RUN_REPEAT ?= 5
RUN_WARMUP ?= 1
RUN_WORKLOAD ?= --pop 200 --gens 30 --seed 42
# an A/A control (a second sequential arm) whose interval is the reports' null band; RUN_AA= drops it
RUN_AA ?= --aa
STUDY_DIR ?= results/study-mutation
STUDY_REPEAT ?= 5
STUDY_WARMUP ?= 1

.PHONY: run-study report study-mutation

# every strategy `evopar list` prints, so a new one joins without an edit here; islands needs
# its own option and runs at 2 islands; the others at 1 and 2 workers for the speedup figure
run-study: bin/evopar
	@mkdir -p $(RUN_DIR)
	@rm -f $(RUN_DIR)/*.jsonl
	@start=$$(date +%s); set --; \
	for s in $$(bin/evopar list | cut -d' ' -f1); do \
		case $$s in \
		sequential) set -- "$$@" --config "--strategy sequential";; \
		islands) set -- "$$@" --config "--strategy islands --islands 2";; \
		*) set -- "$$@" --config "--strategy $$s --workers 1" --config "--strategy $$s --workers 2";; \
		esac; \
	done; \
	echo "make run: $$(($$# / 2)) configurations$(if $(RUN_AA), and an A/A control,) x ($(RUN_WARMUP) warm-up + $(RUN_REPEAT)) runs: $(RUN_WORKLOAD)"; \
	bin/evopar bench --common="$(RUN_WORKLOAD)" "$$@" $(RUN_AA) --repeat $(RUN_REPEAT) --warmup $(RUN_WARMUP) \
		--out $(RUN_DIR)/bench.jsonl; rc=$$?; \
	[ -e $(RUN_DIR)/bench.jsonl ] || exit 1; \
	bin/evopar report $(RUN_DIR) --title "evopar: every strategy on a small workload" \
		--intro reports/run.md || exit 1; \
	cat $(RUN_DIR)/tables.md; \
	echo; echo "make run: $$(($$(date +%s) - start)) s; report: $(RUN_DIR)/report.md, figures: $(RUN_DIR)/*.png"; \
	exit $$rc

report: bin/evopar
	@if [ -z "$(DIR)" ]; then echo "make report DIR=results/...: which directory?"; exit 2; fi
	bin/evopar report $(DIR)
	@echo "report: $(DIR)/report.md"

study-mutation: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(STUDY_DIR)
	@rm -f $(STUDY_DIR)/*.jsonl
	@start=$$(date +%s); \
	bin/evopar bench --configs experiments/study-mutation $(RUN_AA) --repeat $(STUDY_REPEAT) \
		--warmup $(STUDY_WARMUP) --out $(STUDY_DIR)/bench.jsonl; rc=$$?; \
	[ -e $(STUDY_DIR)/bench.jsonl ] || exit 1; \
	bin/evopar report $(STUDY_DIR) --title "Study 000: parallel mutation of dynamic networks" \
		--intro reports/study-mutation.md --reference reports/study-mutation.ref || exit 1; \
	cat $(STUDY_DIR)/tables.md; \
	echo; echo "make study-mutation: $$(($$(date +%s) - start)) s; report: $(STUDY_DIR)/report.md"; \
	exit $$rc
	@$(MAKE) --no-print-directory study-mutation-sweep
