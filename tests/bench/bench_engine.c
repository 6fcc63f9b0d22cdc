/*
 * Google Benchmark micro-costs of the engine, per network: mutation (dynamic, static, and a
 * grown dynamic genome), prepare (refresh and rebuild), evaluate (one pole step and a whole
 * evaluate), serialisation both ways, the resample copy, and a generation without evaluate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/serial.h"
#include "engine/task.h"
#include "gbench.h"
#include "workload.h"

/* Generations evolved before measuring: the default run's length, so the genomes have the
 * size the pole task grows them to. */
#define EVOLVE_GENS 100
#define GROW_GENS 50           /* mutation-only generations of the grown workload */
#define RESTORE_EVERY 5        /* passes between restores, so genomes cannot drift far */

enum wl_kind { WL_DYNAMIC, WL_STATIC, WL_GROWN, WL_COUNT };

struct wl_slot {
	struct workload w;
	int state;                 /* 0: not made yet, 1: ready, -1: set-up failed */
	/* for the evaluate-step, serialisation and copy benchmarks */
	struct evo_config step_cfg;    /* one episode of one step */
	float *step_states;
	uint8_t *bytes;            /* the whole population serialised */
	size_t *offset;            /* n + 1 offsets into bytes */
	uint8_t *wbuf;             /* serial_write's output */
	size_t wcap;
	struct net decoded;        /* serial_read's output, reused */
};

static struct wl_slot slots[WL_COUNT];

struct bench {
	const char *name;
	enum wl_kind kind;
	int (*pass)(struct wl_slot *s);   /* one pass over every network of the population */
	int restore_every;                /* passes between restores from the snapshot; 0: never */
	enum gbench_unit unit;
	int real_time;                    /* 1: wall clock rather than this thread's CPU time */
};

/* The grown workload: structure added by mutation alone, to show how costs scale. */
static void grown_config(struct evo_config *cfg)
{
	workload_config(cfg, MODE_DYNAMIC);
	cfg->p_add_node = 0.2;
	cfg->p_add_conn = 0.3;
	cfg->p_prune_conn = 0.0;
	cfg->p_prune_node = 0.0;
}

static int serialise_all(struct wl_slot *s)
{
	const struct population *p = &s->w.pop;
	size_t total = 0;
	int i;

	s->offset = calloc((size_t)p->n + 1, sizeof(*s->offset));
	if (!s->offset)
		return -ENOMEM;
	for (i = 0; i < p->n; i++) {
		s->offset[i] = total;
		total += serial_size(&p->nets[i]);
	}
	s->offset[p->n] = total;
	s->bytes = malloc(total);
	s->wbuf = malloc(total);
	s->wcap = total;
	if (!s->bytes || !s->wbuf)
		return -ENOMEM;
	for (i = 0; i < p->n; i++)
		serial_write(&p->nets[i], s->bytes + s->offset[i]);
	return 0;
}

static int slot_extras(struct wl_slot *s)
{
	const struct task *t = s->w.pop.task;
	int rc, i;

	s->step_cfg = s->w.cfg;
	s->step_cfg.episodes = 1;
	s->step_cfg.steps = 1;
	s->step_states = calloc((size_t)t->state_floats, sizeof(float));
	if (!s->step_states)
		return -ENOMEM;
	t->make_states(s->step_states, &s->step_cfg, s->w.pop.gen);
	rc = serialise_all(s);
	if (rc)
		return rc;
	/* warm the copy targets so the resample benchmark measures copies, not first allocations */
	for (i = 0; i < s->w.pop.n; i++) {
		rc = net_copy(&s->w.pop.next[i], &s->w.pop.nets[i]);
		if (rc)
			return rc;
	}
	net_init(&s->decoded);
	return workload_snapshot(&s->w);
}

static int slot_make(struct wl_slot *s, enum wl_kind kind)
{
	struct evo_config cfg;
	struct workload_size sz;
	int rc;

	if (kind == WL_GROWN) {
		grown_config(&cfg);
		rc = workload_grow(&s->w, &cfg, GROW_GENS);
	} else {
		workload_config(&cfg, kind == WL_STATIC ? MODE_STATIC : MODE_DYNAMIC);
		/* a static network's size is fixed by its shape: no need to evolve it */
		rc = workload_evolve(&s->w, &cfg, kind == WL_STATIC ? 0 : EVOLVE_GENS);
	}
	if (!rc)
		rc = slot_extras(s);
	if (rc) {
		if (!s->w.err[0])
			snprintf(s->w.err, sizeof(s->w.err), "set-up: %s", strerror(-rc));
		return rc;
	}
	workload_size_of(&s->w, &sz);
	fprintf(stderr, "bench: %s workload: %d networks after %d generations, "
		"mean %.2f nodes (max %u), %.2f connections or weights (max %u); set-up %.1f s\n",
		kind == WL_STATIC ? "static" : kind == WL_GROWN ? "grown dynamic" : "dynamic pole",
		s->w.pop.n, s->w.pop.gen, sz.mean_nodes, sz.max_nodes, sz.mean_conns, sz.max_conns,
		s->w.setup_s);
	return 0;
}

/* The workload of a benchmark, made on first use so that a filtered run makes only its own. */
static struct wl_slot *slot_get(enum wl_kind kind, struct gbench_state *st)
{
	struct wl_slot *s = &slots[kind];

	if (s->state == 0)
		s->state = slot_make(s, kind) ? -1 : 1;
	if (s->state < 0) {
		gbench_skip_with_error(st, s->w.err);
		return NULL;
	}
	return s;
}

static void slots_release(void)
{
	int k;

	for (k = 0; k < WL_COUNT; k++) {
		free(slots[k].step_states);
		free(slots[k].bytes);
		free(slots[k].offset);
		free(slots[k].wbuf);
		net_release(&slots[k].decoded);
		workload_release(&slots[k].w);
	}
}

/* --- one pass over the population, per benchmark ----------------------------------- */

static int pass_mutate(struct wl_slot *s)
{
	engine_mutate_range(&s->w.pop, 0, s->w.pop.n);
	s->w.pop.gen++;            /* the next pass draws from fresh streams */
	return 0;
}

static int pass_prepare_refresh(struct wl_slot *s)
{
	struct population *p = &s->w.pop;
	int i, rc;

	for (i = 0; i < p->n; i++) {
		p->nets[i].plan.weights_dirty = 1;
		rc = net_prepare(&p->nets[i], 1, &s->w.scratch);
		if (rc)
			return rc;
	}
	return 0;
}

static int pass_prepare_rebuild(struct wl_slot *s)
{
	struct population *p = &s->w.pop;
	int i, rc;

	for (i = 0; i < p->n; i++) {
		rc = net_prepare(&p->nets[i], 0, &s->w.scratch);
		if (rc)
			return rc;
	}
	return 0;
}

static int pass_evaluate_step(struct wl_slot *s)
{
	struct population *p = &s->w.pop;
	int i;

	for (i = 0; i < p->n; i++)
		p->nets[i].fitness = net_evaluate(&p->nets[i], p->task, s->step_states, &s->step_cfg,
						  &s->w.scratch);
	return 0;
}

static int pass_evaluate_whole(struct wl_slot *s)
{
	return engine_evaluate_range(&s->w.pop, &s->w.scratch, 0, s->w.pop.n);
}

static int pass_serialise(struct wl_slot *s)
{
	struct population *p = &s->w.pop;
	size_t at = 0;
	int i;

	for (i = 0; i < p->n; i++) {
		size_t need = serial_size(&p->nets[i]);

		if (at + need > s->wcap)
			return -EOVERFLOW;
		at += serial_write(&p->nets[i], s->wbuf + at);
	}
	return 0;
}

static int pass_deserialise(struct wl_slot *s)
{
	char err[128];
	size_t used;
	int i, rc;

	for (i = 0; i < s->w.pop.n; i++) {
		rc = serial_read(&s->decoded, s->bytes + s->offset[i], s->offset[i + 1] - s->offset[i],
				 &used, err, sizeof(err));
		if (rc)
			return rc;
	}
	return 0;
}

static int pass_copy(struct wl_slot *s)
{
	struct population *p = &s->w.pop;
	int i, rc;

	for (i = 0; i < p->n; i++) {
		rc = net_copy(&p->next[i], &p->nets[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int pass_generation(struct wl_slot *s)
{
	return workload_generation_no_eval(&s->w);
}

/* --- the common timing loop -------------------------------------------------------- */

static int restore_untimed(struct gbench_state *st, struct wl_slot *s)
{
	int rc;

	gbench_pause(st);
	rc = workload_restore(&s->w);
	gbench_resume(st);
	return rc;
}

/* sz: the size the genomes had when measuring began */
static void report(struct gbench_state *st, const struct wl_slot *s, int64_t passes,
		   const struct workload_size *sz)
{
	char label[96];

	gbench_set_items_processed(st, passes * s->w.pop.n);
	/* seconds per network: the library prints it with an SI prefix, e.g. 250ns */
	gbench_set_counter(st, "per_net", (double)(passes * s->w.pop.n),
			   GBENCH_COUNTER_RATE | GBENCH_COUNTER_INVERT);
	snprintf(label, sizeof(label), "%d nets, %.1f nodes, %.1f conns", s->w.pop.n,
		 sz->mean_nodes, sz->mean_conns);
	gbench_set_label(st, label);
}

static void run_passes(struct gbench_state *st, void *ctx)
{
	const struct bench *b = ctx;
	struct wl_slot *s = slot_get(b->kind, st);
	struct workload_size sz;
	int64_t passes = 0;
	int rc;

	if (!s)
		return;
	rc = workload_restore(&s->w);      /* every repetition starts from the same genomes */
	workload_size_of(&s->w, &sz);
	while (gbench_keep_running(st)) {
		if (!rc && b->restore_every && passes && passes % b->restore_every == 0)
			rc = restore_untimed(st, s);
		if (!rc)
			rc = b->pass(s);
		if (rc) {
			/* the loop ends at the next keep_running, as the library requires */
			gbench_skip_with_error(st, strerror(-rc));
			continue;
		}
		passes++;
	}
	report(st, s, passes, &sz);
}

static const struct bench benches[] = {
	{ "mutate/dynamic", WL_DYNAMIC, pass_mutate, RESTORE_EVERY, GBENCH_US, 0 },
	{ "mutate/static", WL_STATIC, pass_mutate, RESTORE_EVERY, GBENCH_US, 0 },
	{ "mutate/dynamic_grown", WL_GROWN, pass_mutate, RESTORE_EVERY, GBENCH_US, 0 },
	{ "prepare/refresh", WL_DYNAMIC, pass_prepare_refresh, 0, GBENCH_US, 0 },
	{ "prepare/rebuild", WL_DYNAMIC, pass_prepare_rebuild, 0, GBENCH_US, 0 },
	{ "prepare/rebuild_grown", WL_GROWN, pass_prepare_rebuild, 0, GBENCH_US, 0 },
	{ "evaluate/step", WL_DYNAMIC, pass_evaluate_step, 0, GBENCH_US, 0 },
	{ "evaluate/whole", WL_DYNAMIC, pass_evaluate_whole, 0, GBENCH_MS, 0 },
	{ "serial/write", WL_DYNAMIC, pass_serialise, 0, GBENCH_US, 0 },
	{ "serial/read", WL_DYNAMIC, pass_deserialise, 0, GBENCH_US, 0 },
	{ "resample/copy", WL_DYNAMIC, pass_copy, 0, GBENCH_US, 0 },
	{ "generation/no_evaluate", WL_DYNAMIC, pass_generation, RESTORE_EVERY, GBENCH_US, 0 },
};

static int register_all(void)
{
	size_t i;

	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		struct gbench *b = gbench_register(benches[i].name, run_passes, (void *)&benches[i]);

		if (!b) {
			fprintf(stderr, "bench: cannot register %s\n", benches[i].name);
			return -ENOMEM;
		}
		gbench_set_unit(b, benches[i].unit);
		if (benches[i].real_time)
			gbench_use_real_time(b);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

#ifdef EVOPAR_COMMIT
	gbench_add_context("evopar_commit", EVOPAR_COMMIT);
#endif
#ifdef EVOPAR_CFLAGS
	gbench_add_context("evopar_cflags", EVOPAR_CFLAGS);
#endif
	gbench_add_context("per_net", "each iteration is one pass over the population; "
			   "per_net = seconds per network (1 / items_per_second)");
	if (register_all())
		return 1;
	rc = gbench_main(argc, argv);
	slots_release();
	return rc;
}
