/*
 * `evopar run`: one evolution under one strategy. It validates the options, runs the
 * generations phase by phase with a clock around each, and writes meta, one generation
 * record per generation and a summary; the file appears when the run has ended.
 */
#include <cblas.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/distance.h"
#include "engine/task.h"
#include "proc/clock.h"
#include "strategies/strategy.h"
#include "harness/cli.h"
#include "harness/copies.h"
#include "harness/device.h"
#include "strategies/common/balance.h"
#include "harness/instruments/counters.h"
#include "harness/records/meta.h"
#include "harness/options.h"
#include "harness/records/record.h"
#include "harness/records/summary.h"
#include "harness/run.h"
#include "harness/instruments/sampler.h"
#include "harness/stall.h"

#define MAX_ORIGINS 64
#define AT_OPEN (-1)                  /* at_phase: the strategy is starting */
#define AT_SYNC (-2)                  /* at_phase: generations done, the population coming back */

struct gen_stats {
	int origins;                  /* islands seen; 0 outside islands */
	double origin_share[MAX_ORIGINS];
	double ms[PHASE_COUNT];
	double comm_ms[PHASE_COUNT];
	double best, mean;
	double mean_nodes, mean_conns;
	uint64_t work;                /* evaluate's work: this process's and the strategy's others' */
};

struct run_state {
	struct run_options o;
	const struct strategy_ops *ops;
	struct strategy strat;
	struct population pop;
	struct output out;
	struct jw jw;
	double t_start;
	double best_ever;
	int gens_done;
	int fail_phase;               /* the phase that failed, or -1 */
	int fail_gen;                 /* the generation it failed in */
	int synced;                   /* p->nets holds the final population */
	char err[STRATEGY_ERRLEN + 64];   /* room for the strategy's message and context */
	struct sampler sampler;       /* threads and processes of the tree, from /proc */
	struct counters ctr;          /* PAPI counters over the tree */
	char sampler_err[128];        /* why the sampler did not start; the run goes on */
	struct rusage ru_start;       /* the process's own usage when the run's clock started */
	char self_exe[4096];          /* this program, for strategies that exec it */
	struct stall stall;           /* --stall-timeout */
	struct device dev;            /* --device: cuda plays the evaluate phase */
	volatile sig_atomic_t at_gen, at_phase;   /* where the run is, for the watchdog: a
						     phase, or AT_OPEN, AT_SYNC */
	volatile sig_atomic_t stall_gen, stall_phase;   /* where it was when the watchdog fired */
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
	strategy_request_stop(sig);
}

static void catch_stop_signals(void)
{
	proc_catch_stop(on_stop_signal);
	/* a worker that died must be an error on write (EPIPE), not the end of the run */
	signal(SIGPIPE, SIG_IGN);
}

static void usage(FILE *f)
{
	struct run_options d;

	run_options_defaults(&d);
	fprintf(f, "usage: evopar run [options]\n\n"
		   "Evolve a population for --gens generations under one strategy and write JSON Lines\n"
		   "records: meta, one generation record per generation, and a summary with the digest\n"
		   "of the final population. Exit codes: 0 done, 2 bad options (nothing written),\n"
		   "3 the run failed, 130 interrupted by SIGINT or SIGTERM.\n\noptions:\n");
	options_help(f, run_opts, &d);
}

static void collect_stats(const struct population *p, const struct strategy_config *cfg,
			  struct gen_stats *g)
{
	double sum = 0.0, nodes = 0.0, conns = 0.0;
	int i;

	g->best = p->nets[0].fitness;
	for (i = 0; i < p->n; i++) {
		const struct net *n = &p->nets[i];

		sum += n->fitness;
		if (n->fitness > g->best)
			g->best = n->fitness;
		if (n->mode == MODE_STATIC) {
			nodes += n->n_in + 1 + 2 * n->hidden + n->n_out;
			conns += n->n_weights;
		} else {
			nodes += n->n_nodes;
			conns += n->n_conns;
		}
	}
	g->mean = sum / p->n;
	for (i = 0; i < p->n; i++) {
		uint32_t o = p->nets[i].origin < MAX_ORIGINS ? p->nets[i].origin : MAX_ORIGINS - 1;

		g->origin_share[o] += 1.0 / p->n;
	}
	/* a share for every island, 0 for one whose genomes have all gone */
	g->origins = cfg->islands < MAX_ORIGINS ? cfg->islands : MAX_ORIGINS;
	if (cfg->islands < 2 || strcmp(cfg->strategy, "islands"))
		g->origins = 0;
	g->mean_nodes = nodes / p->n;
	g->mean_conns = conns / p->n;
}

/* One generation: the four phases, each timed; 0, or the error of the phase that failed. */
static int run_generation(struct run_state *r, struct gen_stats *g)
{
	struct strategy *s = &r->strat;
	struct population *p = &r->pop;
	int (*const hooks[PHASE_COUNT])(struct strategy *, struct population *) = {
		r->ops->mutate, r->ops->prepare, r->ops->evaluate, r->ops->resample,
	};
	double t = proc_now_s(), t_next;
	uint64_t work0 = engine_work_done();
	int ph, rc;

	population_begin_generation(p);
	memset(s->comm_ms, 0, sizeof(s->comm_ms));
	memset(s->busy_ms, 0, sizeof(s->busy_ms));
	s->work = 0;
	r->at_gen = p->gen;
	for (ph = 0; ph < PHASE_COUNT; ph++) {
		r->at_phase = ph;
		if (ph == PHASE_RESAMPLE) {
			collect_stats(p, &r->o.cfg, g);
			if (r->ops->sizes)
				r->ops->sizes(s, p, &g->mean_nodes, &g->mean_conns);
			engine_select(p);
		}
		rc = ph == PHASE_EVALUATE && r->dev.kind != DEVICE_CPU ?
		     device_evaluate(&r->dev, s, p) : hooks[ph](s, p);
		t_next = proc_now_s();
		g->ms[ph] = (t_next - t) * 1e3;
		t = t_next;
		if (rc) {
			r->fail_phase = ph;
			r->fail_gen = p->gen;
			return rc;
		}
		if ((stop_signal || stall_fired(&r->stall)) && ph != PHASE_RESAMPLE)
			return -EINTR;
	}
	memcpy(g->comm_ms, s->comm_ms, sizeof(g->comm_ms));
	g->work = engine_work_done() - work0 + s->work;
	return 0;
}

static void write_origins(struct jw *w, const struct gen_stats *g)
{
	if (g->origins)
		jw_nums(w, "origin_share", g->origin_share, g->origins);
}

/*
 * Each worker's busy time per phase and the imbalance (max busy / mean busy). A phase the
 * strategy left all zero ran in the main process alone: one worker, the phase's time. The
 * total sums, per worker, the phases spread over the workers (1 when none was).
 */
static void write_busy(struct jw *w, const struct strategy *s, const struct gen_stats *g)
{
	double total[STRATEGY_MAX_WORKERS] = { 0 }, imbalance[PHASE_COUNT];
	int ph, i, n = s->workers < STRATEGY_MAX_WORKERS ? s->workers : STRATEGY_MAX_WORKERS;
	int spread[PHASE_COUNT], any = 0;

	jw_obj_begin(w, "busy_ms");
	for (ph = 0; ph < PHASE_COUNT; ph++) {
		for (i = 0, spread[ph] = 0; i < n; i++)
			spread[ph] |= s->busy_ms[ph][i] > 0;
		any |= spread[ph];
		jw_nums(w, phase_names[ph], spread[ph] ? s->busy_ms[ph] : &g->ms[ph], spread[ph] ? n : 1);
		imbalance[ph] = spread[ph] ? balance_imbalance(s->busy_ms[ph], n) : 1.0;
		for (i = 0; spread[ph] && i < n; i++)
			total[i] += s->busy_ms[ph][i];
	}
	jw_obj_end(w);
	jw_obj_begin(w, "imbalance");
	for (ph = 0; ph < PHASE_COUNT; ph++)
		jw_num(w, phase_names[ph], imbalance[ph]);
	jw_num(w, "total", any ? balance_imbalance(total, n) : 1.0);
	jw_obj_end(w);
}

static int write_generation(struct run_state *r, const struct gen_stats *g)
{
	struct jw *w = &r->jw;
	int ph;

	jw_begin(w, "generation");
	jw_int(w, "gen", r->pop.gen);
	jw_obj_begin(w, "ms");
	for (ph = 0; ph < PHASE_COUNT; ph++)
		jw_num(w, phase_names[ph], g->ms[ph]);
	jw_num(w, "total", g->ms[0] + g->ms[1] + g->ms[2] + g->ms[3]);
	jw_obj_end(w);
	jw_obj_begin(w, "comm_ms");
	for (ph = 0; ph < PHASE_COUNT; ph++)
		jw_num(w, phase_names[ph], g->comm_ms[ph]);
	jw_obj_end(w);
	jw_num(w, "best_fitness", g->best);
	jw_num(w, "mean_fitness", g->mean);
	jw_num(w, "mean_nodes", g->mean_nodes);
	jw_num(w, "mean_conns", g->mean_conns);
	jw_int(w, "steps", (long long)g->work);
	write_origins(w, g);
	device_write_generation(w, &r->dev);
	write_busy(w, &r->strat, g);
	jw_end(w);
	return output_write(&r->out, w);
}

/* A problem the strategy survived (a corrupt migrant file, say) becomes a warning record. */
static int write_warning(struct run_state *r)
{
	struct jw *w = &r->jw;

	if (!r->strat.warning[0])
		return 0;
	jw_begin(w, "warning");
	jw_int(w, "gen", r->pop.gen);
	jw_str(w, "message", r->strat.warning);
	jw_end(w);
	r->strat.warning[0] = 0;
	return output_write(&r->out, w);
}

/* The strategy's own records (the islands' migration log), as it wrote them. */
static int write_strategy_records(struct run_state *r)
{
	struct jw raw = { .buf = r->strat.records, .len = r->strat.records_len };

	if (!r->strat.records_len)
		return 0;
	r->strat.records_len = 0;
	return output_write(&r->out, &raw);
}

/* One line on stderr, redrawn, at most ten times a second; only on a terminal. */
static void show_progress(struct run_state *r, int done)
{
	static double last;
	double now = proc_now_s(), elapsed = now - r->t_start;

	if (now - last < 0.1 && done < r->o.cfg.evo.gens)
		return;
	last = now;
	cli_progress(r->o.quiet, "generation %d/%d  elapsed %.1f s  remaining %.1f s  best %.3f",
		     done, r->o.cfg.evo.gens, elapsed,
		     done ? elapsed / done * (r->o.cfg.evo.gens - done) : 0.0, r->best_ever);
}

/* The one line at the end: how the run ended, its best fitness and digest, where it went. */
static void show_summary(struct run_state *r, const char *status, double wall_s, int written)
{
	char figure[96], digest[24];

	snprintf(figure, sizeof(figure), "%d of %d generations, best fitness %.6g", r->gens_done,
		 r->o.cfg.evo.gens, r->best_ever);
	if (r->synced)
		snprintf(digest, sizeof(digest), "%016" PRIx64, population_digest(&r->pop));
	cli_summary(r->o.quiet, "run", &(struct cli_end){ .status = status, .wall_s = wall_s,
		    .figure = figure, .digest = r->synced ? digest : NULL, .what = "records",
		    .out = r->o.out, .written = written });
}

/* What the watchdog saw the run waiting for when it fired, in err; the run has failed. */
static void stall_report(struct run_state *r)
{
	char what[160];

	if (r->stall_phase >= 0) {
		snprintf(what, sizeof(what), "generation %d, phase %s", r->stall_gen,
			 phase_names[r->stall_phase]);
		r->fail_phase = r->stall_phase;
		r->fail_gen = r->stall_gen;
	} else {
		snprintf(what, sizeof(what), "%s", r->stall_phase == AT_SYNC ?
			 "the final population" : "the strategy to start");
	}
	snprintf(r->err, sizeof(r->err), "no generation finished for %g s: waiting for %s (%s)",
		 r->o.stall_timeout_s, what, r->ops->name);
}

/* In the watchdog's signal handler, on this thread: where the run is now. */
static void stall_note(void *ctx)
{
	struct run_state *r = ctx;

	r->stall_gen = r->at_gen;
	r->stall_phase = r->at_phase;
}

static int write_summary(struct run_state *r, const char *status, double wall_s)
{
	struct summary sm;
	struct gen_stats g = { 0 };

	summary_init(&sm, SUMMARY_RUN, status);
	summary_take_rusage(&sm);
	sm.error = r->err[0] ? r->err : NULL;
	if (r->fail_phase >= 0) {
		sm.phase = phase_names[r->fail_phase];
		sm.gen = r->fail_gen;
	}
	if (r->strat.fail_worker >= 0) {
		sm.worker = r->strat.fail_worker;
		sm.worker_pid = r->strat.fail_pid;
		sm.worker_signal = r->strat.fail_signal;
	}
	sm.signal = stop_signal;
	sm.strategy = r->ops->name;
	sm.workers = r->strat.workers;
	sm.workers_requested = r->o.cfg.workers;
	sm.gens_done = r->gens_done;
	sm.wall_s = wall_s;
	sm.best_fitness = r->best_ever;
	if (r->synced) {
		sm.have_population = 1;
		sm.digest = population_digest(&r->pop);
		sm.mean_distance = population_mean_distance(&r->pop);
		collect_stats(&r->pop, &r->o.cfg, &g);
		sm.origin_share = g.origin_share;
		sm.origins = g.origins;
	}
	/*
	 * The run's CPU seconds: the process's own since the clock started (not the set-up
	 * before it) and its children's, counted once reaped (every strategy reaps in close).
	 */
	sm.other_cpu_s = r->strat.other_cpu_s;
	sm.cpu_s = timeval_s(sm.self.ru_utime) - timeval_s(r->ru_start.ru_utime) +
		   timeval_s(sm.self.ru_stime) - timeval_s(r->ru_start.ru_stime) +
		   timeval_s(sm.children.ru_utime) + timeval_s(sm.children.ru_stime) + sm.other_cpu_s;
	sm.sampler = &r->sampler;
	sm.sampler_error = r->sampler_err;
	sm.counters = &r->ctr;
	summary_write(&r->jw, &sm);
	return output_write(&r->out, &r->jw);
}

/* The generation loop; returns the exit code and leaves r->err set on failure. */
static int evolve(struct run_state *r)
{
	struct gen_stats g;
	int rc;

	for (r->pop.gen = 0; r->pop.gen < r->o.cfg.evo.gens; r->pop.gen++) {
		memset(&g, 0, sizeof(g));
		rc = run_generation(r, &g);
		write_warning(r);
		write_strategy_records(r);
		if (rc == -EINTR)
			return stall_fired(&r->stall) ? EXIT_FAILED : EXIT_INTERRUPTED;
		if (rc) {
			snprintf(r->err, sizeof(r->err), "generation %d: %s", r->pop.gen, r->strat.err);
			return EXIT_FAILED;
		}
		if (g.best > r->best_ever || r->gens_done == 0)
			r->best_ever = g.best;
		r->gens_done++;
		stall_progress(&r->stall);
		/* a write error is said once, by output_commit, with the path */
		if (write_generation(r, &g))
			return EXIT_FAILED;
		show_progress(r, r->gens_done);
		if (stall_fired(&r->stall))
			return EXIT_FAILED;
		if (stop_signal)
			return EXIT_INTERRUPTED;
	}
	return 0;
}

/* --copies: the generations timed while the capacity arm's copies run beside them */
static int evolve_beside_copies(struct run_state *r)
{
	struct copies copies;
	int code;

	if (copies_start(&copies, &r->o.cfg.evo, r->o.copies, r->err, sizeof(r->err)))
		return EXIT_FAILED;
	code = evolve(r);
	if (copies_stop(&copies, code ? NULL : r->err, sizeof(r->err)) && !code)
		code = EXIT_FAILED;
	return code;
}

static const char *status_of(int code)
{
	return code == 0 ? "ok" : code == EXIT_INTERRUPTED ? "interrupted" : "failed";
}

/*
 * Options, help, the strategy and what this process may say; -1 to go on, or the exit code
 * (0 after --help, EXIT_USAGE for a bad command line, with its one line said).
 */
static int run_setup(struct run_state *r, int argc, char **argv)
{
	char err[512];
	ssize_t len = readlink("/proc/self/exe", r->self_exe, sizeof(r->self_exe) - 1);

	r->self_exe[len > 0 ? len : 0] = 0;
	r->fail_phase = -1;
	run_options_defaults(&r->o);
	if (options_parse(run_opts, &r->o, argc, argv, err, sizeof(err)) ||
	    run_options_check(&r->o, err, sizeof(err))) {
		fprintf(stderr, "evopar run: %s\n", err);
		return EXIT_USAGE;
	}
	if (r->o.help)
		return options_answer(r->o.help, usage);
	if (device_unavailable(r->o.device)) {
		fprintf(stderr, "evopar run: --device %s: %s\n", device_names[r->o.device],
			device_unavailable(r->o.device));
		return EXIT_USAGE;
	}
	r->ops = strategy_find(r->o.cfg.strategy);
	if (r->ops->resolve)
		r->ops = r->ops->resolve(&r->o.cfg);
	if (strategy_ops_check(r->ops, err, sizeof(err)) ||
	    (r->ops->supported && r->ops->supported(&r->o.cfg))) {
		fprintf(stderr, "evopar run: --strategy %s: %s\n", r->ops->name,
			r->ops->supported ? r->ops->supported(&r->o.cfg) : err);
		return EXIT_USAGE;
	}
	if (r->o.cfg.blas_threads)
		openblas_set_num_threads(r->o.cfg.blas_threads);
	/* a process that takes part without a voice: no records, no progress, no instruments */
	if (r->ops->writes_records && !r->ops->writes_records(&r->o.cfg)) {
		r->o.out = "/dev/null";
		r->o.quiet = 1;
		r->o.sample_ms = 0;
		r->o.counters = 0;
	}
	r->o.cfg.self_exe = r->self_exe;
	if (options_check_output("out", r->o.out, err, sizeof(err))) {
		fprintf(stderr, "evopar run: %s\n", err);
		return EXIT_USAGE;
	}
	return -1;
}

/* The clock, the instruments and the watchdog; started before open, so workers inherit them. */
static int instruments_start(struct run_state *r)
{
	char err[160];

	/* probed before the clock starts */
	counters_probe(&r->ctr, counters_default_events, counters_default_count, r->o.counters);
	getrusage(RUSAGE_SELF, &r->ru_start);
	r->t_start = proc_now_s();
	counters_start(&r->ctr);
	if (r->o.sample_ms > 0)
		sampler_start(&r->sampler, getpid(), r->o.sample_ms, r->sampler_err,
			      sizeof(r->sampler_err));
	r->at_gen = 0;
	r->at_phase = AT_OPEN;
	if (stall_start(&r->stall, r->o.stall_timeout_s, stall_note, r, err, sizeof(err))) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return -1;
	}
	return 0;
}

/* Open the strategy, write meta, evolve, take the population back and close; the exit code. */
static int run_strategy(struct run_state *r)
{
	int open_rc, code;

	r->strat.ops = r->ops;
	r->strat.cfg = &r->o.cfg;
	r->strat.fail_worker = -1;
	r->strat.workers = r->o.cfg.workers;
	/* meta after open: it records what the strategy settled (workers, BLAS threads) */
	open_rc = r->ops->open ? r->ops->open(&r->strat, &r->pop) : 0;
	meta_write_counters(&r->jw, "run", run_opts, &r->o, &r->ctr);
	output_write(&r->out, &r->jw);
	if (device_write_info(&r->jw, &r->dev))
		output_write(&r->out, &r->jw);
	if (open_rc) {
		snprintf(r->err, sizeof(r->err), "%s", r->strat.err);
		code = EXIT_FAILED;
	} else {
		code = evolve_beside_copies(r);
		r->at_phase = AT_SYNC;
		r->synced = !r->ops->sync || (code != EXIT_FAILED && !r->ops->sync(&r->strat, &r->pop));
		write_strategy_records(r);
	}
	/* a stall outranks whatever the wait it cut short said of itself */
	stall_stop(&r->stall);
	if (stall_fired(&r->stall)) {
		stall_report(r);
		code = EXIT_FAILED;
	}
	if (!open_rc && r->ops->close)
		r->ops->close(&r->strat);
	write_strategy_records(r);
	return code;
}

/* The summary, the file into place, and the one line on stderr of a failed run. */
static int run_finish(struct run_state *r, int code)
{
	char err[512];
	double wall_s;
	int written = 1;

	sampler_stop(&r->sampler);
	counters_stop(&r->ctr);
	cli_progress_end(r->o.quiet);
	wall_s = proc_now_s() - r->t_start;
	write_summary(r, status_of(code), wall_s);
	if (output_commit(&r->out, err, sizeof(err))) {
		fprintf(stderr, "evopar run: %s\n", err);
		code = EXIT_FAILED;
		written = 0;
	}
	if (code == EXIT_FAILED && r->err[0])
		fprintf(stderr, "evopar run: %s\n", r->err);
	else if (code == EXIT_INTERRUPTED && !r->o.quiet)
		fprintf(stderr, "evopar run: interrupted by signal %d after %d generations\n",
			(int)stop_signal, r->gens_done);
	show_summary(r, status_of(code), wall_s, written);
	return code;
}

int cmd_run(int argc, char **argv)
{
	struct run_state *r = calloc(1, sizeof(*r));
	char err[512];
	int code;

	if (!r) {
		fprintf(stderr, "evopar run: out of memory\n");
		return EXIT_FAILED;
	}
	code = run_setup(r, argc, argv);
	if (code >= 0)
		goto free_state;
	code = EXIT_FAILED;
	if (population_init(&r->pop, &r->o.cfg.evo, err, sizeof(err))) {
		fprintf(stderr, "evopar run: %s\n", err);
		goto free_state;
	}
	if (device_open(&r->dev, r->o.device, err, sizeof(err))) {
		fprintf(stderr, "evopar run: --device %s: %s\n", device_names[r->o.device], err);
		goto release_population;
	}
	if (output_open(&r->out, r->o.out, err, sizeof(err))) {
		fprintf(stderr, "evopar run: %s\n", err);
		goto release_device;
	}
	catch_stop_signals();
	if (!instruments_start(r))
		code = run_strategy(r);
	code = run_finish(r, code);
	sampler_release(&r->sampler);
	counters_release(&r->ctr);
	jw_release(&r->jw);
	free(r->strat.records);
release_device:
	device_close(&r->dev);
release_population:
	population_release(&r->pop);
free_state:
	free(r);
	return code;
}

static void run_doc_defaults(void *o)
{
	run_options_defaults(o);
}

const struct cli_doc run_doc = { run_opts, usage, run_doc_defaults, sizeof(struct run_options),
				 CLI_NO_OPERANDS };
