/*
 * Experiment 3's verdict on named columns of DIR/islands.tsv, for `evopar report DIR --verdict
 * FILE --rule islands`. Every ratio is a ratio of medians over runs paired by seed (the same
 * seed and repetition in both arms) with its paired bootstrap 95% interval (reports/interval.h).
 *   RT  time to the target at equal cores: single-threads' s_to_target / islands' (> 1: the
 *       islands reach it sooner on the same cores)
 *   RG  generations to the target at equal evaluations: single's gens_to_target / islands'
 *       (> 1: the islands need fewer; < 1: worse search)
 *   SA  Alba's orthodox weak speedup: islands-1core's s_to_target / islands' (the same islands
 *       pinned to one core against all cores; only where every pinned run had one core)
 * NOT SUPPORTED when RT's or RG's interval lies below 1; SUPPORTED when RT's and SA's lie above
 * 1 (RG's then does not lie below it); INCONCLUSIVE otherwise, with the seeds it would need.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/evaluate_verdict.h"
#include "reports/interval.h"
#include "reports/islands.h"
#include "reports/report.h"

static const char *const need[] = {
	"arm", "seed", "rep", "status", "cpu_model", "cores", "affinity_cores", "load_1m", "gens",
	"islands", "migrate_every", "migrants", "wall_s", "best", "target", "gens_to_target",
	"s_to_target", "workers", "processes_max", "migrations", "top_share", "origins", "digest", NULL,
};

/* one comparison: num arm over den arm on a column, paired by seed and repetition */
struct cmp {
	const char *num, *den, *col;
	struct ratio_ci ci;
	int side;                 /* ratio_ci_side at 1 */
};

static int is_ok(const struct vtab *t, int row, const char *arm)
{
	return !strcmp(vt_str(t, row, "arm"), arm) && !strcmp(vt_str(t, row, "status"), "ok");
}

/* the row of arm with the seed and repetition of row i; -1 when none */
static int twin(const struct vtab *t, int i, const char *arm)
{
	int j;

	for (j = 0; j < t->nrow; j++)
		if (is_ok(t, j, arm) && !strcmp(vt_str(t, j, "seed"), vt_str(t, i, "seed")) &&
		    vt_num(t, j, "rep") == vt_num(t, i, "rep"))
			return j;
	return -1;
}

/* c's pairs and their interval; no pair: n 0 and no interval */
static int compare(const struct vtab *t, struct cmp *c)
{
	double *a = calloc((size_t)t->nrow + 1, sizeof(*a)), *b = calloc((size_t)t->nrow + 1, sizeof(*b));
	int i, n = 0;

	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	for (i = 0; i < t->nrow; i++) {
		int j = is_ok(t, i, c->den) ? twin(t, i, c->num) : -1;

		if (j >= 0 && vt_num(t, j, c->col) > 0 && vt_num(t, i, c->col) > 0) {
			a[n] = vt_num(t, j, c->col);
			b[n++] = vt_num(t, i, c->col);
		}
	}
	memset(&c->ci, 0, sizeof(c->ci));
	c->ci.ratio = c->ci.lo = c->ci.hi = NAN;
	if (n)
		boot_paired_ratio(a, b, n, BOOT_RESAMPLES, BOOT_SEED, &c->ci);
	c->side = ratio_ci_side(&c->ci, 1.0);
	free(a);
	free(b);
	return 0;
}

/* "1.23× [1.10–1.35], 10 pairs", or why there is none, into b[160] */
static const char *ci_text(char *b, const struct cmp *c)
{
	char m[32], l[32], h[32];

	if (!c->ci.n)
		return strcpy(b, "not measured (no pair of runs)");
	snprintf(b, 160, "%s× [%s–%s], %d pair%s", vnum(m, c->ci.ratio), vnum(l, c->ci.lo),
		 vnum(h, c->ci.hi), c->ci.n, c->ci.n == 1 ? "" : "s");
	return b;
}

/* how many pairs an interval that holds 1 would need to leave it, its arm from the ratio
   toward 1 shrinking as 1/sqrt(n), into b[160] ("" when it already lies on one side) */
static const char *more_text(char *b, const struct cmp *c)
{
	double half = c->ci.ratio < 1 ? c->ci.hi - c->ci.ratio : c->ci.ratio - c->ci.lo;
	double dist = fabs(c->ci.ratio - 1);

	b[0] = 0;
	if (c->side || !c->ci.n)
		return b;
	if (c->ci.n < 2)
		snprintf(b, 160, "; one pair draws no interval: at least two seeds are needed");
	else if (!(dist > 0))
		snprintf(b, 160, "; no number of seeds would decide it at this ratio");
	else
		snprintf(b, 160, "; about %.0f seeds would be needed to leave 1 if the spread stays as it is",
			 ceil(c->ci.n * (half / dist) * (half / dist)));
	return b;
}

static const char *side_word(int side)
{
	return side > 0 ? "lies above 1" : side < 0 ? "lies below 1" : "holds 1";
}

/* does every ok row of arm satisfy the column test? rows counted into *n */
static int all_rows(const struct vtab *t, const char *arm, int *n, int (*test)(const struct vtab *, int))
{
	int i, good = 1;

	for (i = 0, *n = 0; i < t->nrow; i++)
		if (is_ok(t, i, arm)) {
			(*n)++;
			good &= test(t, i);
		}
	return good && *n > 0;
}

static int pinned(const struct vtab *t, int i)
{
	return vt_num(t, i, "affinity_cores") == 1;
}

static int all_cores(const struct vtab *t, int i)
{
	return vt_num(t, i, "affinity_cores") == vt_num(t, i, "cores") && vt_num(t, i, "islands") ==
	       vt_num(t, i, "cores");
}

/* C1: every island ran as its own process, the coordinator beside them */
static int independent(const struct vtab *t, int i)
{
	return vt_num(t, i, "workers") == vt_num(t, i, "islands") &&
	       vt_num(t, i, "processes_max") >= vt_num(t, i, "islands") + 1;
}

/* C2: a migration record for every island at every migration generation */
static int migrated(const struct vtab *t, int i)
{
	double gens = vt_num(t, i, "gens"), every = vt_num(t, i, "migrate_every");
	double k = vt_num(t, i, "islands");

	return every > 0 && vt_num(t, i, "migrants") > 0 &&
	       vt_num(t, i, "migrations") == k * floor(gens / every);
}

/* C3: no island of origin holds the whole final population */
static int diverse(const struct vtab *t, int i)
{
	return vt_num(t, i, "top_share") < 1;
}

/* the verdict section: the word, then each ratio of the rule and what it says */
static const char *verdict(FILE *f, struct cmp *rt, struct cmp *rg, struct cmp *sa, int pin_ok)
{
	const char *word = rt->side < 0 || rg->side < 0 ? "NOT SUPPORTED" :
			   rt->side > 0 && sa->side > 0 ? "SUPPORTED" : "INCONCLUSIVE";
	char b[160], m[160];

	fprintf(f, "## Verdict\n\n**Verdict: %s** (the rule of `reports/islands_verdict.c`, stated in "
		   "`experiments/experiment-3/README.md`; ratios of medians paired by seed, percentile "
		   "bootstrap 95%% intervals of %d resamples).\n\n", word, BOOT_RESAMPLES);
	fprintf(f, "- **RT, time to the target on the same cores** (`single-threads` ÷ `islands`, "
		   "wall seconds until the first generation at or above the target): %s; the interval "
		   "%s%s.\n", ci_text(b, rt), side_word(rt->side), more_text(m, rt));
	fprintf(f, "- **RG, generations to the target at equal evaluations** (`single` ÷ `islands`; "
		   "below 1 is a worse search): %s; the interval %s.\n", ci_text(b, rg), side_word(rg->side));
	if (pin_ok)
		fprintf(f, "- **SA, Alba's orthodox weak speedup** (the same islands pinned to one core "
			   "÷ on all cores, time to the target): %s; the interval %s%s.\n", ci_text(b, sa),
			side_word(sa->side), more_text(m, sa));
	else
		fprintf(f, "- **SA, Alba's orthodox weak speedup: not measured**: not every "
			   "`islands-1core` run had one core in its affinity mask.\n");
	fprintf(f, "\nNOT SUPPORTED when RT's or RG's interval lies below 1; SUPPORTED when RT's "
		   "and SA's lie above 1; INCONCLUSIVE otherwise.\n\n");
	return word;
}

/* the median, min and max of an arm's ok rows' column, into b[128] */
static const char *arm_stat(char *b, const struct vtab *t, const char *arm, const char *col)
{
	double *v = calloc((size_t)t->nrow + 1, sizeof(*v));
	struct sample_stats s;
	int i, n = 0;

	strcpy(b, "-");
	for (i = 0; v && i < t->nrow; i++)
		if (is_ok(t, i, arm) && isfinite(vt_num(t, i, col)))
			v[n++] = vt_num(t, i, col);
	if (n) {
		stats_compute(&s, v, n);
		vrng(b, s.median, s.min, s.max);
	}
	free(v);
	return b;
}

static void arms_table(FILE *f, const struct vtab *t)
{
	static const char *const arms[] = { ARM_SINGLE, ARM_THREADS, ARM_ISLANDS, ARM_ONE_CORE, ARM_NOMIG };
	char b[5][128], target[32];
	size_t a;
	int n;

	fprintf(f, "### Each arm (median [min–max] over seeds)\n\n| arm | runs | wall s | generations "
		   "to the target | s to the target | best fitness | processes at most |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (a = 0; a < sizeof(arms) / sizeof(arms[0]); a++) {
		all_rows(t, arms[a], &n, pinned);
		fprintf(f, "| `%s` | %d | %s | %s | %s | %s | %s |\n", arms[a], n,
			arm_stat(b[0], t, arms[a], "wall_s"), arm_stat(b[1], t, arms[a], "gens_to_target"),
			arm_stat(b[2], t, arms[a], "s_to_target"), arm_stat(b[3], t, arms[a], "best"),
			arm_stat(b[4], t, arms[a], "processes_max"));
	}
	fprintf(f, "\nThe target, %s, is the lowest best fitness any run ended with, so every run of "
		   "every arm reached it. `single-threads` evolves `single`'s population and "
		   "`islands-1core` `islands`' (compare the digests below); the islands evolve other "
		   "populations than one population does: a **different computation** (other networks, "
		   "other episode lengths), so their wall time is not a speedup of `single`'s and no "
		   "figure draws it against an ideal line.\n\n", vnum(target, t->nrow ? vt_num(t, 0, "target") : NAN));
}

/* the ratios reported beside the rule */
static int beside(FILE *f, const struct vtab *t)
{
	struct cmp c[] = {
		{ .num = ARM_AA, .den = ARM_SINGLE, .col = "s_to_target" },
		{ .num = ARM_SINGLE, .den = ARM_THREADS, .col = "wall_s" },
		{ .num = ARM_ONE_CORE, .den = ARM_ISLANDS, .col = "wall_s" },
		{ .num = ARM_THREADS, .den = ARM_ISLANDS, .col = "wall_s" },
		{ .num = ARM_NOMIG, .den = ARM_ISLANDS, .col = "gens_to_target" },
		{ .num = ARM_NOMIG, .den = ARM_ISLANDS, .col = "s_to_target" },
	};
	static const char *const what[] = {
		"A/A control, the same sequential runs again: the null band (ratios inside it are noise at this load)",
		"speedup of one population on every core (threads; the same computation)",
		"the islands' own speedup, pinned to one core ÷ all cores, whole run",
		"wall time, one population on every core ÷ the islands (different computation, not a speedup)",
		"migration's effect: generations to the target without ÷ with migration",
		"migration's effect: seconds to the target without ÷ with migration",
	};
	char b[160];
	size_t i;

	fprintf(f, "### Beside the rule\n\n| ratio | paired ratio of medians [95%% CI] |\n| --- | --- |\n");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (compare(t, &c[i]))
			return -ENOMEM;
		fprintf(f, "| %s (`%s` ÷ `%s`, %s) | %s |\n", what[i], c[i].num, c[i].den, c[i].col,
			ci_text(b, &c[i]));
	}
	fprintf(f, "\n");
	return 0;
}

/* the twins: arms that must evolve the same population end with the same digest */
static void twins(FILE *f, const struct vtab *t, const char *a, const char *b)
{
	int i, n = 0, same = 0;

	for (i = 0; i < t->nrow; i++) {
		int j = is_ok(t, i, a) ? twin(t, i, b) : -1;

		if (j >= 0) {
			n++;
			same += !strcmp(vt_str(t, i, "digest"), vt_str(t, j, "digest"));
		}
	}
	fprintf(f, "- `%s` and `%s` end with the same digest in %d of %d seeds.\n", a, b, same, n);
}

static void criteria(FILE *f, const struct vtab *t)
{
	int n1, n2, n3, np, na, c1 = all_rows(t, ARM_ISLANDS, &n1, independent);
	int c2 = all_rows(t, ARM_ISLANDS, &n2, migrated), c3 = all_rows(t, ARM_ISLANDS, &n3, diverse);
	int p1 = all_rows(t, ARM_ONE_CORE, &np, pinned), pa = all_rows(t, ARM_ISLANDS, &na, all_cores);

	fprintf(f, "### The study's success criteria and the set-up, as checked\n\n| | check | runs | met |\n"
		   "| --- | --- | ---: | --- |\n");
	fprintf(f, "| C1 | all islands ran independently: `workers` = islands and at least islands + 1 "
		   "processes (the coordinator) | %d | %s |\n", n1, c1 ? "yes" : "**no**");
	fprintf(f, "| C2 | periodic migration: a `migration` record for every island at every migration "
		   "generation | %d | %s |\n", n2, c2 ? "yes" : "**no**");
	fprintf(f, "| C3 | diversity: no island of origin holds the whole final population | %d | %s |\n",
		n3, c3 ? "yes" : "**no**");
	fprintf(f, "| equal resources | `islands`: as many islands as cores, every core in the affinity "
		   "mask | %d | %s |\n", na, pa ? "yes" : "**no**");
	fprintf(f, "| pinned | `islands-1core`: one core in the affinity mask | %d | %s |\n\n", np,
		p1 ? "yes" : "**no**");
	twins(f, t, ARM_SINGLE, ARM_THREADS);
	twins(f, t, ARM_SINGLE, ARM_AA);
	twins(f, t, ARM_ISLANDS, ARM_ONE_CORE);
	fprintf(f, "\nThe criteria say whether the island model worked, not whether it scaled: they "
		   "are not part of the verdict.\n\n");
}

/* the machine as the runs' meta records saw it */
static void machine(FILE *f, const struct vtab *t)
{
	char b[128];
	int i, busy = 0, n = 0;

	for (i = 0; i < t->nrow; i++) {
		n++;
		busy += vt_num(t, i, "load_1m") > vt_num(t, i, "cores");
	}
	fprintf(f, "### Machine\n\n%s, %s online cores; load average (1 min) as the runs started "
		   "(median [min–max]): %s%s\n\n", n ? vt_str(t, 0, "cpu_model") : "-",
		n ? vt_str(t, 0, "cores") : "-",
		arm_stat(b, t, ARM_ISLANDS, "load_1m"),
		busy * 2 > n ? " — **busy**: more runnable work than cores, so the times are noisy" : "");
}

static int write_part(FILE *f, const void *ctx)
{
	const struct vtab *t = ctx;
	struct cmp rt = { .num = ARM_THREADS, .den = ARM_ISLANDS, .col = "s_to_target" };
	struct cmp rg = { .num = ARM_SINGLE, .den = ARM_ISLANDS, .col = "gens_to_target" };
	struct cmp sa = { .num = ARM_ONE_CORE, .den = ARM_ISLANDS, .col = "s_to_target" };
	int n, pin_ok = all_rows(t, ARM_ONE_CORE, &n, pinned);

	if (compare(t, &rt) || compare(t, &rg) || compare(t, &sa))
		return -ENOMEM;
	if (!pin_ok)
		sa.side = 0;
	verdict(f, &rt, &rg, &sa, pin_ok);
	arms_table(f, t);
	if (beside(f, t))
		return -ENOMEM;
	criteria(f, t);
	machine(f, t);
	return 0;
}

/* the table, every column the rule reads there: a missing one is an error naming it */
static int load_table(struct report *r, struct vtab *t)
{
	static const char *const none[] = { NULL };
	const char *const *c;
	int i, rc = vtab_load(r, "islands.tsv", none, t);

	if (rc)
		return rc;
	if (!t->head) {
		snprintf(r->err, sizeof(r->err), "%s/islands.tsv: missing or empty (no bench.jsonl to "
			 "make it from)", r->dir);
		return -EINVAL;
	}
	for (c = need; *c; c++) {
		for (i = 0; i < t->ncol && strcmp(t->head[i], *c); i++)
			;
		if (i == t->ncol) {
			snprintf(r->err, sizeof(r->err), "%s/islands.tsv: no column '%s' (experiment 3's "
				 "rule reads it by name)", r->dir, *c);
			return -EINVAL;
		}
	}
	return 0;
}

int islands_verdict_write(struct report *r)
{
	char path[4200];
	struct vtab t = { 0 };
	FILE *probe;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/bench.jsonl", r->dir);
	probe = fopen(path, "r");
	if (probe) {
		fclose(probe);
		rc = islands_tsv_write(r);
	}
	if (!rc)
		rc = load_table(r, &t);
	if (rc)
		goto free_tab;
	rc = islands_write_file(r, r->o.verdict, "--verdict ", write_part, &t);
free_tab:
	vtab_free(&t);
	return rc;
}
