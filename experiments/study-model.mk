# The cost model checked (evopar advise); included by the main Makefile.
#   make study-model [MODEL_SCALE=full|small]   every within-generation strategy at 1..cores
#        workers over populations 50, 500, 5000, both modes and three evaluation lengths
#        (spin 1000, 10000, 30000), predicted by advise's probe first and then measured; the
#        search backends the same at trial level; document 004's production search projected
#        from experiments/advise/doc-004.json: results/study-model/report.md (about 15 minutes
#        on 2 cores at full; small, one population and one length, well under a minute).
# Knobs: MODEL_DIR, MODEL_SCALE, MODEL_ARGS (more options of evopar study model, e.g. --reps 5).

MODEL_DIR ?= results/study-model
MODEL_SCALE ?= full
MODEL_ARGS ?=

.PHONY: study-model

study-model: deps
	@$(MAKE) --no-print-directory all
	bin/evopar study model --scale $(MODEL_SCALE) --project experiments/advise/doc-004.json \
		--out $(MODEL_DIR)/model.jsonl --report $(MODEL_DIR)/report.md $(MODEL_ARGS)
	@echo "make study-model: $(MODEL_DIR)/report.md"
