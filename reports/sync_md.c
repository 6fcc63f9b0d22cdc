/*
 * The synchronisation study's section of report.md: each primitive beside this machine's
 * floor for it, every operation per mode and contention, and document 002's estimates per
 * operation against ours with a verdict by a stated rule; then the system (sync_runs.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/report.h"
#include "reports/sync.h"

/* a primitive the modes are built of, and the floor it is set beside */
struct primitive {
	const char *what, *op, *mode, *floor, *floor_what;
};

static const struct primitive primitives[] = {
	{ "policy lock: lock + unlock of a process-shared mutex", "lock", "locked", "mutex", "a private mutex, one thread" },
	{ "double buffer: the atomic index swap", "swap", "double", "xchg", "an atomic exchange, one thread" },
	{ "gate wake across cores (learners wait for the actor in a futex)", "wake", "futex", "wake", "a futex ping-pong, two pinned threads" },
};

static void write_primitives(const struct sync_study *s, FILE *f)
{
	static const char *const places[] = { "threads", "processes" };
	size_t i, k;
	char ours[96], fl[96], r[32];

	fprintf(f, "### Each primitive beside this machine's floor for it\n\n"
		   "Uncontended (one worker; two for a wake), measured in the same run as the floors. Cells: "
		   "median ns per operation [bootstrap 95%% interval].\n\n"
		   "| primitive | on | ours, ns | floor | floor, ns | ours / floor | within 2x |\n"
		   "| --- | --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++)
		for (k = 0; k < 2; k++) {
			const struct primitive *p = &primitives[i];
			const struct sync_cell *c = sync_find(s, p->op, p->mode, places[k], !strcmp(p->op, "wake") ? 2 : 1);
			const struct sync_cell *fc = sync_find(s, "floor", p->floor, "-", 1);
			double ratio = c && fc ? c->ci.ratio / fc->ci.ratio : NAN;

			if (!c && !fc)
				continue;
			if (c)
				sync_fmt_ci(ours, sizeof(ours), &c->ci, 1);
			if (fc)
				sync_fmt_ci(fl, sizeof(fl), &fc->ci, 1);
			fmt_ratio(r, sizeof(r), ratio);
			fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", p->what, places[k], c ? ours : "-",
				p->floor_what, fc ? fl : "not measured", r,
				!isfinite(ratio) ? "-" : ratio <= 2 ? "yes" : "no");
		}
	fprintf(f, "\n");
}

static void write_op_row(const struct sync_study *s, FILE *f, const struct sync_cell *first, int most)
{
	char cell[96];
	int n;

	fprintf(f, "| %s | %s | %s |", first->op, first->mode, first->placement);
	for (n = 1; n <= most; n++) {
		const struct sync_cell *c = sync_find(s, first->op, first->mode, first->placement, n);

		if (c)
			sync_fmt_ci(cell, sizeof(cell), &c->ci, 1);
		fprintf(f, " %s |", c ? cell : "");
	}
	fprintf(f, "\n");
}

/* is cell i the first of its (op, mode, placement)? */
static int first_of_row(const struct sync_study *s, int i)
{
	const struct sync_cell *c = &s->cells[i];
	int j;

	for (j = 0; j < i; j++)
		if (!strcmp(s->cells[j].op, c->op) && !strcmp(s->cells[j].mode, c->mode) &&
		    !strcmp(s->cells[j].placement, c->placement))
			return 0;
	return 1;
}

static void write_ops(const struct sync_study *s, FILE *f)
{
	int i, n, most = 0;

	for (i = 0; i < s->n_cells; i++)
		if (strcmp(s->cells[i].op, "floor") && s->cells[i].readers > most)
			most = s->cells[i].readers;
	fprintf(f, "### Every operation, uncontended and contended\n\n"
		   "Median ns per operation [bootstrap 95%% interval] with N workers at the object at once. "
		   "With N > 1 worker 0 does the writing side (a publish against reads, an add against samples, "
		   "the producer of a queue) and the others are measured, or worker 0 is measured against "
		   "readers (publish, add); all lock at once for `lock`. `read` copies the whole policy.\n\n"
		   "| op | mode | on |");
	for (n = 1; n <= most; n++)
		fprintf(f, " N=%d |", n);
	fprintf(f, "\n| --- | --- | --- |");
	for (n = 1; n <= most; n++)
		fprintf(f, " --- |");
	fprintf(f, "\n");
	for (i = 0; i < s->n_cells; i++)
		if (strcmp(s->cells[i].op, "floor") && first_of_row(s, i))
			write_op_row(s, f, &s->cells[i], most);
	fprintf(f, "\n");
}

/* one of document 002's overhead sources and what of ours answers it */
struct estimate {
	const char *source, *ops;
	double lo_ms, hi_ms;      /* the document's time per operation */
	const char *op, *mode;    /* ours: NULL where there is no counterpart */
	double per;               /* our operations in one of theirs (2 locks in one add: 0.5) */
	const char *why_na;
};

static const struct estimate estimates[] = {
	{ "model lock on every action (`snapshot`)", "20,000", 0.1, 1, "read", "locked", 1, NULL },
	{ "buffer write locks (two per experience)", "40,000", 0.05, 0.5, "add", "locked", 0.5, NULL },
	{ "buffer read lock (one per sample)", "~1,000", 0.05, 0.5, "sample", "locked", 1, NULL },
	{ "process creation", "11", 50, 200, "spawn", "fork", 1, NULL },
	{ "queue operations (metrics)", "200", 0.01, 0.1, "queue", "pipe", 1, NULL },
	{ "shared memory access (a policy copy from the mapping)", "~100,000", 0.001, 0.01, "read", "double", 1, NULL },
	{ "model/memory switching", "80,000", 0.01, 0.1, NULL, NULL, 1,
	  "Python attribute assignments; in C the actor calls with a pointer, there is nothing to switch" },
};

/* CONFIRMED when our interval meets the document's range, REFUTED when it lies wholly
   outside it; no interval (one sample) or no counterpart: NOT APPLICABLE */
static const char *estimate_verdict(const struct ratio_ci *ms, double lo, double hi, const char **how)
{
	*how = "";
	if (!ms->resamples)
		return "NOT APPLICABLE";
	if (ms->hi < lo) {
		*how = " (cheaper)";
		return "REFUTED";
	}
	if (ms->lo > hi) {
		*how = " (dearer)";
		return "REFUTED";
	}
	return "CONFIRMED";
}

static void write_estimate(const struct sync_study *s, FILE *f, const struct estimate *e)
{
	int most = e->op ? sync_most_readers(s, e->op, e->mode, "processes") : 0;
	const struct sync_cell *c = most ? sync_find(s, e->op, e->mode, "processes", most) : NULL;
	struct ratio_ci ms;
	char ours[96], r1[32], r2[32];
	const char *how, *v;

	if (!c) {
		fprintf(f, "| %s | %s | %g–%g | - | - | NOT APPLICABLE: %s |\n", e->source, e->ops, e->lo_ms,
			e->hi_ms, e->why_na ? e->why_na : "not measured in these records");
		return;
	}
	ms = c->ci;
	ms.ratio *= e->per * 1e-6;
	ms.lo *= e->per * 1e-6;
	ms.hi *= e->per * 1e-6;
	sync_fmt_ci(ours, sizeof(ours), &ms, 1);
	fmt_ratio(r1, sizeof(r1), ms.ratio / e->hi_ms);
	fmt_ratio(r2, sizeof(r2), ms.ratio / e->lo_ms);
	v = estimate_verdict(&ms, e->lo_ms, e->hi_ms, &how);
	fprintf(f, "| %s | %s | %g–%g | %s (`%s` %s, N=%d) | %s–%s | %s%s |\n", e->source, e->ops,
		e->lo_ms, e->hi_ms, ours, e->op, e->mode, most, r1, r2, v, how);
}

static void write_estimates(const struct sync_study *s, FILE *f)
{
	size_t i;

	fprintf(f, "### Document 002's estimates per operation against ours\n\n"
		   "Ours: on processes (the document's system), at the most workers measured, the dearest "
		   "setting, so that a cheaper-than-estimated verdict does not come from the easy case; ms per "
		   "operation, median [bootstrap 95%% interval]. Rule: **CONFIRMED** when our interval meets the "
		   "document's range, **REFUTED** when it lies wholly below (cheaper) or above (dearer) it, "
		   "**NOT APPLICABLE** when there is no counterpart or no interval.\n\n"
		   "| source of overhead | operations (doc) | doc, ms per op | ours, ms per op | ours / doc | verdict |\n"
		   "| --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < sizeof(estimates) / sizeof(estimates[0]); i++)
		write_estimate(s, f, &estimates[i]);
	fprintf(f, "\n");
}

void report_sync_section(const struct report *r, FILE *f)
{
	const struct sync_study *s = r->sync;

	if (!s)
		return;
	fprintf(f, "## Synchronisation: document 002's actor-learner\n\n"
		   "%d `evopar study sync` file%s; %d core%s; CPU %s.", s->files, s->files == 1 ? "" : "s",
		s->cores, s->cores == 1 ? "" : "s", report_str(s->meta, "cpu_model", "?"));
	if (s->failed)
		fprintf(f, " **%d file%s did not end ok**: what follows is partial.", s->failed,
			s->failed == 1 ? "" : "s");
	if (s->load_max >= s->cores && s->cores > 0)
		fprintf(f, " **A busy machine**: a study file started at a load average of %.1f on %d cores, so "
			   "times are inflated and spread, and workers on threads or processes may get a larger "
			   "share of the shared cores than one sequential thread (a speedup above the core count "
			   "says so). Run again on a quiet machine before drawing conclusions.", s->load_max, s->cores);
	fprintf(f, "\n\n");
	write_primitives(s, f);
	write_ops(s, f);
	write_estimates(s, f);
	sync_system_section(s, f);
}
