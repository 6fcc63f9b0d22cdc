/*
 * Experiment 5's rules R1-R4 on named columns of evaluate.tsv and searches.tsv, the verdict
 * section and the trial tables, for `evopar report DIR --verdict FILE`. Every comparison is a
 * ratio of medians of two configurations of one bench file with its paired bootstrap 95%
 * interval (vratio: round r of one with round r of the other, the per-round columns
 * steps_per_s_reps and wall_s_reps); "beyond the interval" means the whole interval lies on
 * one side of the bar. The rules:
 *   R1 break-even (per mode): at population P the GPU is faster than all CPU cores when the
 *      low end of gpu.steps_per_s / all.steps_per_s is above 1. The break-even population lies
 *      in (P_prev, P*], P* the smallest population from which the GPU is faster beyond the
 *      interval at every larger one; its point estimate is where the median ratio crosses 1,
 *      interpolated on log scales. Not reached: no such P*. Below the grid: P* is its smallest.
 *   R2 the study's first criterion, 5-10x per trial: speedup = CPU trial wall / GPU trial wall
 *      (a `search` trial, sequential backend, the study's population). SUPPORTED when the
 *      interval's low end >= 5; REFUTED when its high end < 5; else INCONCLUSIVE, with the
 *      rounds that would decide it.
 *   R3 the study's second, one trial at a time per GPU: throughput T(J) = trials / wall at J
 *      jobs sharing the GPU. SUPPORTED when the interval of T(2) / T(1) lies below RISE (a
 *      second trial adds less than 10%); REFUTED when it lies above RISE; else INCONCLUSIVE,
 *      with the rounds that would decide it. Throughput stops rising at the first J whose
 *      next level is not faster beyond the interval.
 *   R4 the performance bars at TARGET_POP dynamic networks: GPU >= 100x one core and > all
 *      cores (the interval's low end above the bar: met; its high end below it: not met; else
 *      unclear), and pack + transfers under 10% of the GPU's evaluate phase (median).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/evaluate_verdict.h"
#include "reports/report.h"

#define PER_TRIAL_BAR 5.0  /* R2 */
#define RISE 1.10          /* R3 */
#define TARGET_POP 10000   /* R4 */
#define ONE_CORE_BAR 100.0
#define TRANSFER_BAR 0.10
#define MAX_POPS 256

static const char *const eval_cols[] = {
	"mode", "pop", "episodes", "device", "strategy", "cores", "reps",
	"evaluate_ms", "evaluate_ms_min", "evaluate_ms_max", "steps_per_s", "steps_per_s_min",
	"steps_per_s_max", "pack_ms", "h2d_ms", "kernel_ms", "d2h_ms", "unpack_ms", "transfer_share",
	"mib_h2d", "kernel_steps_per_s", "kernel_steps_per_s_min", "kernel_steps_per_s_max",
	"lane_use", "scratch_global", "steps_per_s_reps", NULL,
};
static const char *const search_cols[] = {
	"label", "reps", "wall_s", "wall_s_min", "wall_s_max", "user_s", "sys_s", "wall_s_reps", NULL,
};

/* fprintf, or nothing where f is NULL: the rules run once for their outcomes, then again to
   write their tables after the verdict */
static void out(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/* R1 for one mode: the outcome, and its text into text[512] */
static const char *break_even(const struct vtab *t, const char *mode, char *text)
{
	double all[MAX_POPS], p[MAX_POPS], pt[MAX_POPS][3], est = NAN;
	int n_all = vpops(t, mode, all, MAX_POPS), n = 0, i, j, star = -1;
	char b[128];

	for (i = 0; i < n_all; i++)
		if (vpick(t, mode, all[i], "gpu") >= 0 && vpick(t, mode, all[i], "all") >= 0) {
			p[n] = all[i];
			vratio(t, vpick(t, mode, p[n], "gpu"), vpick(t, mode, p[n], "all"), "steps_per_s", pt[n]);
			n++;
		}
	if (!n) {
		strcpy(text, "not measured (no GPU and all-core pair)");
		return "NOT RUN";
	}
	for (i = 0; i < n && star < 0; i++) {
		for (j = i; j < n && !isnan(pt[j][1]) && pt[j][1] > 1; j++)
			;
		if (j == n)
			star = i;
	}
	for (i = 0; i + 1 < n; i++) {   /* the last crossing, as the rule's estimate */
		double m0 = pt[i][0], m1 = pt[i + 1][0];

		if (vtruthy(m0) && vtruthy(m1) && (m0 - 1) * (m1 - 1) <= 0 && m0 != m1)
			est = exp(log(p[i]) + (0 - log(m0)) / (log(m1) - log(m0)) * (log(p[i + 1]) - log(p[i])));
	}
	if (star < 0) {
		snprintf(text, 512, "not reached up to %d networks (GPU ÷ all cores there %s)", (int)p[n - 1],
			 vrng(b, pt[n - 1][0], pt[n - 1][1], pt[n - 1][2]));
		return "NOT REACHED";
	}
	if (star == 0) {
		snprintf(text, 512, "at or below %d networks, the smallest population run: the GPU is faster "
			 "beyond the interval at every population", (int)p[0]);
		return "BELOW THE GRID";
	}
	i = snprintf(text, 512, "between %d and %d networks", (int)p[star - 1], (int)p[star]);
	if (vtruthy(est))
		snprintf(text + i, 512 - (size_t)i, " (the median ratio crosses 1 near %.0f)", nearbyint(est));
	return "FOUND";
}

static int search_row(const struct vtab *s, const char *label)
{
	int i;

	for (i = 0; i < s->nrow; i++)
		if (!strcmp(vt_str(s, i, "label"), label) && vtruthy(vt_num(s, i, "reps")))
			return i;
	return -1;
}

/* the number a label ends in, after the prefix; -1 when it has not that prefix */
static double label_num(const struct vtab *s, int row, const char *prefix)
{
	const char *l = vt_str(s, row, "label"), *sp = strrchr(l, ' ');

	return strncmp(l, prefix, strlen(prefix)) || !sp ? -1 : atof(sp + 1);
}

/* a row's (user + system) seconds over n: NAN where not measured */
static double cpu_per(const struct vtab *s, int row, double n)
{
	return row < 0 ? NAN : (vt_num(s, row, "user_s") + vt_num(s, row, "sys_s")) / n;
}

/*
 * Why an interval holds its bar: " (N rounds; about M would decide it)", the interval's arms
 * taken to shrink as 1 / sqrt(rounds), or that no number of rounds would.
 */
static void rounds_needed(char *buf, size_t len, const double r[3], int pairs, double bar)
{
	struct ratio_ci ci = { .ratio = r[0], .lo = r[1], .hi = r[2], .n = pairs,
			       .resamples = isnan(r[1]) ? 0 : BOOT_RESAMPLES };
	int need = ratio_ci_rounds_to_decide(&ci, bar);

	if (!ci.resamples)
		snprintf(buf, len, " (%d round%s to pair: no interval)", pairs, pairs == 1 ? "" : "s");
	else if (need < 0)
		snprintf(buf, len, " (the ratio sits on the bar: more rounds would not decide it)");
	else
		snprintf(buf, len, " (%d rounds; about %d would decide it at this noise)", pairs, need);
}

/* R2 and the per-trial table: the outcome at the study's (smallest) population */
static const char *per_trial(FILE *f, const struct vtab *s, int trials, char *detail)
{
	double pops[MAX_POPS];
	const char *outcome = "NOT RUN";
	int n = 0, i, j;

	strcpy(detail, "no GPU trial");
	for (i = 0; i < s->nrow; i++) {
		double p = label_num(s, i, "trial ");

		for (j = 0; j < n && pops[j] != p; j++)
			;
		if (p >= 0 && j == n && n < MAX_POPS)
			pops[n++] = p;
	}
	qsort(pops, (size_t)n, sizeof(*pops), vcmp_double);
	out(f, "### Trials: one `search` trial on one core against one on the GPU\n\n"
		   "| population | CPU s per trial | GPU s per trial | speedup (CPU ÷ GPU) | CPU-seconds per trial, CPU | on the GPU |\n"
		   "| ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < n; i++) {
		char lc[64], lg[64], b[5][128], m[3][32];
		int c, g, k, pairs;
		double sp[3] = { NAN, NAN, NAN };

		snprintf(lc, sizeof(lc), "trial cpu %d", (int)pops[i]);
		snprintf(lg, sizeof(lg), "trial gpu %d", (int)pops[i]);
		c = search_row(s, lc);
		g = search_row(s, lg);
		for (k = 0; k < 2; k++) {
			int row = k ? g : c;

			if (row < 0)
				strcpy(b[k], "-");
			else
				vrng(b[k], vt_num(s, row, "wall_s") / trials, vt_num(s, row, "wall_s_min") / trials,
				     vt_num(s, row, "wall_s_max") / trials);
		}
		pairs = c >= 0 && g >= 0 ? vratio(s, c, g, "wall_s", sp) : 0;
		out(f, "| %d | %s | %s | %s | %s | %s |\n", (int)pops[i], b[0], b[1],
			vrng(b[2], sp[0], sp[1], sp[2]), vnum(b[3], cpu_per(s, c, trials)),
			vnum(b[4], cpu_per(s, g, trials)));
		if (i == 0 && !isnan(sp[0])) {
			outcome = sp[1] >= PER_TRIAL_BAR ? "SUPPORTED" : sp[2] < PER_TRIAL_BAR ? "REFUTED" : "INCONCLUSIVE";
			k = snprintf(detail, 512, "%s× [%s–%s] at %d networks", vnum(m[0], sp[0]),
				     vnum(m[1], sp[1]), vnum(m[2], sp[2]), (int)pops[i]);
			if (!strcmp(outcome, "INCONCLUSIVE"))
				rounds_needed(detail + k, 512 - (size_t)k, sp, pairs, PER_TRIAL_BAR);
		}
	}
	out(f, "\n");
	return outcome;
}

/* trials per second at a row's wall-time column: NAN where not measured */
static double thr(const struct vtab *s, int row, const char *col, int conc)
{
	return row < 0 || !vtruthy(vt_num(s, row, col)) ? NAN : conc / vt_num(s, row, col);
}

/* the rows of J jobs sharing the GPU, by J ascending, into rows and jobs; their count */
static int gpu_jobs(const struct vtab *s, int *rows, int *jobs, int max)
{
	int i, j, n = 0;

	for (i = 0; i < s->nrow && n < max; i++) {
		if (label_num(s, i, "gpu jobs ") < 0 || !vtruthy(vt_num(s, i, "reps")))
			continue;
		for (j = n++; j > 0 && jobs[j - 1] > (int)label_num(s, i, "gpu jobs "); j--) {
			jobs[j] = jobs[j - 1];
			rows[j] = rows[j - 1];
		}
		jobs[j] = (int)label_num(s, i, "gpu jobs ");
		rows[j] = i;
	}
	return n;
}

static void concurrency_table(FILE *f, const struct vtab *s, const int *rows, const int *jobs, int n,
			      int conc, int cores)
{
	char b[3][128], label[64];
	double vs[3];
	int i, cpu;

	out(f, "### Trials sharing one GPU (`search --backend threads --jobs J --device cuda`)\n\n"
	       "| jobs sharing the GPU | trials per s [min–max] | vs 1 job [paired 95%% interval] | CPU-seconds per trial |\n"
	       "| ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < n; i++) {
		vratio(s, rows[0], rows[i], "wall_s", vs);    /* T(J) / T(1) = wall(1) / wall(J) */
		out(f, "| %d | %s | %s | %s |\n", jobs[i],
		    vrng(b[0], thr(s, rows[i], "wall_s", conc), thr(s, rows[i], "wall_s_max", conc),
			 thr(s, rows[i], "wall_s_min", conc)),
		    vrng(b[1], vs[0], vs[1], vs[2]), vnum(b[2], cpu_per(s, rows[i], conc)));
	}
	snprintf(label, sizeof(label), "cpu jobs %d", cores);
	cpu = search_row(s, label);
	if (cpu >= 0)
		out(f, "| CPU only, %d jobs on %d cores | %s | - | %s |\n", cores, cores,
		    vrng(b[0], thr(s, cpu, "wall_s", conc), thr(s, cpu, "wall_s_max", conc),
			 thr(s, cpu, "wall_s_min", conc)),
		    vnum(b[2], cpu_per(s, cpu, conc)));
	out(f, "\n");
}

/* R3 and the table of trials sharing one GPU: the outcome, its detail, where throughput
   stops rising (*stop; 0 when not run) */
static const char *concurrency(FILE *f, const struct vtab *s, int conc, int cores, char *detail,
			       int *stop)
{
	int rows[MAX_POPS], jobs[MAX_POPS], n = gpu_jobs(s, rows, jobs, MAX_POPS), i, one = -1, two = -1;
	int pairs, k;
	double rise[3], next[3];
	const char *outcome;
	char b[2][128];

	concurrency_table(f, s, rows, jobs, n, conc, cores);
	*stop = 0;
	for (i = n - 1; i >= 0; i--) {   /* the last of each, as a dict of them keeps */
		one = one < 0 && jobs[i] == 1 ? rows[i] : one;
		two = two < 0 && jobs[i] == 2 ? rows[i] : two;
	}
	if (one < 0 || two < 0) {
		strcpy(detail, "no GPU jobs at 1 and 2");
		return "NOT RUN";
	}
	/* T(2) / T(1) = wall(1) / wall(2): the same trials, rounds as pairs */
	pairs = vratio(s, one, two, "wall_s", rise);
	outcome = rise[2] < RISE ? "SUPPORTED" : rise[1] > RISE ? "REFUTED" : "INCONCLUSIVE";
	*stop = jobs[n - 1];
	for (i = 0; i + 1 < n; i++) {
		vratio(s, rows[i], rows[i + 1], "wall_s", next);
		if (!(next[1] > 1)) {
			*stop = jobs[i];
			break;
		}
	}
	k = snprintf(detail, 512, "2 jobs ÷ 1 job, trials per second: %s (2 jobs %s, 1 job %s trials/s)",
		     vrng(b[0], rise[0], rise[1], rise[2]), vnum(b[1], thr(s, two, "wall_s", conc)),
		     vnum(b[1] + 64, thr(s, one, "wall_s", conc)));
	if (!strcmp(outcome, "INCONCLUSIVE"))
		rounds_needed(detail + k, 512 - (size_t)k, rise, pairs, RISE);
	return outcome;
}

/* met, not met or unclear: the range against a bar */
static const char *word(double lo, double hi, double bar)
{
	if (!isnan(lo) && lo >= bar)
		return "met";
	if (!isnan(hi) && hi < bar)
		return "not met";
	return !isnan(lo) ? "unclear (the interval holds the bar)" : "not measured";
}

/* R4 at TARGET_POP dynamic networks: the lines of its table */
static void targets(FILE *f, const struct vtab *t)
{
	int g = vpick(t, "dynamic", TARGET_POP, "gpu");
	double r1[3], r2[3], share;
	char b[3][128];

	if (g < 0) {
		fprintf(f, "| all | NOT RUN (no GPU run at %d dynamic networks) | - |\n", TARGET_POP);
		return;
	}
	vratio(t, g, vpick(t, "dynamic", TARGET_POP, "one"), "steps_per_s", r1);
	vratio(t, g, vpick(t, "dynamic", TARGET_POP, "all"), "steps_per_s", r2);
	share = vt_num(t, g, "transfer_share");
	fprintf(f, "| GPU ≥ %.0f× one core | %s | %s |\n", ONE_CORE_BAR, vrng(b[0], r1[0], r1[1], r1[2]),
		word(r1[1], r1[2], ONE_CORE_BAR));
	fprintf(f, "| GPU above all cores | %s | %s |\n", vrng(b[1], r2[0], r2[1], r2[2]), word(r2[1], r2[2], 1.0));
	fprintf(f, "| pack + transfers < %.0f%% of the GPU's evaluate | %s | %s |\n", TRANSFER_BAR * 100,
		vnum(b[2], share), isnan(share) ? "-" : share < TRANSFER_BAR ? "met" : "not met");
}

/* the verdict section: R1-R4's outcomes */
static void verdict(FILE *f, const struct vtab *t, const struct vtab *s, int cores, int trials, int conc)
{
	char d2[512], d3[512], be[512];
	const char *r2 = per_trial(NULL, s, trials, d2), *r3, *modes[] = { "dynamic", "static" };
	int stop, m;

	r3 = concurrency(NULL, s, conc, cores, d3, &stop);
	fprintf(f, "## Verdict\n\nBy the rules in `reports/evaluate_verdict.c` (R1-R4), on %d cores.\n\n", cores);
	fprintf(f, "- **Study, \"5-10× speedup per trial\" (R2): %s** (%s).\n", r2, d2);
	fprintf(f, "- **Study, \"still only 1 trial at a time per GPU\" (R3): %s** (%s)", r3, d3);
	if (stop)
		fprintf(f, "; throughput stops rising at %d job%s", stop, stop > 1 ? "s" : "");
	fprintf(f, ".\n");
	for (m = 0; m < 2; m++) {
		const char *outcome = break_even(t, modes[m], be);

		fprintf(f, "- **Break-even population, %s networks (R1): %s** — %s.\n", modes[m], outcome, be);
	}
	fprintf(f, "\nPerformance bars at %d dynamic networks (R4):\n\n", TARGET_POP);
	fprintf(f, "| target | measured [paired 95%% interval] | |\n| --- | ---: | --- |\n");
	targets(f, t);
	fprintf(f, "\n");
}

/* DIR/gpu-status, the run script's probe of `--device cuda`: "ran", or why not */
static void gpu_status(const struct report *r, char *status, size_t len)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gpu-status", r->dir);
	f = fopen(path, "r");
	snprintf(status, len, "not probed");
	if (!f)
		return;
	if (!fgets(status, (int)len, f))
		status[0] = 0;
	status[strcspn(status, "\r\n")] = 0;
	fclose(f);
}

/* the online cores the records' meta say (evaluate.tsv's cores column) */
static int cores_of(const struct vtab *t)
{
	int i, cores = 0;

	for (i = 0; i < t->nrow; i++)
		if (vt_num(t, i, "cores") > cores)
			cores = (int)vt_num(t, i, "cores");
	return cores;
}

static int write_part(struct report *r, FILE *f, const struct vtab *t, const struct vtab *s)
{
	int cores = cores_of(t), trials = r->o.trials > 0 ? r->o.trials : 1, stop, rc;
	char status[512], detail[512];
	struct vdevice d;

	gpu_status(r, status, sizeof(status));
	vdevice_read(r, &d);
	vsection_gpu(f, !strcmp(status, "ran"), &d, status, cores);
	verdict(f, t, s, cores, trials, r->o.shared_trials);
	rc = vsection_evaluate(r, f, t, !strcmp(status, "ran"), &d, cores);
	if (rc)
		return rc;
	per_trial(f, s, trials, detail);
	concurrency(f, s, r->o.shared_trials, cores, detail, &stop);
	return 0;
}

int evaluate_verdict_write(struct report *r)
{
	struct vtab t = { 0 }, s = { 0 };
	FILE *f = NULL;
	int rc;

	rc = vtab_load(r, "evaluate.tsv", eval_cols, &t);
	if (!rc)
		rc = vtab_load(r, "searches.tsv", search_cols, &s);
	if (rc)
		goto free_tabs;
	f = fopen(r->o.verdict, "w");
	if (!f) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "--verdict %s: %s", r->o.verdict, strerror(-rc));
		goto free_tabs;
	}
	rc = write_part(r, f, &t, &s);
	if (fclose(f) && !rc) {
		rc = -errno;
		snprintf(r->err, sizeof(r->err), "--verdict %s: write failed: %s", r->o.verdict, strerror(-rc));
	}
free_tabs:
	vtab_free(&s);
	vtab_free(&t);
	return rc;
}
