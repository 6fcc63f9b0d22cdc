/*
 * `evopar search` (see search.h): options, the records (meta, one trial record per finished
 * trial, summary), the stall report and the command; the space and one trial are trial.c's.
 */
#include <cblas.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/rng.h"
#include "strategies/strategy.h"
#include "harness/cli.h"
#include "harness/device.h"
#include "harness/records/records.h"
#include "proc/clock.h"
#include "harness/run.h"
#include "harness/search/resume.h"
#include "harness/search/search.h"
#include "harness/stall.h"

static const char *const mode_names[] = { "dynamic", "static", NULL };
static const char *const task_names[] = { "pole", "xor", NULL };

#define SO(field) offsetof(struct search_options, field)
#define SC(field) offsetof(struct search_options, run.cfg.evo.field)

const struct opt_spec search_opts[] = {
	{ "trials", OPT_INT, SO(trials), 1, 1000000, NULL, "trials (each a whole evolution per seed)" },
	{ "seeds", OPT_INT, SO(seeds), 1, 1000, NULL, "seeds per trial, run one after another; the value is their mean" },
	{ "jobs", OPT_INT, SO(jobs), 1, 4096, NULL, "trials in flight at once (workers or threads; mpi: -np K runs K-1)" },
	{ "backend", OPT_CHOICE, SO(backend), 0, 0, farm_names, "where trials run" },
	{ "space", OPT_STRING, SO(space_file), 0, 0, NULL, "search space file: lines 'OPTION float|int LOW HIGH' (none: built in)" },
	{ "resume", OPT_STRING, SO(resume), 0, 0, NULL, "records of an earlier search: its trials are kept, not run again" },
	{ "seed", OPT_U64, SC(seed), 0, 0, NULL, "study seed: keys the sampler and the trials' seeds" },
	{ "mode", OPT_CHOICE, SC(mode), 0, 0, mode_names, "network kind of every trial" },
	{ "task", OPT_CHOICE, SC(task), 0, 0, task_names, "task of every trial" },
	{ "pop", OPT_INT, SC(pop), 2, 1000000, NULL, "population of every trial" },
	{ "gens", OPT_INT, SC(gens), 1, 10000000, NULL, "generations of every trial" },
	{ "episodes", OPT_INT, SC(episodes), 1, 1000, NULL, "pole: episodes per network per generation" },
	{ "steps", OPT_INT, SC(steps), 1, 10000000, NULL, "pole: step limit of an episode" },
	{ "blas-threads", OPT_INT, offsetof(struct search_options, run.cfg.blas_threads), 0, 1024, NULL, "OpenBLAS threads per process (0: the library's default)" },
	{ "device", OPT_CHOICE, SO(run.device), 0, 0, device_names, "where every trial's evaluate phase runs: the CPU, or the GPU (pole task; backends sequential and threads: each trial its own stream)" },
	{ "out", OPT_STRING, SO(run.out), 0, 0, NULL, "JSON Lines records; '-' for stdout; appears when the search ends" },
	{ "trial-timeout", OPT_DOUBLE, SO(trial_timeout_s), 0.1, 604800, NULL, "seconds a trial may run before the search fails, naming its worker" },
	{ "stall-timeout", OPT_DOUBLE, SO(run.stall_timeout_s), 0, 604800, NULL, "seconds without a finished trial before the search fails, naming what it waited for (0: never)" },
	{ "quiet", OPT_FLAG, SO(run.quiet), 0, 0, NULL, "no progress or summary line; stderr only for errors and warnings" },
	{ "help", OPT_FLAG, SO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* ---- records ----------------------------------------------------------------------- */

static const char *search_status(int code)
{
	return code == 0 ? "ok" : code == EXIT_INTERRUPTED ? "interrupted" : "failed";
}

struct search_run {
	struct search_options o;
	struct search_space space;
	struct farm farm;
	struct output out;
	struct jw jw;
	struct resume resume;      /* --resume, opened and checked with the options */
	uint8_t *skip;
	uint8_t *recorded;         /* per trial: recorded by this search */
	uint8_t *handed;           /* the farm's handed: what the backend handed out */
	struct stall stall;        /* --stall-timeout */
	int done;                  /* trials recorded, resumed ones included */
	int run_here;              /* trials recorded that this search ran */
	double best_value;
	int best_trial;
	double trial_seconds;      /* sum of the trials' durations */
	double trial_cpu_s;
};

static void write_trial(struct search_run *s, const struct trial_result *r)
{
	struct jw *w = &s->jw;
	int i;

	jw_begin(w, "trial");
	jw_int(w, "id", r->id);
	jw_obj_begin(w, "params");
	for (i = 0; i < s->space.n; i++) {
		double v = space_draw(&s->space, i, s->o.run.cfg.evo.seed, r->id);

		/* an int parameter is an integer in every trial: one type per field */
		if (s->space.p[i].integer)
			jw_int(w, s->space.p[i].name, (long long)v);
		else
			jw_num(w, s->space.p[i].name, v);
	}
	jw_obj_end(w);
	jw_num(w, "value", r->value);
	jw_str(w, "status", r->failed ? "failed" : "ok");
	jw_int(w, "worker", r->worker);
	jw_int(w, "pid", r->pid);
	jw_str(w, "host", r->host);
	jw_num(w, "start_s", r->start_s);
	jw_num(w, "end_s", r->end_s);
	jw_num(w, "cpu_s", r->cpu_s);
	jw_int(w, "threads", r->threads);
	jw_end(w);
}

/*
 * Trials done of all, the time, the time left at this search's own pace so far (trials kept
 * by --resume took none of it) and the best value yet; on a terminal only.
 */
static void show_progress(const struct search_run *s, double elapsed)
{
	char best[48] = "best -";

	if (s->best_trial >= 0)
		snprintf(best, sizeof(best), "best %.4g (trial %d)", s->best_value, s->best_trial);
	cli_progress(s->o.run.quiet, "trial %d/%d  elapsed %.1f s  remaining %.1f s  %s", s->done,
		     s->o.trials, elapsed, s->run_here ? elapsed / s->run_here * (s->o.trials - s->done) : 0.0,
		     best);
}

/* The one line at the end: how the search ended, its best trial, where the records went. */
static void show_summary(const struct search_run *s, int code, double wall_s, int written)
{
	char figure[128];
	int n = snprintf(figure, sizeof(figure), "%d of %d trials", s->done, s->o.trials);

	if (s->best_trial >= 0)
		snprintf(figure + n, sizeof(figure) - (size_t)n, ", best value %.6g (trial %d)",
			 s->best_value, s->best_trial);
	cli_summary(s->o.run.quiet, "search", &(struct cli_end){ .status = search_status(code),
		    .wall_s = wall_s, .figure = figure, .what = "records", .out = s->o.run.out,
		    .written = written });
}

static int emit_trial(struct farm *f, const struct trial_result *r)
{
	struct search_run *s = f->emit_ctx;

	write_trial(s, r);
	stall_progress(&s->stall);
	if (r->id >= 0 && r->id < s->o.trials)
		s->recorded[r->id] = 1;
	s->done++;
	s->trial_seconds += r->end_s - r->start_s;
	s->trial_cpu_s += r->cpu_s;
	if (!r->failed && (s->best_trial < 0 || r->value > s->best_value)) {
		s->best_value = r->value;
		s->best_trial = r->id;
	}
	s->run_here++;
	show_progress(s, proc_now_s() - f->t0);
	return output_write(&s->out, &s->jw);
}

static void write_summary(struct search_run *s, const char *status, double wall_s)
{
	struct summary sm;

	summary_init(&sm, SUMMARY_SEARCH, status);
	summary_take_rusage(&sm);
	sm.error = s->farm.err[0] ? s->farm.err : NULL;
	sm.worker = s->farm.fail_worker;
	sm.worker_pid = s->farm.fail_pid;
	sm.backend = farm_names[s->o.backend];
	sm.jobs = s->farm.jobs;
	sm.worker_blas_threads = s->farm.worker_blas_threads;
	sm.mpi_ranks = s->farm.mpi_ranks;
	sm.trials_done = s->done;
	sm.wall_s = wall_s;
	sm.trial_seconds = s->trial_seconds;
	sm.trial_cpu_s = s->trial_cpu_s;
	sm.cpu_s = timeval_s(sm.self.ru_utime) + timeval_s(sm.self.ru_stime) +
		   timeval_s(sm.children.ru_utime) + timeval_s(sm.children.ru_stime);
	sm.best_trial = s->best_trial;
	sm.best_value = s->best_value;
	summary_write(&s->jw, &sm);
	output_write(&s->out, &s->jw);
}

/* Up to 8 of the trials that are pending and (handed: handed out) as "3, 5, ..."; how many. */
static int list_trials(const struct search_run *s, int handed, char *buf, size_t len)
{
	size_t at = 0;
	int id, n = 0;

	buf[0] = 0;
	for (id = 0; id < s->o.trials; id++) {
		if (s->skip[id] || s->recorded[id] || (handed && !s->farm.handed[id]))
			continue;
		if (n < 8 && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%d", n ? ", " : "", id);
		else if (n == 8 && at < len)
			at += (size_t)snprintf(buf + at, len - at, ", ...");
		n++;
	}
	return n;
}

/* The watchdog fired: say what the search was waiting for, as far as the backend told. */
static void stall_report(struct search_run *s)
{
	const char *backend = farm_names[s->o.backend];
	char list[128];
	int n = list_trials(s, 1, list, sizeof(list));

	if (n)
		snprintf(s->farm.err, sizeof(s->farm.err), "no trial finished for %g s: waiting for "
			 "trial%s %s (%s, %d jobs)", s->o.run.stall_timeout_s, n > 1 ? "s" : "", list,
			 backend, s->farm.jobs);
	else if ((n = list_trials(s, 0, list, sizeof(list))))
		snprintf(s->farm.err, sizeof(s->farm.err), "no trial finished for %g s: waiting for "
			 "the trials in flight among the %d not yet recorded: %s (%s, %d jobs)",
			 s->o.run.stall_timeout_s, n, list, backend, s->farm.jobs);
	else
		snprintf(s->farm.err, sizeof(s->farm.err), "no trial finished for %g s: every trial "
			 "is recorded, waiting for the %s backend to end", s->o.run.stall_timeout_s, backend);
	s->farm.fail_worker = -1;
}

/*
 * jobs x BLAS threads per process against the online cores: more threads wanted than cores
 * is the oversubscription that slows every trial (the threads backend shares one BLAS pool
 * between its jobs, so for it this is what its jobs ask for at most, not what runs)
 */
static void write_oversubscription(struct search_run *s)
{
	const char *backend = farm_names[s->o.backend], *size = getenv("OMPI_COMM_WORLD_SIZE");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = s->o.jobs, blas = openblas_get_num_threads();

	if (!strcmp(backend, "sequential"))
		jobs = 1;
	else if (!strcmp(backend, "mpi"))
		jobs = size && atoi(size) > 1 ? atoi(size) - 1 : 1;
	if (!strcmp(backend, "thread-limited"))
		blas = 1;
	jw_obj_begin(&s->jw, "oversubscription");
	jw_int(&s->jw, "jobs", jobs);
	jw_int(&s->jw, "blas_threads", blas);
	jw_int(&s->jw, "jobs_x_blas_threads", (long long)jobs * blas);
	jw_int(&s->jw, "online_cores", cores);
	jw_bool(&s->jw, "exceeds_cores", (long)jobs * blas > cores);
	jw_obj_end(&s->jw);
}

void search_options_defaults(struct search_options *o)
{
	memset(o, 0, sizeof(*o));
	run_options_defaults(&o->run);
	o->run.cfg.evo.gens = 20;
	o->trials = 8;
	o->seeds = 2;
	o->jobs = 2;
	o->trial_timeout_s = 3600;
}

static void usage(FILE *f)
{
	struct search_options d;

	search_options_defaults(&d);
	fprintf(f, "usage: evopar search [options]\n"
		   "       mpirun -np K evopar search --backend mpi [options]\n\n"
		   "Run --trials trials, each a whole evolution for each of --seeds seeds, with\n"
		   "hyperparameters drawn from a search space by a sampler keyed by (study seed, trial),\n"
		   "so every backend runs the same trials. Records: meta, one trial record per trial,\n"
		   "a summary. Exit codes: 0 done, 2 bad options, 3 failed, 130 interrupted.\n\n"
		   "backends:\n");
	for (size_t i = 0; farm_at(i); i++)
		fprintf(f, "  %-16s %s\n", farm_at(i)->name, farm_at(i)->summary);
	fprintf(f, "\noptions:\n");
	options_help(f, search_opts, &d);
}

static volatile sig_atomic_t search_stop;

static void on_stop(int sig)
{
	search_stop = sig;
	strategy_request_stop(sig);
}

/* The farm for the backend, its clock started, and stop signals caught from here on. */
static void search_start(struct search_run *s)
{
	proc_catch_stop(on_stop);
	s->farm = (struct farm){ .o = &s->o, .space = &s->space, .t0 = proc_now_s(), .skip = s->skip,
				 .emit = emit_trial, .emit_ctx = s, .handed = s->handed, .fail_worker = -1,
				 .jobs = s->o.jobs };
}

/*
 * A failure outranks a stop signal that came with it (mpirun's SIGTERM after a rank died);
 * a stall is a failure, though the waits it cut short ended as if stopped.
 */
static int search_code(struct search_run *s, int rc)
{
	if ((rc && rc != -EINTR) || stall_fired(&s->stall))
		return EXIT_FAILED;
	return rc || search_stop ? EXIT_INTERRUPTED : 0;
}

/* A process that only serves trials to another (an MPI rank other than 0): no output. */
static int search_serve(struct search_run *s, const struct farm_ops *ops)
{
	int rc;

	search_start(s);
	s->farm.emit = NULL;
	rc = ops->run(&s->farm);
	if (rc && rc != -EINTR && s->farm.err[0])
		fprintf(stderr, "evopar search: %s\n", s->farm.err);
	return search_code(s, rc);
}

/*
 * --device cuda: trials that share the GPU as threads of this process (a CUDA context does
 * not survive fork), the pole task, and a GPU here; 0, or -1 with one line in err.
 */
static int search_device_check(const struct search_run *s, const struct farm_ops *ops,
			       char *err, size_t errlen)
{
	const char *why;

	if (s->o.run.device == DEVICE_CPU)
		return 0;
	if (device_check_workload(s->o.run.device, s->o.run.cfg.evo.task, "sequential", err, errlen))
		return -1;
	if (strcmp(ops->name, "sequential") && strcmp(ops->name, "threads")) {
		snprintf(err, errlen, "--device cuda: trials share the GPU as threads of this process: "
			 "--backend sequential or threads, not %s", ops->name);
		return -1;
	}
	why = device_unavailable(s->o.run.device);
	if (why)
		snprintf(err, errlen, "--device %s: %s", device_names[s->o.run.device], why);
	return why ? -1 : 0;
}

/*
 * Options, the backend, the space and the per-trial maps; -1 to go on, or the exit code
 * (0 after --help, EXIT_USAGE for a bad command line), its one line said.
 */
static int search_setup(struct search_run *s, int argc, char **argv, const struct farm_ops **ops)
{
	char err[512];

	search_options_defaults(&s->o);
	s->best_trial = -1;
	s->farm.fail_worker = -1;
	if (options_parse(search_opts, &s->o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		return EXIT_USAGE;
	}
	if (s->o.help)
		return options_answer(s->o.help, usage);
	*ops = farm_at((size_t)s->o.backend);
	if ((*ops)->supported && (*ops)->supported(&s->o)) {
		fprintf(stderr, "evopar search: --backend %s: %s\n", (*ops)->name, (*ops)->supported(&s->o));
		return EXIT_USAGE;
	}
	if (search_device_check(s, *ops, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		return EXIT_USAGE;
	}
	space_default(&s->space);
	if (s->o.space_file && space_load(&s->space, s->o.space_file, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		return EXIT_USAGE;
	}
	/* where records are written: a rank that only serves trials has no use for --resume */
	if (s->o.resume && !((*ops)->writes_records && !(*ops)->writes_records()) &&
	    resume_open(&s->resume, &s->o, &s->space, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		return EXIT_USAGE;
	}
	if (!((*ops)->writes_records && !(*ops)->writes_records()) &&
	    options_check_output("out", s->o.run.out, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		return EXIT_USAGE;
	}
	s->skip = calloc((size_t)s->o.trials, 1);
	s->recorded = calloc((size_t)s->o.trials, 1);
	s->handed = calloc((size_t)s->o.trials, 1);
	if (!s->skip || !s->recorded || !s->handed) {
		fprintf(stderr, "evopar search: out of memory\n");
		return EXIT_FAILED;
	}
	/* before the branch: an MPI rank that only serves trials runs them with it too */
	if (s->o.run.cfg.blas_threads)
		openblas_set_num_threads(s->o.run.cfg.blas_threads);
	return -1;
}

/* The farm under the watchdog; the exit code, with the stall named in farm.err if it fired. */
static int search_watched(struct search_run *s, const struct farm_ops *ops)
{
	char err[160];
	int rc;

	search_start(s);
	if (stall_start(&s->stall, s->o.run.stall_timeout_s, NULL, NULL, err, sizeof(err))) {
		snprintf(s->farm.err, sizeof(s->farm.err), "%s", err);
		return EXIT_FAILED;
	}
	rc = ops->run(&s->farm);
	stall_stop(&s->stall);
	if (stall_fired(&s->stall))
		stall_report(s);
	return search_code(s, rc);
}

/* The trials --resume keeps, copied after meta; -EIO (said) when its file cannot be read. */
static int keep_resumed(struct search_run *s)
{
	int kept = resume_copy(&s->resume, &s->out, s->skip, s->o.trials);

	if (kept == -EIO) {
		fprintf(stderr, "evopar search: --resume %s: read failed\n", s->resume.path);
		return kept;
	}
	/* below 0: a write error, which output_commit will say */
	s->done += kept > 0 ? kept : 0;
	if (!s->o.run.quiet && kept >= 0)
		fprintf(stderr, "evopar search: resuming: %d trials kept from %s\n", kept, s->resume.path);
	return 0;
}

/* meta, the kept trials of --resume, the trials, the summary, and the file into place */
static int search_records(struct search_run *s, const struct farm_ops *ops)
{
	char err[512];
	double wall_s;
	int code, written = 1;

	if (output_open(&s->out, s->o.run.out, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		return EXIT_FAILED;
	}
	meta_begin(&s->jw, "search", search_opts, &s->o);
	write_oversubscription(s);
	resume_write_space(&s->jw, &s->space);
	jw_end(&s->jw);
	output_write(&s->out, &s->jw);
	if (s->resume.f && keep_resumed(s)) {
		output_discard(&s->out);
		return EXIT_FAILED;
	}
	/* a write error already: no trial is run for a file that cannot be published */
	code = s->out.error ? EXIT_FAILED : search_watched(s, ops);
	cli_progress_end(s->o.run.quiet);
	wall_s = proc_now_s() - s->farm.t0;
	write_summary(s, search_status(code), wall_s);
	if (output_commit(&s->out, err, sizeof(err))) {
		fprintf(stderr, "evopar search: %s\n", err);
		code = EXIT_FAILED;
		written = 0;
	}
	if (code == EXIT_FAILED && s->farm.err[0])
		fprintf(stderr, "evopar search: %s\n", s->farm.err);
	show_summary(s, code, wall_s, written);
	return code;
}

int cmd_search(int argc, char **argv)
{
	struct search_run *s = calloc(1, sizeof(*s));
	const struct farm_ops *ops = NULL;
	int code;

	if (!s)
		return EXIT_FAILED;
	code = search_setup(s, argc, argv, &ops);
	if (code < 0)
		code = ops->writes_records && !ops->writes_records() ? search_serve(s, ops) :
		       search_records(s, ops);
	resume_close(&s->resume);
	jw_release(&s->jw);
	free(s->skip);
	free(s->recorded);
	free(s->handed);
	free(s);
	return code;
}

static void search_doc_defaults(void *o)
{
	search_options_defaults(o);
}

const struct cli_doc search_doc = { search_opts, usage, search_doc_defaults,
				    sizeof(struct search_options), CLI_NO_OPERANDS };
