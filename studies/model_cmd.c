/*
 * `evopar study model`: the command and its within-generation part. Every case is predicted by
 * advise's probe and model first; then sequential and every strategy at 1..cores workers are
 * run afresh (`evopar run`), a round in each step after its probe, and compared with the
 * prediction.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli.h"
#include "harness/options.h"
#include "harness/records/meta.h"
#include "harness/run.h"
#include "proc/clock.h"
#include "reports/stats.h"
#include "studies/model.h"
#include "studies/studies.h"

static const char *const scale_names[] = { "full", "small", NULL };

struct sm_options {
	int scale;                /* 0 full, 1 small */
	int gens, reps, cores, trials;
	const char *project, *out, *report;
	int quiet, help;
};

#define SO(f) offsetof(struct sm_options, f)

static const struct opt_spec sm_opts[] = {
	{ "scale", OPT_CHOICE, SO(scale), 0, 0, scale_names, "full: populations 50, 500, 5000 x both modes x spin 1000, 10000, 30000, and searches of trials of population 50, 100, 200; small: population 50, both modes, spin 1000, one search (a test's size)" },
	{ "gens", OPT_INT, SO(gens), 3, 1000, NULL, "generations of every measured run and probe run (0: the probe's, about 0.25 s of sequential generations, those of the first 50 ms left out; small 4, generation 0 left out)" },
	{ "reps", OPT_INT, SO(reps), 0, SM_MAX_REPS, NULL, "rounds of measurement (0: 5, small 2)" },
	{ "cores", OPT_INT, SO(cores), 0, ADVISE_MAX_CORES, NULL, "workers 1..N (0: the cores this process may use)" },
	{ "trials", OPT_INT, SO(trials), 0, SM_MAX_TRIALS, NULL, "trials of every search, probed (each at 1 job) and measured (0: 8, small 4)" },
	{ "project", OPT_STRING, SO(project), 0, 0, NULL, "a costs file (evopar advise --costs) to project from: jobs and BLAS threads varied, what reaches 15x" },
	{ "out", OPT_STRING, SO(out), 0, 0, NULL, "JSON Lines records: every prediction with its measurement; '-' for stdout" },
	{ "report", OPT_STRING, SO(report), 0, 0, NULL, "the report (markdown); none: on stdout" },
	{ "quiet", OPT_FLAG, SO(quiet), 0, 0, NULL, "no progress lines" },
	{ "help", OPT_FLAG, SO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void sm_defaults(struct sm_options *o)
{
	memset(o, 0, sizeof(*o));
	o->out = "model.jsonl";
}

static void usage(FILE *f)
{
	struct sm_options d;

	sm_defaults(&d);
	fprintf(f, "usage: evopar study model [options]\n\n"
		   "How often evopar advise is right. For every case (population, network mode, evaluation\n"
		   "length of the spin task) advise's probe measures and the model predicts first; then\n"
		   "sequential and every strategy at 1..cores workers run afresh, in rounds, and each prediction\n"
		   "is compared with its measurement: the error (median, worst, the worst cases listed) and how\n"
		   "often the recommendation was the fastest measured (or within the paired interval of it).\n"
		   "Then the same for the search backends at trial level. Exit codes: 0; 2 bad options;\n"
		   "3 a run failed.\n\noptions:\n");
	options_help(f, sm_opts, &d);
}

/* one fresh run of the case's configuration: the median total ms of its generations past the
   warm-up */
static int measure_run(const struct sm_study *st, const struct sm_case *c, const struct sm_row *r, double *ms,
		       char *err, size_t errlen)
{
	double g[ADVISE_MAX_GENS * 4][ADVISE_SLOTS], tot[ADVISE_MAX_GENS * 4];
	const struct evo_config *evo = &c->how.gen.evo;
	int i, warm = c->how.gen.warm, rc = advise_run_child(st->self_exe, evo, r->name, r->workers, evo->gens, g,
							      err, errlen);

	for (i = warm; !rc && i < evo->gens; i++)
		tot[i - warm] = g[i][MODEL_PHASES];
	if (!rc)
		*ms = stats_median(tot, evo->gens - warm);
	return rc;
}

/* the case's rows from its predictions, its rounds to come */
static int add_case(struct sm_study *st, const struct advise_probe *pr,
		    const struct advise_result *res, const char *label, char *err, size_t errlen)
{
	int first = st->n_rows, i;
	struct sm_case *c;

	if (first + res->n > SM_MAX_ROWS) {
		snprintf(err, errlen, "study model: more than %d configurations", SM_MAX_ROWS);
		return -E2BIG;
	}
	c = sm_case_add(st, label, "generation", first, res->n, first + res->best, measure_run, err, errlen);
	if (!c)
		return -E2BIG;
	/* the probe's run (unless --gens says), its warm-up left out as the probe left it */
	c->how.gen.evo = pr->evo;
	c->how.gen.evo.gens = st->gens ? st->gens : pr->gens;
	c->how.gen.warm = pr->first;
	c->capacity = pr->machine.capacity[pr->machine.cores - 1];
	for (i = 0; i < res->n; i++) {
		struct sm_row *r = &st->rows[st->n_rows++];

		memset(r, 0, sizeof(*r));
		snprintf(r->label, sizeof(r->label), "%s", label);
		snprintf(r->name, sizeof(r->name), "%s", res->pred[i].name);
		r->workers = res->pred[i].workers;
		r->is_reference = i == 0;
		r->pred = res->pred[i].ms;
		r->pred_lo = res->pred[i].ms_lo;
		r->pred_hi = res->pred[i].ms_hi;
	}
	return 0;
}

static int run_case(struct sm_study *st, int mode, int pop, int spin, char *err, size_t errlen)
{
	struct advise_probe *pr = calloc(1, sizeof(*pr));
	struct advise_result *res = calloc(1, sizeof(*res));
	char label[96];
	int rc = pr && res ? 0 : -ENOMEM;

	snprintf(label, sizeof(label), "%s pop %d spin %d", mode ? "static" : "dynamic", pop, spin);
	sm_case_begins(st, label);
	if (!rc) {
		evo_config_defaults(&pr->evo);
		pr->evo.mode = mode;
		pr->evo.task = TASK_SPIN;
		pr->evo.pop = pop;
		pr->evo.spin = spin;
		pr->evo.gens = st->gens ? st->gens : ADVISE_MAX_GENS;   /* 0: the probe's budget decides */
		pr->cores = st->cores;
		rc = advise_probe_run(pr, err, errlen);
	}
	if (!rc)
		rc = advise_predict(pr, res, err, errlen);
	if (!rc) {
		st->pipe_rtt_ms = pr->cal.floors[FLOOR_PIPE_RTT].median_us / 1e3;
		st->fork_ms = pr->cal.floors[FLOOR_FORK_WAIT].median_us / 1e3;
		st->thread_ms = pr->cal.floors[FLOOR_THREAD].median_us / 1e3;
		rc = add_case(st, pr, res, label, err, errlen);
	}
	if (pr)
		advise_probe_release(pr);
	free(pr);
	free(res);
	return rc;
}

static int run_generations(struct sm_study *st, int small, char *err, size_t errlen)
{
	static const int pops[] = { 50, 500, 5000 }, spins[] = { 1000, 10000, 30000 };
	int np = small ? 1 : 3, ns = small ? 1 : 3, a, b, mode, rc = 0;

	for (a = 0; !rc && a < np; a++)
		for (mode = 0; !rc && mode < 2; mode++)
			for (b = 0; !rc && b < ns; b++)
				if (!(rc = run_case(st, mode, pops[a], spins[b], err, errlen)))
					rc = sm_measure_step(st, 0, err, errlen);
	if (!rc)
		rc = sm_measure_cases(st, 0, err, errlen);
	st->gen_rows = st->n_rows;
	st->gen_cases = st->n_cases;
	return rc;
}

static int sm_setup(struct sm_study *st, const struct sm_options *o, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	st->gens = o->gens ? o->gens : o->scale ? 4 : 0;
	st->reps = o->reps ? o->reps : o->scale ? 2 : 5;
	st->trials = o->trials ? o->trials : o->scale ? 4 : 8;
	st->cpus = proc_usable_cpus();
	st->cores = o->cores ? o->cores : st->cpus;
	st->cores = st->cores < 1 ? 1 : st->cores > ADVISE_MAX_CORES ? ADVISE_MAX_CORES : st->cores;
	st->project = o->project;
	st->quiet = o->quiet;
	if (st->gens > ADVISE_MAX_GENS * 4) {
		snprintf(err, errlen, "--gens: at most %d", ADVISE_MAX_GENS * 4);
		return -EINVAL;
	}
	if (readlink("/proc/self/exe", st->self_exe, sizeof(st->self_exe) - 1) < 0) {
		snprintf(err, errlen, "/proc/self/exe: %s", strerror(errno));
		return -errno;
	}
	st->rows = calloc(SM_MAX_ROWS, sizeof(*st->rows));
	if (!st->rows) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int check_paths(const struct sm_options *o, char *err, size_t errlen)
{
	FILE *f;

	if (o->project) {
		f = options_open_input("project", o->project, err, errlen);
		if (!f)
			return -1;
		fclose(f);
	}
	if (o->report && options_check_output("report", o->report, err, errlen))
		return -1;
	return options_check_output("out", o->out, err, errlen);
}

static int sm_finish(struct sm_study *st, const struct sm_options *o, int rc, char *err, size_t errlen)
{
	FILE *f = o->report ? fopen(o->report, "w") : stdout;

	if (getloadavg(&st->load_end, 1) != 1)
		st->load_end = -1;
	if (!rc && f) {
		sm_report(f, st);
		if (f != stdout && fclose(f))
			rc = -EIO;
	}
	if (!f)
		rc = -errno;
	if (!rc && output_commit(&st->out, err, errlen))
		rc = -EIO;
	else if (rc)
		output_discard(&st->out);
	jw_release(&st->jw);
	free(st->rows);
	return rc;
}

/* the closing line: each part's errors and recommendations against the goals, where they went
   (printed under --quiet too, which leaves out the progress lines only) */
static void summary_line(const struct sm_study *st, const struct sm_summary *s, const struct sm_options *o)
{
	char figure[4400];
	int i, len = 0;

	for (i = 0; i < 2; i++)
		len += snprintf(figure + len, sizeof(figure) - (size_t)len,
				"%s: error median %.1f%%, worst %.1f%% (%s), right in %d of %d (%s); ",
				i ? "searches" : "within a generation", s[i].median * 100, s[i].worst * 100,
				s[i].errors_met ? "met" : "not met", s[i].right, s[i].cases,
				s[i].right_met ? "met" : "not met");
	snprintf(figure + len, sizeof(figure) - (size_t)len, "report in %s", o->report ? o->report : "standard output");
	cli_summary(0, "study model", &(struct cli_end){ .status = "ok", .wall_s = st->elapsed_s, .figure = figure,
		    .what = "records", .out = o->out, .written = 1 });
}

int study_model_main(int argc, char **argv)
{
	struct sm_options o;
	struct sm_study st;
	struct sm_summary sum[2];
	char err[1024] = "";
	double t0 = proc_now_s();
	int rc;

	sm_defaults(&o);
	if (options_parse(sm_opts, &o, argc, argv, err, sizeof(err)) || (!o.help && check_paths(&o, err, sizeof(err)))) {
		fprintf(stderr, "evopar study model: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.help)
		return options_answer(o.help, usage);
	rc = sm_setup(&st, &o, err, sizeof(err));
	if (!rc)
		rc = output_open(&st.out, o.out, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "evopar study model: %s\n", err);
		free(st.rows);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	if (getloadavg(&st.load_start, 1) != 1)
		st.load_start = -1;
	meta_write(&st.jw, "study model", sm_opts, &o);
	output_write(&st.out, &st.jw);
	rc = run_generations(&st, o.scale, err, sizeof(err));
	if (!rc)
		rc = sm_searches(&st, o.scale, err, sizeof(err));
	st.elapsed_s = proc_now_s() - t0;
	sm_summarize(&st, 0, &sum[0]);
	sm_summarize(&st, 1, &sum[1]);
	rc = sm_finish(&st, &o, rc, err, sizeof(err));
	if (rc)
		fprintf(stderr, "evopar study model: %s\n", err[0] ? err : strerror(-rc));
	else
		summary_line(&st, sum, &o);
	return rc ? EXIT_FAILED : 0;
}
