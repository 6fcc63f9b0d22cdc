/*
 * A whole evolution in the calling thread, with no records: what one trial of a
 * hyperparameter search runs. The same phases in the same order as `evopar run` under the
 * sequential strategy, so the same config and seed reach the same population.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"

int engine_evolve(const struct evo_config *cfg, struct evolve_result *res, char *err, size_t errlen)
{
	return engine_evolve_with(cfg, NULL, res, err, errlen);
}

int engine_evolve_with(const struct evo_config *cfg, const struct evolve_hooks *hooks,
		       struct evolve_result *res, char *err, size_t errlen)
{
	struct population p;
	struct scratch s;
	char why[ENGINE_ERRLEN] = "";
	int rc, i;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	rc = population_init(&p, cfg, err, errlen);
	if (rc)
		return rc;
	for (p.gen = 0; p.gen < cfg->gens; p.gen++) {
		float best = 0.0f;

		population_begin_generation(&p);
		engine_mutate_range(&p, 0, p.n);
		rc = engine_prepare_range(&p, &s, 0, p.n);
		if (!rc)
			rc = hooks ? hooks->evaluate(hooks->ctx, &p, why, sizeof(why)) :
			     engine_evaluate_range(&p, &s, 0, p.n);
		if (rc)
			break;
		for (i = 0; i < p.n; i++)
			if (p.nets[i].fitness > best)
				best = p.nets[i].fitness;
		res->final_best = best;
		if (best > res->best)
			res->best = best;
		engine_select(&p);
		rc = engine_build_children(&p, 0, p.n);
		if (rc)
			break;
		population_swap(&p);
		res->gens_done++;
	}
	if (rc)
		snprintf(err, errlen, "generation %d: %s", p.gen, why[0] ? why : strerror(-rc));
	else
		res->digest = population_digest(&p);
	population_release(&p);
	scratch_release(&s);
	return rc;
}
