/*
 * The rules of experiments 1, 2 and 4 (study document 001's trial-search hypotheses) on named
 * columns of searches.tsv, and the verdict section each prints. Every comparison of two searches
 * is a paired interval (search_verdict.c), so each rule can come out for or against its
 * hypothesis, or INCONCLUSIVE with the repetitions that would decide it. J, the verdict's job
 * count: the largest run at or below the cores (2 on a 2-core machine).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/search.h"
#include "reports/search_verdict.h"

#define SCALE_SHARE 0.8     /* experiment 1: speedup >= this x min(J, cores) meets the study's ~J x */
#define CPU_SHARE 0.8       /* experiment 1: CPU utilisation per job */
#define MEMORY_TOL 0.25     /* experiment 1: linear when one step's growth is within 25% of the other */
#define ACTIVE_SHARE 0.8    /* experiment 2: parallelism >= this x min(jobs, cores) */
#define MAX_LEVELS 16
#define MAX_PAIRS 64
#define MAX_ROUNDS 4096
#define WALL "wall_s_reps"

static const char *const pools[] = { "fork-pool", "persistent" };

/* J: the largest job count of a parallel search at or below the cores; else the smallest */
static int verdict_jobs(const struct sv *s)
{
	int i, j, best = 0, least = 0;

	for (i = 0; i < s->t.nrow; i++) {
		j = (int)vt_num(&s->t, i, "jobs");
		if (!strcmp(vt_str(&s->t, i, "backend"), "sequential") || j < 1)
			continue;
		best = j <= s->cores && j > best ? j : best;
		least = !least || j < least ? j : least;
	}
	return best ? best : least;
}

/* the distinct job counts backend ran, ascending, into lv; their count */
static int job_levels(const struct sv *s, const char *backend, int *lv)
{
	int i, k, n = 0, j;

	for (i = 0; i < s->t.nrow; i++) {
		if (strcmp(vt_str(&s->t, i, "backend"), backend) || !vtruthy(vt_num(&s->t, i, "reps")))
			continue;
		j = (int)vt_num(&s->t, i, "jobs");
		for (k = 0; k < n && lv[k] != j; k++)
			;
		if (k < n || n == MAX_LEVELS)
			continue;
		for (k = n++; k > 0 && lv[k - 1] > j; k--)
			lv[k] = lv[k - 1];
		lv[k] = j;
	}
	return n;
}

/* the sequential search of that BLAS level, or any */
static int sequential(const struct sv *s, int blas)
{
	int r = sv_row(s, "sequential", 1, blas);

	return r >= 0 ? r : sv_row(s, "sequential", 1, -1);
}

static const char *side_word(const struct sv_cmp *c, const char *above, const char *below)
{
	return c->side == 2 ? "not measured" : c->side > 0 ? above : c->side < 0 ? below : "unclear";
}

/* an INCONCLUSIVE verdict's note: the repetitions its undecided comparisons need */
static void needs_note(FILE *f, int most)
{
	if (most < 0)
		fprintf(f, "; more repetitions cannot say (a ratio sits on its boundary)");
	else if (most > 0)
		fprintf(f, "; the undecided comparisons need up to %d more repetitions", most);
}

/* a cell's median [min–max] from COL, COL_min and COL_max, divided by div */
static const char *range_cell(char *b, const struct sv *s, int row, const char *col, double div)
{
	char mn[64], mx[64];

	snprintf(mn, sizeof(mn), "%s_min", col);
	snprintf(mx, sizeof(mx), "%s_max", col);
	return vrng(b, vt_num(&s->t, row, col) / div, vt_num(&s->t, row, mn) / div, vt_num(&s->t, row, mx) / div);
}

/* --- experiment 1: the scheduler backend ------------------------------------------------ */

static const char *const cols_1[] = {
	"label", "backend", "jobs", "cores", "reps", "unstable", WALL, "rss_mib", "rss_mib_reps",
	"cpu_util", "cpu_util_min", "cpu_util_max", "flagged", "kind", NULL,
};
static const char *const backends_1[] = { "threads", "fork-pool", "persistent", "mpi" };

/* R(J) at each job count, the growth per added job and whether it is linear: the second step's
   growth per job over the first's, paired by round, within [1 - tol, 1 / (1 - tol)] */
static void memory_row(FILE *f, const struct sv *s, const char *b, const int *lv, int n)
{
	static double r[3][MAX_ROUNDS], g1[MAX_ROUNDS], g2[MAX_ROUNDS];
	int rows[3] = { sv_row(s, b, lv[0], -1), sv_row(s, b, lv[n > 1], -1), sv_row(s, b, lv[n - 1], -1) };
	int k, i, m = MAX_ROUNDS, np = 0;
	struct sv_cmp c;
	char x[160], y[32];

	fprintf(f, "| %s |", b);
	for (k = 0; k < n; k++)
		fprintf(f, " %s |", vnum(y, vt_num(&s->t, sv_row(s, b, lv[k], -1), "rss_mib")));
	fprintf(f, " %s |", n > 1 ? vnum(y, (vt_num(&s->t, rows[2], "rss_mib") - vt_num(&s->t, rows[0], "rss_mib")) /
					(lv[n - 1] - lv[0])) : "-");
	if (n < 3) {
		fprintf(f, " - | - (fewer than three job counts) |\n");
		return;
	}
	for (k = 0; k < 3; k++)
		m = sv_min(m, sv_values(s, rows[k], "rss_mib_reps", r[k], MAX_ROUNDS));
	for (i = 0; i < m; i++)
		if (!isnan(r[0][i] + r[1][i] + r[2][i])) {
			g1[np] = (r[1][i] - r[0][i]) / (lv[1] - lv[0]);
			g2[np++] = (r[2][i] - r[1][i]) / (lv[n - 1] - lv[1]);
		}
	sv_compare_values(g2, g1, np, 1.0, 0, &c);
	if (c.side == 2) {
		fprintf(f, " - | not measured (the growth was not positive in every round) |\n");
		return;
	}
	fprintf(f, " %s | %s |\n", sv_ci(x, &c),
		c.ci.lo >= 1 - MEMORY_TOL && c.ci.hi <= 1 / (1 - MEMORY_TOL) ? "yes" :
		c.ci.hi < 1 - MEMORY_TOL || c.ci.lo > 1 / (1 - MEMORY_TOL) ? "no" : "unclear");
}

static void memory_table(FILE *f, const struct sv *s)
{
	int lv[MAX_LEVELS], n = job_levels(s, "fork-pool", lv), k;
	size_t b;

	fprintf(f, "Memory: the peak RSS of the whole process tree (MiB, median) at each job count; the study "
		   "expected linear growth (1.5 GB per worker). Linear: the growth per job of the second step "
		   "over the first's (paired by round) has its whole interval within [%.2f, %.2f] (±%.0f%%); "
		   "not linear: its whole interval outside.\n\n| backend |", 1 - MEMORY_TOL, 1 / (1 - MEMORY_TOL),
		MEMORY_TOL * 100);
	for (k = 0; k < n; k++)
		fprintf(f, " %d job%s |", lv[k], lv[k] == 1 ? "" : "s");
	fprintf(f, " MiB per added job | second step ÷ first [95%% CI] | linear? |\n| --- |");
	for (k = 0; k < n; k++)
		fprintf(f, " ---: |");
	fprintf(f, " ---: | ---: | --- |\n");
	for (b = 0; b < sizeof(backends_1) / sizeof(backends_1[0]); b++)
		if (job_levels(s, backends_1[b], lv) == n && n)
			memory_row(f, s, backends_1[b], lv, n);
	fprintf(f, "\n");
}

static void backend_table(FILE *f, const struct sv *s, int J, double want)
{
	int seq = sequential(s, -1);
	size_t b;

	fprintf(f, "| backend at %d jobs | speedup vs sequential [95%% CI] | the study's ~J× (≥ %.3g) | "
		   "CPU util. per job [min–max] (≥ %.2g) | flagged | fallback kind |\n"
		   "| --- | ---: | --- | ---: | --- | --- |\n", J, want, CPU_SHARE);
	for (b = 0; b < sizeof(backends_1) / sizeof(backends_1[0]); b++) {
		int row = sv_row(s, backends_1[b], J, -1);
		struct sv_cmp c;
		char x[160], y[160], u[128];

		sv_compare(s, seq, row, WALL, want, 1, &c);
		fprintf(f, "| %s | %s | %s%s | %s %s | %s | %s |\n", backends_1[b], sv_ci(x, &c),
			side_word(&c, "met", "not met"), sv_needs(y, &c), range_cell(u, s, row, "cpu_util", J),
			sv_range_word(vt_num(&s->t, row, "cpu_util_min") / J, vt_num(&s->t, row, "cpu_util_max") / J,
				      CPU_SHARE),
			row < 0 ? "-" : vt_str(&s->t, row, "flagged"), row < 0 ? "-" : vt_str(&s->t, row, "kind"));
	}
	fprintf(f, "\n");
}

/*
 * The hypothesis (a dynamic scheduler handles long trials better than static chunks): the
 * paired ratio fork-pool's wall / mpi's at J jobs. SUPPORTED: its interval lies above 1 (mpi
 * faster); REFUTED: below 1 (fork-pool faster); else INCONCLUSIVE. Beside it, per backend: the
 * study's scaling criterion (speedup's interval above SCALE_SHARE x min(J, cores): met; below:
 * not met), CPU per job (its min–max against CPU_SHARE) and memory's linearity.
 */
static void print_1(FILE *f, const struct sv *s)
{
	int J = verdict_jobs(s), mpi = sv_row(s, "mpi", J, -1), fp = sv_row(s, "fork-pool", J, -1);
	double want = SCALE_SHARE * sv_min(J, s->cores);
	struct sv_cmp h;
	char x[160], y[160];

	sv_intro(f, s, "experiment-1");
	sv_compare(s, fp, mpi, WALL, 1.0, 1, &h);
	fprintf(f, "**Hypothesis (a dynamic scheduler handles long trials better than static chunks): %s** — ",
		h.side == 2 ? "INCONCLUSIVE" : h.side > 0 ? "SUPPORTED" : h.side < 0 ? "REFUTED" : "INCONCLUSIVE");
	if (h.side == 2)
		fprintf(f, "not measured: no mpi and fork-pool searches at %d jobs with repetitions in common.\n\n", J);
	else
		fprintf(f, "%s: fork-pool's wall ÷ mpi's at %d jobs %s (above 1: mpi faster)%s.\n\n",
			h.side > 0 ? "the dynamic scheduler (mpi) was faster than static chunks (fork-pool)" :
			h.side < 0 ? "static chunks (fork-pool) were faster than the dynamic scheduler (mpi)" :
			h.marked && ratio_ci_side(&h.ci, 1.0) ? "a cell is marked `?`" :
			"no difference beyond the interval", J, sv_ci(x, &h), sv_needs(y, &h));
	backend_table(f, s, J, want);
	memory_table(f, s);
	fprintf(f, "### Beside the study\n\n| | the study (documents 001 and 004; Python, 128 cores) | ours (%s scale, %d cores) |\n"
		   "| --- | --- | --- |\n| speedup of parallel trials | criterion: ~5× with 5 workers (20 h → 4 h); "
		   "measured: ~5× at small scale (200/20/2, 5 jobs, 2-3 min), **0.28×** at production (500/150/3, 5 "
		   "jobs: 12 trials in 8 h against 11.4 min per trial alone) | the table above, at %d jobs |\n"
		   "| CPU | criterion: 200-300%% per worker (each trial multi-threaded); measured: 200-400%% in all "
		   "at production | the CPU column above (a trial here is one thread) |\n| memory | criterion: "
		   "linear, 5 workers × 1.5 GB = 7.5 GB at population 500 | the memory table above |\n\n",
		s->scale, s->cores, J);
}

const struct sv_rules sv_experiment_1 = { "experiment-1", cols_1, print_1 };

/* --- experiment 2: the process-pool control -------------------------------------------- */

static const char *const cols_2[] = {
	"label", "backend", "jobs", "cores", "reps", "unstable", "failed", WALL, "max_in_flight",
	"parallelism", "parallelism_min", "parallelism_max", "flagged", "kind", NULL,
};

/* what experiment 2 found of each process-pool search and of the comparisons with threads */
struct e2 {
	int failed, inactive, unclear_active, searches;
	struct sv_cmp fall[MAX_PAIRS], vs[2], threads_fall;
	int n_fall;
};

/* one process-pool search's row of the table, and what it adds to e */
static void pool_row(FILE *f, const struct sv *s, const char *b, int j, struct e2 *e)
{
	int row = sv_row(s, b, j, -1), need = sv_min(j, s->cores), in = (int)vt_num(&s->t, row, "max_in_flight");
	double bar = ACTIVE_SHARE * need, fail = vt_num(&s->t, row, "failed");
	const char *act;
	struct sv_cmp *c = &e->fall[e->n_fall++];
	char x[160], y[160], p[128], q[32];

	sv_compare(s, sequential(s, -1), row, WALL, FALLBACK_FLAG_SHARE * need, 1, c);
	act = row < 0 ? "not measured" : in < need ? "not met" :
	      sv_range_word(vt_num(&s->t, row, "parallelism_min"), vt_num(&s->t, row, "parallelism_max"), bar);
	if (!strcmp(act, "not met") && vt_num(&s->t, row, "unstable") == 1)
		act = "unclear (a `?` cell)";   /* a noisy cell never decides */
	e->searches++;
	e->failed += row >= 0 && fail != 0;
	e->inactive += !strcmp(act, "not met");
	e->unclear_active += !strncmp(act, "unclear", 7) || row < 0;
	fprintf(f, "| %s x%d | %s | %d of %d | %s | %s | %s | %s%s | %s |\n", b, j,
		row < 0 ? "not run" : isnan(fail) ? "-" : vnum(q, fail), in, j,
		range_cell(p, s, row, "parallelism", 1), act, sv_ci(x, c),
		side_word(c, "no", "**yes**"), sv_needs(y, c), row < 0 ? "-" : vt_str(&s->t, row, "kind"));
}

/* the verdict's word: NOT SUPPORTED on a hang, a fallback, an idle pool or threads faster than
   both pools; SUPPORTED with none of these and a pool faster than threads; else INCONCLUSIVE */
static const char *verdict_2(const struct e2 *e)
{
	int i, fell = 0, all_ok = 1;

	for (i = 0; i < e->n_fall; i++) {
		fell |= e->fall[i].side == -1;
		all_ok &= e->fall[i].side == 1;
	}
	if (e->failed || fell || e->inactive || (e->vs[0].side == -1 && e->vs[1].side == -1))
		return "NOT SUPPORTED";
	if (all_ok && !e->unclear_active && (e->vs[0].side == 1 || e->vs[1].side == 1))
		return "SUPPORTED";
	return "INCONCLUSIVE";
}

static void versus_threads(FILE *f, const struct sv *s, int J, struct e2 *e)
{
	int th = sv_row(s, "threads", J, -1), k;
	char x[160], y[160];

	for (k = 0; k < 2; k++) {
		sv_compare(s, th, sv_row(s, pools[k], J, -1), WALL, 1.0, 1, &e->vs[k]);
		fprintf(f, "| %s x%d against threads x%d | %s | %s%s |\n", pools[k], J, J, sv_ci(x, &e->vs[k]),
			side_word(&e->vs[k], "the pool faster", "threads faster"), sv_needs(y, &e->vs[k]));
	}
	sv_compare(s, sequential(s, -1), th, WALL, FALLBACK_FLAG_SHARE * sv_min(J, s->cores), 1, &e->threads_fall);
	fprintf(f, "\nthreads x%d against sequential (speedup [95%% CI]): %s; fell back (below %.2g): %s%s.\n\n", J,
		sv_ci(x, &e->threads_fall), FALLBACK_FLAG_SHARE * sv_min(J, s->cores),
		side_word(&e->threads_fall, "no", "yes"), sv_needs(y, &e->threads_fall));
}

/*
 * The hypothesis (even a plain process pool works better than Optuna's thread-based n_jobs):
 * per process pool (fork-pool, persistent) and job count, no hang (failed = 0), all active
 * (max_in_flight >= min(jobs, cores) and parallelism's min–max against ACTIVE_SHARE of it) and
 * no fallback (speedup's interval above FALLBACK_FLAG_SHARE x min(jobs, cores)); and at J jobs
 * threads' wall / the pool's (above 1: the pool faster). verdict_2 gives the word.
 */
static void print_2(FILE *f, const struct sv *s)
{
	int J = verdict_jobs(s), lv[MAX_LEVELS], n = job_levels(s, "fork-pool", lv), k, p, most;
	struct e2 e;
	const char *word;

	memset(&e, 0, sizeof(e));
	sv_intro(f, s, "experiment-2");
	fprintf(f, "Each process-pool search: failed repetitions (timed out or failed: a hang); all active "
		   "(at least min(jobs, cores) trials at once, and parallelism ≥ %.2g × min(jobs, cores): met when "
		   "its slowest repetition reaches it, not met when none does); fallback (its speedup's interval "
		   "below %.2g × min(jobs, cores)).\n\n| search | failed runs | most trials at once | parallelism "
		   "[min–max] | all active | speedup vs sequential [95%% CI] | fell back | fallback kind |\n"
		   "| --- | ---: | ---: | ---: | --- | ---: | --- | --- |\n", ACTIVE_SHARE, FALLBACK_FLAG_SHARE);
	for (p = 0; p < 2; p++)
		for (k = 0; k < n && e.n_fall < MAX_PAIRS; k++)
			pool_row(f, s, pools[p], lv[k], &e);
	fprintf(f, "\nAgainst `threads` (a job per thread in one process: Optuna's n_jobs), threads' wall ÷ the "
		   "pool's (above 1: the pool faster):\n\n| comparison | ratio [95%% CI] | outcome |\n| --- | ---: | --- |\n");
	versus_threads(f, s, J, &e);
	word = verdict_2(&e);
	most = sv_most_needs(e.fall, e.n_fall);
	most = most < 0 || sv_most_needs(e.vs, 2) < 0 ? -1 : most > sv_most_needs(e.vs, 2) ? most : sv_most_needs(e.vs, 2);
	fprintf(f, "**Hypothesis (even a plain process pool works better than Optuna's thread-based n_jobs): %s** — "
		   "%d process-pool searches: %d with failed runs, %d not all active%s; at %d jobs against threads: "
		   "fork-pool %s, persistent %s", word, e.searches, e.failed, e.inactive,
		e.unclear_active ? " (some unclear)" : "", J, side_word(&e.vs[0], "faster", "slower"),
		side_word(&e.vs[1], "faster", "slower"));
	if (!strcmp(word, "INCONCLUSIVE"))
		needs_note(f, most);
	fprintf(f, ".\n\n");
}

const struct sv_rules sv_experiment_2 = { "experiment-2", cols_2, print_2 };

/* --- experiment 4: thread limiting ------------------------------------------------------ */

static const char *const cols_4[] = {
	"label", "backend", "jobs", "blas_threads", "cores", "reps", "unstable", WALL,
	"threads_per_process", "flagged", "kind", NULL,
};
static const char *const backends_4[] = { "threads", "fork-pool", "persistent", "mpi" };

/* an oversubscribed search and its limited twin (BLAS at 1; for persistent also thread-limited) */
struct e4_pair {
	int over, twin;
	struct sv_cmp c;
};

static int find_pairs(const struct sv *s, struct e4_pair *p)
{
	int i, n = 0;
	size_t b;

	for (i = 0; i < s->t.nrow; i++) {
		int j = (int)vt_num(&s->t, i, "jobs"), blas = (int)vt_num(&s->t, i, "blas_threads");

		/* oversubscribed by BLAS threads: jobs alone above the cores is no thread explosion */
		for (b = 0; b < sizeof(backends_4) / sizeof(backends_4[0]); b++)
			if (!strcmp(vt_str(&s->t, i, "backend"), backends_4[b]) && blas > 1 && j * blas > s->cores &&
			    vtruthy(vt_num(&s->t, i, "reps")) && n + 2 <= MAX_PAIRS) {
				p[n].over = i;
				p[n++].twin = sv_row(s, backends_4[b], j, 1);
				if (!strcmp(backends_4[b], "persistent")) {
					p[n].over = i;
					p[n++].twin = sv_row(s, "thread-limited", j, -1);
				}
			}
	}
	return n;
}

/* the twins' fallback: any limited twin whose speedup's interval lies below the flag's share */
static int twins_fell(const struct sv *s, const struct e4_pair *p, int n, struct sv_cmp *fell)
{
	int i, any = 0;

	for (i = 0; i < n; i++) {
		int j = (int)vt_num(&s->t, p[i].twin, "jobs");

		sv_compare(s, sequential(s, 1), p[i].twin, WALL, FALLBACK_FLAG_SHARE * sv_min(j, s->cores), 1, &fell[i]);
		any += fell[i].side == -1;
	}
	return any;
}

static void pairs_table(FILE *f, const struct sv *s, const struct e4_pair *p, int n, const struct sv_cmp *fell)
{
	int i;

	fprintf(f, "| oversubscribed search | jobs × BLAS | threads/process | limited twin | threads/process | "
		   "wall ÷ twin's [95%% CI] | limiting helps | twin fell back |\n"
		   "| --- | ---: | ---: | --- | ---: | ---: | --- | --- |\n");
	for (i = 0; i < n; i++) {
		char x[160], y[160];

		fprintf(f, "| %s | %d on %d | %s | %s | %s | %s | %s%s | %s |\n", vt_str(&s->t, p[i].over, "label"),
			(int)(vt_num(&s->t, p[i].over, "jobs") * vt_num(&s->t, p[i].over, "blas_threads")), s->cores,
			vt_str(&s->t, p[i].over, "threads_per_process"),
			p[i].twin < 0 ? "not run" : vt_str(&s->t, p[i].twin, "label"),
			p[i].twin < 0 ? "-" : vt_str(&s->t, p[i].twin, "threads_per_process"), sv_ci(x, &p[i].c),
			side_word(&p[i].c, "yes", "no (oversubscribed faster)"), sv_needs(y, &p[i].c),
			side_word(&fell[i], "no", "**yes**"));
	}
	fprintf(f, "\n");
}

/* the most threads per process a trial saw, over all searches and over those with BLAS at 1 */
static void beside_4(FILE *f, const struct sv *s, int n, int helps)
{
	double most = 0, most1 = 0;
	int i;

	for (i = 0; i < s->t.nrow; i++) {
		double t = vt_num(&s->t, i, "threads_per_process");

		most = t > most ? t : most;
		if (vt_num(&s->t, i, "blas_threads") == 1 || !strcmp(vt_str(&s->t, i, "backend"), "thread-limited"))
			most1 = t > most1 ? t : most1;
	}
	fprintf(f, "### Beside the study\n\n| | the study (documents 001, 004; PyTorch, 128 cores) | ours (%s scale, "
		   "%d cores, OpenBLAS) |\n| --- | --- | --- |\n| threads per process | 387 seen (50-100 expected); "
		   "criterion after limiting: 10-20 | at most %.0f seen by a trial; with BLAS at 1: at most %.0f |\n"
		   "| oversubscription | 5 jobs × 4-6 cores per trial planned on 128 cores (20 × 6 = 120) | %d "
		   "oversubscribed pairs |\n| what limiting gave | not measured (planned: OMP/MKL/OPENBLAS_NUM_THREADS=1) "
		   "| limiting helped beyond the interval in %d of %d pairs |\n\n", s->scale, s->cores, most, most1, n,
		helps, n);
}

/*
 * The hypothesis (thread explosion, not trial length, is what makes parallel trials fall back):
 * every search with BLAS threads above 1 and jobs x BLAS threads above the cores beside its
 * limited twin (same backend and jobs, BLAS at 1; persistent also beside thread-limited): the
 * paired ratio of its wall over the twin's. SUPPORTED: above 1 (limiting helps) in a majority of pairs and no twin fell
 * back (its speedup's interval below FALLBACK_FLAG_SHARE x min(jobs, cores)); REFUTED: below 1
 * in a majority of pairs, or a twin with BLAS at 1 fell back all the same; else INCONCLUSIVE.
 */
static void print_4(FILE *f, const struct sv *s)
{
	static struct e4_pair p[MAX_PAIRS];
	static struct sv_cmp fell[MAX_PAIRS], c[MAX_PAIRS];
	int n = find_pairs(s, p), i, helps = 0, faster = 0, twin_fell, most;
	const char *word;

	for (i = 0; i < n; i++) {
		sv_compare(s, p[i].over, p[i].twin, WALL, 1.0, 1, &p[i].c);
		c[i] = p[i].c;
		helps += p[i].c.side == 1;
		faster += p[i].c.side == -1;
	}
	twin_fell = twins_fell(s, p, n, fell);
	most = sv_most_needs(c, n);
	word = !n ? "INCONCLUSIVE" : 2 * helps > n && !twin_fell ? "SUPPORTED" :
	       2 * faster > n || twin_fell ? "REFUTED" : "INCONCLUSIVE";
	sv_intro(f, s, "experiment-4");
	fprintf(f, "**Hypothesis (thread explosion, not trial length, is what makes parallel trials fall back): "
		   "%s** — ", word);
	if (!n)
		fprintf(f, "not measured: no search ran with jobs × BLAS threads above the %d cores.\n\n", s->cores);
	else
		fprintf(f, "of %d oversubscribed searches beside their limited twins, limiting helped beyond the "
			   "interval in %d, the oversubscribed one was faster in %d; %d limited twin%s fell back",
			n, helps, faster, twin_fell, twin_fell == 1 ? "" : "s");
	if (n && !strcmp(word, "INCONCLUSIVE"))
		needs_note(f, most);
	if (n)
		fprintf(f, ".\n\n");
	fprintf(f, "Every search with more than one BLAS thread whose jobs × BLAS threads exceeds the %d "
		   "cores, beside its limited twin (BLAS at "
		   "1; for persistent, also thread-limited); wall ÷ twin's above 1: limiting helps.\n\n", s->cores);
	pairs_table(f, s, p, n, fell);
	beside_4(f, s, n, helps);
}

const struct sv_rules sv_experiment_4 = { "experiment-4", cols_4, print_4 };
