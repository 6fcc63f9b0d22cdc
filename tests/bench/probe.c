/*
 * The per-network cost probes of `make bench-check`: a fixed workload (default config,
 * seed 42) measured probe by probe in instructions, by callgrind (run under valgrind, one
 * dump per probe) or by PAPI's PAPI_TOT_INS where the machine exposes it.
 */
#include <errno.h>
#include <papi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "engine/serial.h"
#include "engine/task.h"
#include "workload.h"

#define PROBE_GENS 10          /* generations evolved first: the pole size (8 nodes, 7 conns) is reached */
#define GROW_GENS 50           /* mutation-only generations of the grown workload */
#define ROUNDS 10              /* passes over the population per probe */
#define ERRLEN 256

enum wl_kind { WL_DYNAMIC, WL_STATIC, WL_GROWN, WL_COUNT };

/* Everything the probes work on; made once, outside any measurement. */
struct probe_ctx {
	struct workload wl[WL_COUNT];
	struct evo_config step_cfg;    /* one pole episode of one step */
	float step_states[POLE_STATE];
	uint8_t *bytes;            /* the dynamic population serialised */
	size_t *offset;            /* n + 1 offsets into bytes */
	uint8_t *wbuf;             /* serial_write's output, as large as bytes */
	struct net decoded;        /* serial_read's output, reused */
	char err[ERRLEN];
};

struct probe {
	const char *name;
	enum wl_kind kind;
	int (*reset)(struct probe_ctx *c, struct workload *w, int round);   /* not measured */
	int (*run)(struct probe_ctx *c, struct workload *w, int round);     /* measured */
};

enum meter_kind { METER_NONE, METER_CALLGRIND, METER_PAPI };

/* How instructions are counted around each probe. */
struct meter {
	enum meter_kind kind;
	int eventset;              /* PAPI */
	long long count;           /* PAPI: instructions of the current probe */
	char why[ERRLEN];          /* why PAPI is unavailable */
};

/* --- probes ------------------------------------------------------------------------ */

static int reset_restore(struct probe_ctx *c, struct workload *w, int round)
{
	(void)c;
	(void)round;
	return workload_restore(w);
}

static int reset_none(struct probe_ctx *c, struct workload *w, int round)
{
	(void)c;
	(void)w;
	(void)round;
	return 0;
}

/* restore, then mutate as the generation would: prepare then sees real dirt */
static int reset_mutated(struct probe_ctx *c, struct workload *w, int round)
{
	int rc = reset_restore(c, w, round);

	if (rc)
		return rc;
	w->pop.gen += round;
	engine_mutate_range(&w->pop, 0, w->pop.n);
	return 0;
}

static int run_mutate(struct probe_ctx *c, struct workload *w, int round)
{
	(void)c;
	w->pop.gen += round;       /* each round draws from its own streams */
	engine_mutate_range(&w->pop, 0, w->pop.n);
	return 0;
}

static int run_prepare(struct probe_ctx *c, struct workload *w, int round)
{
	(void)c;
	(void)round;
	return engine_prepare_range(&w->pop, &w->scratch, 0, w->pop.n);
}

static int run_prepare_rebuild(struct probe_ctx *c, struct workload *w, int round)
{
	int i, rc;

	(void)c;
	(void)round;
	for (i = 0; i < w->pop.n; i++) {
		rc = net_prepare(&w->pop.nets[i], 0, &w->scratch);
		if (rc)
			return rc;
	}
	return 0;
}

static int run_evaluate_step(struct probe_ctx *c, struct workload *w, int round)
{
	int i;

	(void)round;
	for (i = 0; i < w->pop.n; i++)
		w->pop.nets[i].fitness = net_evaluate(&w->pop.nets[i], w->pop.task, c->step_states,
						      &c->step_cfg, &w->scratch);
	return 0;
}

static int run_serialise(struct probe_ctx *c, struct workload *w, int round)
{
	size_t at = 0;
	int i;

	(void)round;
	for (i = 0; i < w->pop.n; i++) {
		if (at + serial_size(&w->pop.nets[i]) > c->offset[w->pop.n])
			return -EOVERFLOW;
		at += serial_write(&w->pop.nets[i], c->wbuf + at);
	}
	return 0;
}

static int run_deserialise(struct probe_ctx *c, struct workload *w, int round)
{
	size_t used;
	int i, rc;

	(void)round;
	for (i = 0; i < w->pop.n; i++) {
		rc = serial_read(&c->decoded, c->bytes + c->offset[i], c->offset[i + 1] - c->offset[i],
				 &used, c->err, sizeof(c->err));
		if (rc)
			return rc;
	}
	return 0;
}

static int run_copy(struct probe_ctx *c, struct workload *w, int round)
{
	int i, rc;

	(void)c;
	(void)round;
	for (i = 0; i < w->pop.n; i++) {
		rc = net_copy(&w->pop.next[i], &w->pop.nets[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int run_generation(struct probe_ctx *c, struct workload *w, int round)
{
	(void)c;
	w->pop.gen += round;
	return workload_generation_no_eval(w);
}

static const struct probe probes[] = {
	{ "mutate_dynamic", WL_DYNAMIC, reset_restore, run_mutate },
	{ "mutate_static", WL_STATIC, reset_restore, run_mutate },
	{ "mutate_dynamic_grown", WL_GROWN, reset_restore, run_mutate },
	{ "prepare", WL_DYNAMIC, reset_mutated, run_prepare },
	{ "prepare_rebuild", WL_DYNAMIC, reset_restore, run_prepare_rebuild },
	{ "evaluate_step", WL_DYNAMIC, reset_restore, run_evaluate_step },
	{ "serialise", WL_DYNAMIC, reset_none, run_serialise },
	{ "deserialise", WL_DYNAMIC, reset_none, run_deserialise },
	{ "resample_copy", WL_DYNAMIC, reset_restore, run_copy },
	{ "generation_no_eval", WL_DYNAMIC, reset_restore, run_generation },
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

/* --- the fixed workload ------------------------------------------------------------- */

static int serialise_population(struct probe_ctx *c, const struct population *p)
{
	size_t total = 0;
	int i;

	c->offset = calloc((size_t)p->n + 1, sizeof(*c->offset));
	if (!c->offset)
		return -ENOMEM;
	for (i = 0; i < p->n; i++) {
		c->offset[i] = total;
		total += serial_size(&p->nets[i]);
	}
	c->offset[p->n] = total;
	c->bytes = malloc(total);
	c->wbuf = malloc(total);
	if (!c->bytes || !c->wbuf)
		return -ENOMEM;
	for (i = 0; i < p->n; i++)
		serial_write(&p->nets[i], c->bytes + c->offset[i]);
	return 0;
}

/* copy targets allocated once, so the copy probe measures copies, not first allocations */
static int warm_copy_targets(struct workload *w)
{
	int i, rc;

	for (i = 0; i < w->pop.n; i++) {
		rc = net_copy(&w->pop.next[i], &w->pop.nets[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int make_workloads(struct probe_ctx *c)
{
	struct evo_config cfg;
	int k, rc;

	workload_config(&cfg, MODE_DYNAMIC);
	rc = workload_evolve(&c->wl[WL_DYNAMIC], &cfg, PROBE_GENS);
	if (!rc) {
		workload_config(&cfg, MODE_STATIC);
		rc = workload_evolve(&c->wl[WL_STATIC], &cfg, 0);
	}
	if (!rc) {
		workload_config(&cfg, MODE_DYNAMIC);
		cfg.p_add_node = 0.2;
		cfg.p_add_conn = 0.3;
		cfg.p_prune_conn = 0.0;
		cfg.p_prune_node = 0.0;
		rc = workload_grow(&c->wl[WL_GROWN], &cfg, GROW_GENS);
	}
	for (k = 0; !rc && k < WL_COUNT; k++) {
		rc = warm_copy_targets(&c->wl[k]);
		if (!rc)
			rc = workload_snapshot(&c->wl[k]);
		if (rc && !c->wl[k].err[0])
			snprintf(c->wl[k].err, sizeof(c->wl[k].err), "%s", strerror(-rc));
	}
	for (k = 0; rc && k < WL_COUNT; k++)
		if (c->wl[k].err[0])
			snprintf(c->err, sizeof(c->err), "workload: %s", c->wl[k].err);
	return rc;
}

static int probe_ctx_init(struct probe_ctx *c)
{
	const struct workload *w = &c->wl[WL_DYNAMIC];
	int rc;

	memset(c, 0, sizeof(*c));
	net_init(&c->decoded);
	rc = make_workloads(c);
	if (rc)
		return rc;
	c->step_cfg = w->cfg;
	c->step_cfg.episodes = 1;
	c->step_cfg.steps = 1;
	w->pop.task->make_states(c->step_states, &c->step_cfg, w->pop.gen);
	rc = serialise_population(c, &w->pop);
	if (rc)
		snprintf(c->err, sizeof(c->err), "serialise: out of memory");
	return rc;
}

static void probe_ctx_release(struct probe_ctx *c)
{
	int k;

	for (k = 0; k < WL_COUNT; k++)
		workload_release(&c->wl[k]);
	net_release(&c->decoded);
	free(c->bytes);
	free(c->offset);
	free(c->wbuf);
}

/* --- meters ----------------------------------------------------------------------- */

static int papi_open(struct meter *m)
{
	int rc = PAPI_library_init(PAPI_VER_CURRENT);

	m->eventset = PAPI_NULL;
	if (rc != PAPI_VER_CURRENT) {
		snprintf(m->why, sizeof(m->why), "PAPI_library_init: %s",
			 rc > 0 ? "version mismatch" : PAPI_strerror(rc));
		return -ENOTSUP;
	}
	rc = PAPI_create_eventset(&m->eventset);
	if (rc == PAPI_OK)
		rc = PAPI_add_event(m->eventset, PAPI_TOT_INS);
	if (rc == PAPI_OK)
		rc = PAPI_start(m->eventset);
	if (rc == PAPI_OK)
		rc = PAPI_stop(m->eventset, &m->count);
	if (rc != PAPI_OK) {
		snprintf(m->why, sizeof(m->why), "PAPI_TOT_INS: %s", PAPI_strerror(rc));
		/* PAPI_TOT_INS can be listed and still fail to add or start (DESIGN.md) */
		PAPI_shutdown();
		return -ENOTSUP;
	}
	return 0;
}

static int meter_open(struct meter *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	if (!strcmp(name, "callgrind")) {
		m->kind = METER_CALLGRIND;
		if (!RUNNING_ON_VALGRIND) {
			snprintf(m->why, sizeof(m->why),
				 "--meter callgrind: run me under valgrind --tool=callgrind");
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(name, "papi")) {
		m->kind = METER_PAPI;
		return papi_open(m);
	}
	if (!strcmp(name, "none"))
		return 0;
	snprintf(m->why, sizeof(m->why), "--meter: expected callgrind, papi or none, got '%s'", name);
	return -EINVAL;
}

/* After set-up: callgrind instruments from here on (set-up ran uninstrumented, fast). */
static void meter_arm(struct meter *m)
{
	if (m->kind == METER_CALLGRIND) {
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_ZERO_STATS;
	}
}

static void meter_start(struct meter *m)
{
	if (m->kind == METER_CALLGRIND)
		CALLGRIND_TOGGLE_COLLECT;
	else if (m->kind == METER_PAPI)
		PAPI_start(m->eventset);       /* which zeroes the counter */
}

static void meter_stop(struct meter *m, long long *total)
{
	long long v = 0;

	if (m->kind == METER_CALLGRIND)
		CALLGRIND_TOGGLE_COLLECT;
	else if (m->kind == METER_PAPI && PAPI_stop(m->eventset, &v) == PAPI_OK)
		*total += v;
}

/* One line per probe on stdout; under callgrind the count is in the dump it names. */
static void meter_report(struct meter *m, const char *probe, long nets, long long total)
{
	char tag[128];

	if (m->kind == METER_CALLGRIND) {
		snprintf(tag, sizeof(tag), "evopar-probe %s nets=%ld", probe, nets);
		CALLGRIND_DUMP_STATS_AT(tag);
		printf("probe %s nets %ld callgrind-dump\n", probe, nets);
	} else if (m->kind == METER_PAPI) {
		printf("probe %s nets %ld papi_tot_ins %lld\n", probe, nets, total);
	} else {
		printf("probe %s nets %ld\n", probe, nets);
	}
	fflush(stdout);
}

static void meter_close(struct meter *m)
{
	if (m->kind == METER_CALLGRIND)
		CALLGRIND_STOP_INSTRUMENTATION;
	else if (m->kind == METER_PAPI)
		PAPI_shutdown();
}

/* --- main ------------------------------------------------------------------------- */

static int run_probe(struct probe_ctx *c, const struct probe *p, struct meter *m)
{
	struct workload *w = &c->wl[p->kind];
	long long total = 0;
	int r, rc;

	for (r = 0; r < ROUNDS; r++) {
		rc = p->reset(c, w, r);
		if (rc)
			goto fail;
		meter_start(m);
		rc = p->run(c, w, r);
		meter_stop(m, &total);
		if (rc)
			goto fail;
	}
	meter_report(m, p->name, (long)ROUNDS * w->pop.n, total);
	return 0;
fail:
	fprintf(stderr, "probe: %s: %s\n", p->name, c->err[0] ? c->err : w->err[0] ? w->err : strerror(-rc));
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: probe [--meter callgrind|papi|none] [--list]\n"
		   "Run the per-network cost probes of make bench-check on a fixed workload (default\n"
		   "config, seed 42, %d generations) and print one line per probe. Under valgrind\n"
		   "--tool=callgrind --collect-atstart=no --instr-atstart=no, --meter callgrind writes\n"
		   "one dump per probe. --meter papi counts PAPI_TOT_INS; where the machine has no\n"
		   "such counter it prints 'papi unavailable: <why>' and exits 0.\n", PROBE_GENS);
}

int main(int argc, char **argv)
{
	static struct probe_ctx ctx;
	const char *meter_name = RUNNING_ON_VALGRIND ? "callgrind" : "none";
	struct meter m;
	size_t i;
	int rc;

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--meter") && i + 1 < (size_t)argc) {
			meter_name = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			for (i = 0; i < N_PROBES; i++)
				printf("%s\n", probes[i].name);
			return 0;
		} else {
			usage(strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	rc = meter_open(&m, meter_name);
	if (rc == -ENOTSUP) {
		printf("papi unavailable: %s\n", m.why);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "probe: %s\n", m.why);
		return 2;
	}
	rc = probe_ctx_init(&ctx);
	if (rc) {
		fprintf(stderr, "probe: %s\n", ctx.err);
		meter_close(&m);
		return 1;
	}
	meter_arm(&m);
	for (i = 0; !rc && i < N_PROBES; i++)
		rc = run_probe(&ctx, &probes[i], &m);
	meter_close(&m);
	probe_ctx_release(&ctx);
	return rc ? 1 : 0;
}
