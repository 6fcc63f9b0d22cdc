/*
 * The whole actor-learner system in the synchronisation study's section: per count of agents,
 * turns and epochs, sequential against the actor and learners on threads and processes under
 * each mode (speedups with paired intervals, overhead shares, checksums), then the break-even
 * epoch and agent counts beside document 002's ">1000 epochs or >20 agents", with verdicts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/sync.h"

#define MAX_REPS 1024

struct counts {
	int agents, turns, epochs;
};

static int rec_counts_are(const json_t *rec, const struct counts *k)
{
	return report_num(rec, "agents", 0) == k->agents && report_num(rec, "turns", 0) == k->turns &&
	       report_num(rec, "epochs", 0) == k->epochs;
}

static int rec_is(const json_t *rec, const struct counts *k, const char *placement, const char *mode)
{
	return rec_counts_are(rec, k) && !strcmp(report_str(rec, "placement", ""), placement) &&
	       (!mode || !strcmp(report_str(rec, "mode", ""), mode));
}

/* the sequential record paired with rec: the same file, counts and repetition */
static const json_t *sequential_of(const json_t *systems, const json_t *rec)
{
	struct counts k = { (int)report_num(rec, "agents", 0), (int)report_num(rec, "turns", 0),
			    (int)report_num(rec, "epochs", 0) };
	const json_t *x;
	size_t i;

	json_array_foreach(systems, i, x)
		if (rec_is(x, &k, "sequential", NULL) && report_num(x, "file", 0) == report_num(rec, "file", 0) &&
		    report_num(x, "rep", 0) == report_num(rec, "rep", 0))
			return x;
	return NULL;
}

/* a run's core-time: wall x the cores its workers could use */
static double core_ms(const json_t *rec, int cores)
{
	double workers = report_num(rec, "workers", 1), used = workers < cores ? workers : cores;

	return report_num(rec, "wall_ms", 0) * (used > 0 ? used : 1);
}

/* the share of a run's core-time not spent on work (acting, learning) */
static double overhead_share(const json_t *rec, int cores)
{
	double work = report_num(rec, "act_ms", 0) + report_num(rec, "learn_ms", 0);
	double core = core_ms(rec, cores);

	return core > 0 ? 1 - work / core : NAN;
}

struct series {
	double wall[MAX_REPS], seq[MAX_REPS], startup[MAX_REPS], comm[MAX_REPS], wait[MAX_REPS];
	double act[MAX_REPS], learn[MAX_REPS];
	double share[MAX_REPS], startup_share[MAX_REPS], comm_share[MAX_REPS], per_read[MAX_REPS], per_add[MAX_REPS], per_sample[MAX_REPS];
	int n, paired, same_learner, same_action;
	struct ratio_ci wall_ci, speedup;
};

static double per_op(const json_t *rec, const char *ms, const char *count)
{
	double n = report_num(rec, count, 0);

	return n > 0 ? report_num(rec, ms, 0) * 1e6 / n : NAN;
}

static void series_take(struct series *z, const json_t *systems, const json_t *rec, int cores)
{
	const json_t *sq = sequential_of(systems, rec);
	int i = z->n++;

	z->wall[i] = report_num(rec, "wall_ms", 0);
	z->startup[i] = report_num(rec, "startup_ms", 0);
	z->act[i] = report_num(rec, "act_ms", 0);
	z->learn[i] = report_num(rec, "learn_ms", 0);
	z->comm[i] = report_num(rec, "comm_ms", 0);
	z->wait[i] = report_num(rec, "actor_wait_ms", 0) + report_num(rec, "learner_wait_ms", 0);
	z->share[i] = overhead_share(rec, cores);
	/* startup keeps every core it could use from work; comm is summed over the workers */
	z->startup_share[i] = z->startup[i] / (report_num(rec, "wall_ms", 0) > 0 ? report_num(rec, "wall_ms", 0) : NAN);
	z->comm_share[i] = z->comm[i] / core_ms(rec, cores);
	z->per_read[i] = per_op(rec, "read_ms", "reads");
	z->per_add[i] = per_op(rec, "add_ms", "adds");
	z->per_sample[i] = per_op(rec, "sample_ms", "samples");
	if (!sq)
		return;
	z->seq[z->paired++] = report_num(sq, "wall_ms", 0);
	z->same_learner += !strcmp(report_str(rec, "learner_checksum", "a"), report_str(sq, "learner_checksum", "b"));
	z->same_action += !strcmp(report_str(rec, "action_checksum", "a"), report_str(sq, "action_checksum", "b"));
}

/* every run of (counts, placement, mode); the speedup against sequential paired by repetition */
static void series_of(struct series *z, const json_t *systems, const struct counts *k,
		      const char *placement, const char *mode, int cores)
{
	const json_t *rec;
	size_t i;

	memset(z, 0, sizeof(*z));
	json_array_foreach(systems, i, rec)
		if (rec_is(rec, k, placement, mode) && z->n < MAX_REPS)
			series_take(z, systems, rec, cores);
	boot_median(z->wall, z->n, BOOT_RESAMPLES, BOOT_SEED, &z->wall_ci);
	if (z->paired == z->n)
		boot_paired_ratio(z->seq, z->wall, z->n, BOOT_RESAMPLES, BOOT_SEED, &z->speedup);
	else
		boot_unpaired_ratio(z->seq, z->paired, z->wall, z->n, BOOT_RESAMPLES, BOOT_SEED, &z->speedup);
}

static double median(double *x, int n)
{
	struct sample_stats st;

	stats_compute(&st, x, n);
	return n ? st.median : NAN;
}

static void write_row(FILE *f, struct series *z, const char *placement, const char *mode)
{
	char wall[96], sp[96], a[32], b[32], c[32], d[32], e[32], g[32], h[32], share[160];
	double total = median(z->share, z->n), st = median(z->startup_share, z->n);
	double cm = median(z->comm_share, z->n), idle = total - st - cm;

	sync_fmt_ci(wall, sizeof(wall), &z->wall_ci, 1);
	fmt_ratio(a, sizeof(a), z->speedup.ratio);
	fmt_ratio(b, sizeof(b), z->speedup.lo);
	fmt_ratio(c, sizeof(c), z->speedup.hi);
	fmt_interval(sp, sizeof(sp), a, b, c, 0);
	if (!strcmp(placement, "sequential"))
		snprintf(sp, sizeof(sp), "1");
	fmt_ms(a, sizeof(a), median(z->startup, z->n));
	fmt_ms(b, sizeof(b), median(z->comm, z->n));
	fmt_ms(c, sizeof(c), median(z->wait, z->n));
	fmt_ratio(d, sizeof(d), total * 100);
	fmt_ratio(e, sizeof(e), st * 100);
	fmt_ratio(g, sizeof(g), cm * 100);
	fmt_ratio(h, sizeof(h), (idle > 0 ? idle : 0) * 100);
	snprintf(share, sizeof(share), "%s%% (%s + %s + %s)", d, e, g, h);
	fmt_ms(e, sizeof(e), median(z->per_read, z->n));
	fmt_ms(g, sizeof(g), median(z->per_add, z->n));
	fmt_ms(h, sizeof(h), median(z->per_sample, z->n));
	fprintf(f, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |", placement, mode, z->n, wall, sp, a, b, c, share);
	fmt_ms(e, sizeof(e), median(z->per_read, z->n));
	fmt_ms(g, sizeof(g), median(z->per_add, z->n));
	fmt_ms(h, sizeof(h), median(z->per_sample, z->n));
	fprintf(f, " %s / %s / %s | %d of %d | %d of %d |\n", e, g, h, z->same_learner, z->paired,
		z->same_action, z->paired);
}

/* the (placement, mode) pairs of the records, in the order they first appear */
static int configs_of(const json_t *systems, const char *out[][2], int max)
{
	const json_t *rec;
	size_t i;
	int n = 0, j;

	json_array_foreach(systems, i, rec) {
		const char *p = report_str(rec, "placement", "?"), *m = report_str(rec, "mode", "?");

		for (j = 0; j < n && (strcmp(out[j][0], p) || strcmp(out[j][1], m)); j++)
			;
		if (j == n && n < max) {
			out[n][0] = p;
			out[n++][1] = m;
		}
	}
	/* sequential first: the reference every other row is read against */
	for (j = 1; j < n; j++)
		if (!strcmp(out[j][0], "sequential")) {
			const char *t0 = out[j][0], *t1 = out[j][1];

			memmove(out[1], out[0], sizeof(out[0]) * (size_t)j);
			out[0][0] = t0;
			out[0][1] = t1;
		}
	return n;
}

/* what the work is made of, in the sequential runs: the document put learning at a third */
static void write_work_line(FILE *f, struct series *z)
{
	double act = median(z->act, z->n), learn = median(z->learn, z->n);
	char a[32], b[32], c[32];

	fmt_ms(a, sizeof(a), act);
	fmt_ms(b, sizeof(b), learn);
	fmt_ratio(c, sizeof(c), act + learn > 0 ? 100 * learn / (act + learn) : NAN);
	fprintf(f, "Sequential work: acting %s ms, learning %s ms (median), learning %s%% of the work; the "
		   "document's sequential estimate put learning at a third (10 s of 30 s).\n\n", a, b, c);
}

/* the configurations (placement, mode) of the records, and room for one series */
struct configs {
	const char *cfg[16][2];
	int n;
	struct series z;
};

static void write_counts_table(const struct sync_study *s, FILE *f, const struct counts *k,
			       struct configs *cs)
{
	struct series *z = &cs->z;
	int j;

	fprintf(f, "**%d agents x %d turns x %d epochs** (%lld actions)\n\n"
		   "| on | mode | runs | wall ms | speedup | startup ms | comm ms | wait ms | overhead share (startup + comm + idle) | "
		   "ns per read / add / sample | learners = sequential's | actions = sequential's |\n"
		   "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
		k->agents, k->turns, k->epochs, (long long)k->agents * k->turns * k->epochs);
	for (j = 0; j < cs->n; j++) {
		series_of(z, s->systems, k, cs->cfg[j][0], cs->cfg[j][1], s->cores > 0 ? s->cores : 1);
		if (z->n)
			write_row(f, z, cs->cfg[j][0], cs->cfg[j][1]);
	}
	fprintf(f, "\n");
	series_of(z, s->systems, k, "sequential", "none", 1);
	if (z->n)
		write_work_line(f, z);
}

/* the distinct counts of the records, sorted by agents, turns, epochs */
static int counts_of(const json_t *systems, struct counts *out, int max)
{
	const json_t *rec;
	size_t i;
	int n = 0, j;

	json_array_foreach(systems, i, rec) {
		struct counts k = { (int)report_num(rec, "agents", 0), (int)report_num(rec, "turns", 0),
				    (int)report_num(rec, "epochs", 0) };

		for (j = 0; j < n && memcmp(&out[j], &k, sizeof(k)); j++)
			;
		if (j < n || n == max)
			continue;
		for (j = n++; j > 0 && (out[j - 1].agents > k.agents ||
					(out[j - 1].agents == k.agents && (out[j - 1].turns > k.turns ||
					 (out[j - 1].turns == k.turns && out[j - 1].epochs > k.epochs)))); j--)
			out[j] = out[j - 1];
		out[j] = k;
	}
	return n;
}

/* --- break-even counts ---------------------------------------------------------------- */

/* one of the document's claims: multiprocessing pays only past threshold (epochs or agents) */
struct claim {
	const char *what;
	int by_agents;            /* 0: along epochs (at the base agents and turns); 1: along agents */
	int threshold;
};

static const struct claim claims[] = {
	{ "multiprocessing pays only with >1000 epochs", 0, 1000 },
	{ "multiprocessing pays only with >20 agents", 1, 20 },
};

struct point {
	int x, side;              /* the count; where its speedup interval lies against 1 */
	struct ratio_ci sp;
};

/*
 * The verdict: REFUTED when the speedup's interval lies above 1 at or below the threshold
 * (it pays sooner) or below 1 at every count past it (it never pays there); CONFIRMED when it
 * is not above 1 at or below the threshold and above 1 somewhere past it; otherwise an
 * interval holds 1 where it decides, and the grid must straddle the threshold at all.
 */
static const char *claim_verdict(const struct point *pt, int n, int threshold, const char **why)
{
	int below = 0, above = 0, pays_soon = 0, pays_late = 0, never = 1, i;

	for (i = 0; i < n; i++) {
		if (pt[i].x <= threshold) {
			below++;
			pays_soon |= pt[i].side > 0;
		} else {
			above++;
			pays_late |= pt[i].side > 0;
			never &= pt[i].side < 0;
		}
	}
	*why = "";
	if (!below || !above) {
		*why = ": the counts measured do not straddle the threshold";
		return "NOT APPLICABLE";
	}
	if (pays_soon) {
		*why = " (it pays at or below the threshold)";
		return "REFUTED";
	}
	if (pays_late)
		return "CONFIRMED";
	if (never) {
		*why = " (slower at every count past the threshold)";
		return "REFUTED";
	}
	*why = ": a speedup interval holds 1 where the rule decides";
	return "INCONCLUSIVE";
}

/* the smallest count from which on every speedup interval lies above 1; 0: none */
static int break_even(const struct point *pt, int n)
{
	int i, x = 0;

	for (i = n - 1; i >= 0 && pt[i].side > 0; i--)
		x = pt[i].x;
	return x;
}

static int on_line(const struct counts *k, const struct counts *base, int by_agents)
{
	return k->turns == base->turns &&
	       (by_agents ? k->epochs == base->epochs : k->agents == base->agents);
}

static void write_claim_row(const struct sync_study *s, FILE *f, const struct claim *c,
			    const struct counts *k, int n, const char *cfg[2], struct series *z)
{
	struct counts base = { 10, 10, 200 };
	struct point pt[64];
	char cell[96], a[32], b[32], d[32];
	const char *v, *why;
	int i, m = 0, be;

	for (i = 0; i < n && !on_line(&k[i], &base, c->by_agents); i++)
		;
	if (i == n)
		base = k[0];          /* not the document's counts: the first measured */
	fprintf(f, "| %s | %s | %s | ", c->what, cfg[0], cfg[1]);
	for (i = 0; i < n; i++) {
		if (!on_line(&k[i], &base, c->by_agents))
			continue;
		series_of(z, s->systems, &k[i], cfg[0], cfg[1], s->cores > 0 ? s->cores : 1);
		if (!z->n || m == 64)
			continue;
		pt[m] = (struct point){ c->by_agents ? k[i].agents : k[i].epochs, ratio_ci_side(&z->speedup, 1),
					z->speedup };
		fmt_ratio(a, sizeof(a), pt[m].sp.ratio);
		fmt_ratio(b, sizeof(b), pt[m].sp.lo);
		fmt_ratio(d, sizeof(d), pt[m].sp.hi);
		fmt_interval(cell, sizeof(cell), a, b, d, 0);
		fprintf(f, "%s%d: %s", m ? "; " : "", pt[m].x, cell);
		m++;
	}
	be = break_even(pt, m);
	v = claim_verdict(pt, m, c->threshold, &why);
	if (be)
		fprintf(f, " | %d | %s%s |\n", be, v, why);
	else
		fprintf(f, " | none up to %d | %s%s |\n", m ? pt[m - 1].x : 0, v, why);
}

static void write_breakeven(const struct sync_study *s, FILE *f, const struct counts *k, int n,
			    struct configs *cs)
{
	int i, j;

	fprintf(f, "### Break-even counts beside the document's \">1000 epochs or >20 agents\"\n\n"
		   "Along epochs at 10 agents x 10 turns, and along agents at 10 turns x 200 epochs (the document's "
		   "counts; the first measured where they are missing). Break-even: the smallest count from which "
		   "on every speedup interval lies above 1. Rule: **REFUTED** when the interval lies above 1 at or "
		   "below the threshold (it pays sooner) or below 1 at every count past it (it never pays there); "
		   "**CONFIRMED** when it is not above 1 at or below the threshold and above 1 somewhere past it; "
		   "**INCONCLUSIVE** when an interval holds 1 where the rule decides; **NOT APPLICABLE** when the "
		   "counts do not straddle the threshold.\n\n"
		   "| claim | on | mode | speedup at each count | break-even | verdict |\n"
		   "| --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < (int)(sizeof(claims) / sizeof(claims[0])); i++)
		for (j = 0; j < cs->n; j++)
			if (strcmp(cs->cfg[j][0], "sequential"))
				write_claim_row(s, f, &claims[i], k, n, cs->cfg[j], &cs->z);
	fprintf(f, "\n");
}

void sync_system_section(const struct sync_study *s, FILE *f)
{
	struct counts k[64];
	int n = counts_of(s->systems, k, 64), i;
	struct configs *cs = n ? malloc(sizeof(*cs)) : NULL;

	if (!cs)
		return;
	cs->n = configs_of(s->systems, cs->cfg, 16);
	fprintf(f, "### The whole system: sequential against an actor and learners\n\n"
		   "Wall ms: median [bootstrap 95%% interval] over repetitions; speedup = sequential's median / "
		   "the row's, with a paired interval (repetitions of one file as pairs). Startup: until the "
		   "last worker ran. Comm: the time in reads, adds, samples and publishes, summed over workers; "
		   "wait: in the gates (learners waiting for the actor's epoch, the actor for the ring's room). "
		   "Overhead share: of the core-time the run had (wall x the cores its workers could use), the part "
		   "not spent acting or learning (document 003's \"overhead\" against \"work\"), split into startup "
		   "(wall until the last worker ran, over wall), comm (over the core-time) and the rest: idle in the "
		   "gates, or the cores taken by others. The learners' result (their final policies) must equal the "
		   "sequential run's in every mode: they learn from a fixed choice of each epoch's experience. The "
		   "actions need not: the actor acts on whichever policy was last published, so a run on threads "
		   "or processes sees other (staler or fresher) policies than the sequential one in every mode, "
		   "and the double buffer may even copy a policy torn by two publishes.\n\n");
	for (i = 0; i < n; i++)
		write_counts_table(s, f, &k[i], cs);
	write_breakeven(s, f, k, n, cs);
	free(cs);
}
