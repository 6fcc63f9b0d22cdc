/*
 * A search's space and one trial (see search.h): the built-in space or a --space file, the
 * sampler keyed by (study seed, trial, parameter), and one trial run as whole evolutions,
 * one per seed, in whichever process or thread the backend gives it.
 */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/rng.h"
#include "proc/clock.h"
#include "strategies/strategy.h"
#include "harness/device.h"
#include "harness/options.h"
#include "harness/records/records.h"
#include "harness/search/search.h"

/* The study's knobs: mutation rates, weight sigma, tournament size, add-node and add-conn. */
void space_default(struct search_space *s)
{
	static const struct space_param def[] = {
		{ "p-weights", 0, 0.2, 1.0 },
		{ "weight-sigma", 0, 0.05, 2.0 },
		{ "p-add-node", 0, 0.0, 0.2 },
		{ "p-add-conn", 0, 0.0, 0.3 },
		{ "tournament", 1, 2, 8 },
	};

	s->n = (int)(sizeof(def) / sizeof(def[0]));
	memcpy(s->p, def, sizeof(def));
}

/* Is name an option of evopar run that takes a number? */
static int run_option_is_number(const char *name)
{
	const struct opt_spec *o;

	for (o = run_opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o->type == OPT_INT || o->type == OPT_DOUBLE;
	return 0;
}

int space_load(struct search_space *s, const char *path, char *err, size_t errlen)
{
	FILE *f = options_open_input("space", path, err, errlen);
	char line[256], name[64], kind[16];
	int lineno = 0, rc = 0;

	if (!f)
		return -EINVAL;
	s->n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct space_param *p = &s->p[s->n];
		char *hash = strchr(line, '#');
		double lo, hi;
		int got;

		lineno++;
		if (hash)
			*hash = 0;
		got = sscanf(line, "%63s %15s %lf %lf", name, kind, &lo, &hi);
		if (got <= 0)
			continue;
		if (got != 4 || (strcmp(kind, "float") && strcmp(kind, "int")) || !(lo <= hi) ||
		    !run_option_is_number(name) || strlen(name) >= sizeof(p->name)) {
			snprintf(err, errlen, "--space %s:%d: expected 'OPTION float|int LOW HIGH' with "
				 "OPTION a numeric option of evopar run and LOW <= HIGH", path, lineno);
			rc = -EINVAL;
			break;
		}
		if (s->n == SPACE_MAX) {
			snprintf(err, errlen, "--space %s: more than %d parameters", path, SPACE_MAX);
			rc = -EINVAL;
			break;
		}
		snprintf(p->name, sizeof(p->name), "%.*s", (int)sizeof(p->name) - 1, name);
		p->integer = !strcmp(kind, "int");
		p->low = lo;
		p->high = hi;
		s->n++;
	}
	fclose(f);
	return rc;
}

/* Parameter i of a trial: a function of (study seed, trial, i) alone, whoever asks. */
double space_draw(const struct search_space *s, int i, uint64_t study_seed, int trial)
{
	const struct space_param *p = &s->p[i];
	struct rng r;
	double u;

	rng_init(&r, study_seed, (uint64_t)trial, (uint64_t)i, RNG_SEARCH);
	u = (double)(rng_next(&r) >> 11) * (1.0 / 9007199254740992.0);
	if (p->integer)
		return floor(p->low + u * (p->high - p->low + 1.0));
	return p->low + u * (p->high - p->low);
}

/* The trial's config: the workload with its drawn parameters set through run's own parser. */
static int trial_config(const struct farm *f, int id, struct run_options *ro, char *err, size_t errlen)
{
	int i;

	*ro = f->o->run;
	for (i = 0; i < f->space->n; i++) {
		char arg[96], *argv[1] = { arg };

		snprintf(arg, sizeof(arg), "--%s=%.17g", f->space->p[i].name,
			 space_draw(f->space, i, f->o->run.cfg.evo.seed, id));
		if (options_parse(run_opts, ro, 1, argv, err, errlen))
			return -EINVAL;
	}
	if (ro->cfg.evo.tournament > ro->cfg.evo.pop)
		ro->cfg.evo.tournament = ro->cfg.evo.pop;
	return 0;
}

int count_threads(pid_t pid)
{
	char path[64], line[128];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One trial in the calling thread: its seeds one after another. */
int trial_run(const struct farm *f, int id, int worker, struct trial_result *r)
{
	struct run_options ro;
	struct evolve_result ev;
	char err[256];
	double cpu0 = thread_cpu_s(), sum = 0.0;
	int k, rc;

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->worker = worker;
	r->pid = (int32_t)getpid();
	gethostname(r->host, sizeof(r->host) - 1);
	r->start_s = proc_now_s() - f->t0;
	rc = trial_config(f, id, &ro, err, sizeof(err));
	for (k = 0; !rc && k < f->o->seeds; k++) {
		ro.cfg.evo.seed = f->o->run.cfg.evo.seed + 1000003ULL * (uint64_t)id + (uint64_t)k;
		rc = device_evolve(ro.device, &ro.cfg.evo, &ev, err, sizeof(err));
		sum += ev.best;
	}
	r->failed = rc != 0;
	r->value = rc ? NAN : sum / f->o->seeds;
	r->end_s = proc_now_s() - f->t0;
	r->cpu_s = thread_cpu_s() - cpu0;
	r->threads = count_threads(getpid());
	return rc;
}
