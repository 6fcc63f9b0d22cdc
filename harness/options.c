/*
 * The option tables and their parser (see options.h). Adding an option is one line in a
 * table; parsing, range checks, --help and the config echoed in meta all follow from it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strategies/common/fault.h"
#include "strategies/strategy.h"
#include "harness/copies.h"
#include "harness/device.h"
#include "harness/options.h"
#include "harness/records/meta.h"

#ifndef EVOPAR_COMMIT
#define EVOPAR_COMMIT "unknown"
#endif

static const char *const mode_names[] = { "dynamic", "static", NULL };
static const char *const task_names[] = { "pole", "xor", "spin", NULL };
static const char *const on_off[] = { "off", "on", NULL };
static const char *const start_names[] = { "fork", "spawn", NULL };
static const char *const transport_names[] = { "pipe", "shm", NULL };
static const char *const scope_names[] = { "mutate", "all", NULL };
static const char *const migration_names[] = { "sync", "async", "mpi", "mpi-async", NULL };
static const char *const topology_names[] = { "ring", "full", NULL };
static const char *const migrant_select_names[] = { "best", "random", NULL };
static const char *const assign_names[] = { "cost", "index", NULL };

#define RUN(field) offsetof(struct run_options, field)
#define CFG(field) offsetof(struct run_options, cfg.field)
#define EVO(field) offsetof(struct run_options, cfg.evo.field)
#define PROB(name, field, text) { name, OPT_DOUBLE, EVO(field), 0, 1, NULL, text }

const struct opt_spec run_opts[] = {
	{ "mode", OPT_CHOICE, EVO(mode), 0, 0, mode_names, "network kind: NEAT-style genomes or a fixed perceptron" },
	{ "task", OPT_CHOICE, EVO(task), 0, 0, task_names, "what the networks learn" },
	{ "pop", OPT_INT, EVO(pop), 2, 1000000, NULL, "networks in the population" },
	{ "gens", OPT_INT, EVO(gens), 1, 10000000, NULL, "generations" },
	{ "seed", OPT_U64, EVO(seed), 0, 0, NULL, "run seed: same config and seed, same digest" },
	{ "episodes", OPT_INT, EVO(episodes), 1, 1000, NULL, "pole: episodes per network per generation" },
	{ "steps", OPT_INT, EVO(steps), 1, 10000000, NULL, "pole: step limit of an episode (0.01 s each)" },
	{ "prepare-cache", OPT_CHOICE, EVO(prepare_cache), 0, 0, on_off, "keep evaluation plans across generations (off: rebuild all every generation)" },
	{ "hidden", OPT_INT, EVO(hidden), 1, 4096, NULL, "static: width of each of the two hidden layers" },
	{ "spin", OPT_INT, EVO(spin), 0, 1000000000, NULL, "spin task: iterations of work per network evaluation (about 1 ns each)" },
	{ "init-hidden", OPT_INT, EVO(init_hidden), 0, 100000, NULL, "dynamic: hidden nodes every new genome starts with, each splitting a connection (a large genome: about 2 connections a node)" },
	{ "tournament", OPT_INT, EVO(tournament), 1, 1000000, NULL, "tournament size (at most --pop)" },
	{ "elite", OPT_INT, EVO(elite), 0, 1000000, NULL, "best networks copied unchanged (less than --pop)" },
	PROB("p-crossover", p_crossover, "share of children made by crossover"),
	PROB("p-weights", p_weights, "chance a network's weights are perturbed"),
	PROB("p-weight-reset", p_weight_reset, "dynamic: chance a perturbed weight is drawn anew"),
	{ "weight-sigma", OPT_DOUBLE, EVO(weight_sigma), 0, 100, NULL, "dynamic: standard deviation of a weight perturbation" },
	{ "weight-init", OPT_DOUBLE, EVO(weight_init), 0, 100, NULL, "dynamic: standard deviation of a new weight" },
	{ "static-sigma", OPT_DOUBLE, EVO(static_sigma), 0, 100, NULL, "static: standard deviation of a weight perturbation" },
	PROB("p-add-conn", p_add_conn, "dynamic: chance of adding a connection"),
	PROB("p-add-node", p_add_node, "dynamic: chance of splitting a connection with a node"),
	PROB("p-toggle", p_toggle, "dynamic: chance of toggling a connection"),
	PROB("p-prune-conn", p_prune_conn, "dynamic: chance of removing a connection"),
	PROB("p-prune-node", p_prune_node, "dynamic: chance of removing a hidden node"),
	{ "strategy", OPT_STRATEGY, CFG(strategy), 0, 0, NULL, "how a generation's work is spread (evopar list)" },
	{ "workers", OPT_INT, CFG(workers), 1, 1024, NULL, "workers of a parallel strategy" },
	{ "chunk", OPT_INT, CFG(chunk), 0, 1000000, NULL, "networks per dispatch (0: pop / workers; under --assign cost, threads evaluate in guided claims that shrink as work runs out and fork-pool gives each worker one batch)" },
	{ "assign", OPT_CHOICE, CFG(assign), 0, 0, assign_names, "which networks each worker gets: by predicted cost, longest first, or in index order" },
	{ "blas-threads", OPT_INT, CFG(blas_threads), 0, 1024, NULL, "OpenBLAS threads (0: the library's default)" },
	{ "start", OPT_CHOICE, CFG(start), 0, 0, start_names, "fork-pool: fork the workers, or spawn them (exec evopar worker)" },
	{ "transport", OPT_CHOICE, CFG(transport), 0, 0, transport_names, "persistent: commands and networks over pipes or POSIX shared memory" },
	{ "worker-scope", OPT_CHOICE, CFG(worker_scope), 0, 0, scope_names, "persistent: workers mutate only, or mutate, prepare and evaluate" },
	{ "worker-timeout", OPT_DOUBLE, CFG(worker_timeout_s), 0.1, 86400, NULL, "seconds a worker may stay silent before the run fails" },
	{ "inject-fault", OPT_STRING, CFG(inject_fault), 0, 0, NULL, "for tests: KIND:WORKER:PHASE:GEN, KIND one of kill hang garbage" },
	{ "islands", OPT_INT, CFG(islands), 1, 1024, NULL, "islands: number of islands (each evolves pop/islands networks)" },
	{ "island-id", OPT_INT, CFG(island_id), -1, 1023, NULL, "islands: run only this island (-1: start all of them)" },
	{ "migrate-every", OPT_INT, CFG(migrate_every), 1, 1000000, NULL, "islands: generations between migrations" },
	{ "migrants", OPT_INT, CFG(migrants), 0, 1000000, NULL, "islands: networks each island sends per migration" },
	{ "run-id", OPT_STRING, CFG(run_id), 0, 0, NULL, "islands started by hand (--island-id): the run identity in their migrant files, the same for every island of one run; files of other runs in --migration-dir are skipped (none given: seed-SEED, from --seed, so two runs of one seed sharing a directory are not told apart)" },
	{ "migration-dir", OPT_STRING, CFG(migration_dir), 0, 0, NULL, "islands: directory of migration files (none: a temp directory)" },
	{ "migration", OPT_CHOICE, CFG(migration), 0, 0, migration_names, "islands: migration files with a barrier (deterministic) or without; MPI messages between mpirun's ranks, with a barrier (mpi, deterministic) or without" },
	{ "topology", OPT_CHOICE, CFG(topology), 0, 0, topology_names, "islands: take migrants from island i-1 only, or from every other island" },
	{ "migrant-select", OPT_CHOICE, CFG(migrant_select), 0, 0, migrant_select_names, "islands: send an island's best networks, or networks drawn at random" },
	{ "device", OPT_CHOICE, RUN(device), 0, 0, device_names, "where the evaluate phase runs: the strategy's CPU workers, or the GPU (pole task; sequential, threads or thread-limited)" },
	{ "copies", OPT_INT, RUN(copies), 1, COPIES_MAX, NULL, "capacity arm: N - 1 copies of this sequential evolution run beside it, so that its times against the same run alone show the machine's capacity at N (sequential only; 1: none)" },
	{ "out", OPT_STRING, RUN(out), 0, 0, NULL, "JSON Lines records; '-' for stdout; appears when the run ends" },
	{ "sample-ms", OPT_DOUBLE, RUN(sample_ms), 0, 60000, NULL, "period of the thread and process sampler in ms (0: no sampler)" },
	{ "counters", OPT_CHOICE, RUN(counters), 0, 0, on_off, "PAPI counters over the process tree (off: none are read)" },
	{ "stall-timeout", OPT_DOUBLE, RUN(stall_timeout_s), 0, 604800, NULL, "seconds without a finished generation before the run fails, naming what it waited for (0: never)" },
	{ "quiet", OPT_FLAG, RUN(quiet), 0, 0, NULL, "no progress or summary line; stderr only for errors and warnings" },
	{ "help", OPT_FLAG, RUN(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

void run_options_defaults(struct run_options *o)
{
	memset(o, 0, sizeof(*o));
	strategy_config_defaults(&o->cfg);
	o->out = "-";
	o->sample_ms = 5;
	o->counters = 1;
	o->copies = 1;
	o->stall_timeout_s = 3600;
}

/* "--p-add-node" is also accepted as "--p_add_node", the config field's name */
static int name_matches(const char *spec, const char *arg, size_t len)
{
	size_t i;

	if (strlen(spec) != len)
		return 0;
	for (i = 0; i < len; i++) {
		char a = arg[i] == '-' ? '_' : arg[i], b = spec[i] == '-' ? '_' : spec[i];

		if (a != b)
			return 0;
	}
	return 1;
}

void options_describe(const struct opt_spec *s, char *buf, size_t len)
{
	size_t i, at;

	switch (s->type) {
	case OPT_INT:
		snprintf(buf, len, "an integer from %.0f to %.0f", s->min, s->max);
		break;
	case OPT_U64:
		snprintf(buf, len, "an integer from 0 to 18446744073709551615");
		break;
	case OPT_DOUBLE:
		snprintf(buf, len, "a number from %g to %g", s->min, s->max);
		break;
	case OPT_CHOICE:
		at = (size_t)snprintf(buf, len, "one of:");
		for (i = 0; s->choices[i] && at < len; i++)
			at += (size_t)snprintf(buf + at, len - at, " %s", s->choices[i]);
		break;
	case OPT_STRATEGY:
		at = (size_t)snprintf(buf, len, "one of:");
		for (i = 0; strategy_at(i) && at < len; i++)
			at += (size_t)snprintf(buf + at, len - at, " %s", strategy_at(i)->name);
		break;
	case OPT_STRING:
		snprintf(buf, len, "a path");
		break;
	case OPT_FLAG:
		snprintf(buf, len, "no value");
		break;
	}
}

static int set_value(const struct opt_spec *s, void *opts, const char *v, char *err, size_t errlen)
{
	char *field = (char *)opts + s->offset, *end, allowed[256];
	size_t i;

	options_describe(s, allowed, sizeof(allowed));
	errno = 0;
	switch (s->type) {
	case OPT_INT: {
		long x = strtol(v, &end, 10);

		if (!*v || *end || errno || x < s->min || x > s->max)
			goto bad;
		*(int *)field = (int)x;
		return 0;
	}
	case OPT_U64: {
		unsigned long long x;

		if (!*v || *v == '-')
			goto bad;
		x = strtoull(v, &end, 10);
		if (*end || errno)
			goto bad;
		*(uint64_t *)field = x;
		return 0;
	}
	case OPT_DOUBLE: {
		double x = strtod(v, &end);

		if (!*v || *end || errno || !isfinite(x) || x < s->min || x > s->max)
			goto bad;
		*(double *)field = x;
		return 0;
	}
	case OPT_CHOICE:
		for (i = 0; s->choices[i]; i++)
			if (!strcmp(v, s->choices[i])) {
				*(int *)field = (int)i;
				return 0;
			}
		goto bad;
	case OPT_STRATEGY:
		if (!strategy_find(v))
			goto bad;
		*(const char **)field = v;
		return 0;
	case OPT_STRING:
		if (!*v)
			goto bad;
		*(const char **)field = v;
		return 0;
	case OPT_FLAG:
		*(int *)field = 1;
		return 0;
	}
bad:
	snprintf(err, errlen, "--%s: expected %s, got '%s'", s->name, allowed, v);
	return -1;
}

/* the table's "help" flag, which also carries OPT_ASKED_VERSION; NULL when it has none */
static const struct opt_spec *help_spec(const struct opt_spec *table)
{
	const struct opt_spec *s;

	for (s = table; s->name; s++)
		if (s->type == OPT_FLAG && !strcmp(s->name, "help"))
			return s;
	return NULL;
}

/*
 * The short and conventional words: -h, -V and --version, and "--". 1 when arg was one of
 * them (done: stop, for "--"), 0 when it is an ordinary option, -1 on an error in err.
 */
static int conventional(const struct opt_spec *table, void *opts, const char *arg, int *done,
			char *err, size_t errlen)
{
	const struct opt_spec *h = help_spec(table);
	int *asked = h ? (int *)((char *)opts + h->offset) : NULL;

	if (!strcmp(arg, "--")) {
		*done = 1;
		return 1;
	}
	if (strcmp(arg, "-h") && strcmp(arg, "-V") && strcmp(arg, "--version"))
		return 0;
	if (!asked) {
		snprintf(err, errlen, "unknown option '%s'", arg);
		return -1;
	}
	if (!strcmp(arg, "-h"))
		*asked = OPT_ASKED_HELP;
	else if (!*asked)
		*asked = OPT_ASKED_VERSION;
	return 1;
}

int options_parse(const struct opt_spec *table, void *opts, int argc, char **argv,
		  char *err, size_t errlen)
{
	int i, done = 0, rc;

	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *val;
		const struct opt_spec *s;
		size_t len;

		if (done) {
			snprintf(err, errlen, "unexpected argument '%s' after --", arg);
			return -1;
		}
		rc = conventional(table, opts, arg, &done, err, errlen);
		if (rc < 0)
			return -1;
		if (rc)
			continue;
		if (strncmp(arg, "--", 2) || !arg[2]) {
			snprintf(err, errlen, "unexpected argument '%s' (options start with --)", arg);
			return -1;
		}
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		for (s = table; s->name; s++)
			if (name_matches(s->name, arg, len))
				break;
		if (!s->name) {
			snprintf(err, errlen, "unknown option '--%.*s' (see --help)", (int)len, arg);
			return -1;
		}
		if (s->type == OPT_FLAG) {
			if (eq) {
				snprintf(err, errlen, "--%s takes no value", s->name);
				return -1;
			}
			*(int *)((char *)opts + s->offset) = 1;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
			val = argv[++i];
		} else {
			char allowed[256];

			options_describe(s, allowed, sizeof(allowed));
			snprintf(err, errlen, "--%s needs a value: %s", s->name, allowed);
			return -1;
		}
		if (set_value(s, opts, val, err, errlen))
			return -1;
	}
	return 0;
}

int run_options_check(const struct run_options *o, char *err, size_t errlen)
{
	const struct evo_config *e = &o->cfg.evo;

	if (e->elite >= e->pop) {
		snprintf(err, errlen, "--elite: expected an integer from 0 to %d (less than --pop), got '%d'",
			 e->pop - 1, e->elite);
		return -1;
	}
	if (e->tournament > e->pop) {
		snprintf(err, errlen, "--tournament: expected an integer from 1 to %d (at most --pop), got '%d'",
			 e->pop, e->tournament);
		return -1;
	}
	if (device_check_workload(o->device, e->task, o->cfg.strategy, err, errlen))
		return -1;
	if (o->copies > 1 && (strcmp(o->cfg.strategy, "sequential") || o->device != DEVICE_CPU)) {
		snprintf(err, errlen, "--copies: runs beside --strategy sequential on the CPU only, got "
			 "--strategy %s --device %s", o->cfg.strategy, device_names[o->device]);
		return -1;
	}
	return fault_check(&o->cfg, err, errlen) ? -1 : 0;
}

FILE *options_open_input(const char *option, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	int e;

	if (!f) {
		snprintf(err, errlen, "--%s %s: %s", option, path, strerror(errno));
		return NULL;
	}
	/* fopen takes a directory, whose first read then fails: as good as an empty file */
	e = fstat(fileno(f), &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (e) {
		fclose(f);
		snprintf(err, errlen, "--%s %s: %s", option, path, strerror(e));
		return NULL;
	}
	return f;
}

void options_format(const struct opt_spec *s, const void *opts, char *buf, size_t len)
{
	const char *field = (const char *)opts + s->offset;

	switch (s->type) {
	case OPT_INT:
	case OPT_FLAG:
		snprintf(buf, len, "%d", *(const int *)field);
		break;
	case OPT_U64:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)field);
		break;
	case OPT_DOUBLE:
		snprintf(buf, len, "%g", *(const double *)field);
		break;
	case OPT_CHOICE:
		snprintf(buf, len, "%s", s->choices[*(const int *)field]);
		break;
	case OPT_STRING:
	case OPT_STRATEGY:
		snprintf(buf, len, "%s", *(const char *const *)field ? *(const char *const *)field : "");
		break;
	}
}

void options_help(FILE *f, const struct opt_spec *table, const void *defaults)
{
	const struct opt_spec *s;
	char def[64], allowed[256], name[48];

	for (s = table; s->name; s++) {
		snprintf(name, sizeof(name), "--%s", s->name);
		if (s->type == OPT_FLAG) {
			fprintf(f, "  %-20s %s\n", name, s->help);
			continue;
		}
		options_format(s, defaults, def, sizeof(def));
		if (!def[0])
			snprintf(def, sizeof(def), "none");
		options_describe(s, allowed, sizeof(allowed));
		fprintf(f, "  %-20s %s\n  %-20s   (%s; default: %s)\n", name, s->help, "", allowed, def);
	}
}

const char *options_commit(void)
{
	return EVOPAR_COMMIT;
}

void options_version(FILE *f)
{
	fprintf(f, "evopar %s (commit %s)\n", EVOPAR_VERSION, EVOPAR_COMMIT);
}

int options_answer(int asked, void (*usage)(FILE *f))
{
	if (asked == OPT_ASKED_VERSION)
		options_version(stdout);
	else
		usage(stdout);
	return 0;
}

/* mkdir -p dir; 0, or an errno with the folder that failed in part */
static int make_folders(const char *dir, char *part, size_t len)
{
	struct stat st;
	size_t i, n = strlen(dir);

	for (i = 1; i <= n; i++) {
		if (dir[i] && dir[i] != '/')
			continue;
		snprintf(part, len, "%.*s", (int)i, dir);
		if (mkdir(part, 0777) && errno != EEXIST)
			return errno;
		if (stat(part, &st))
			return errno;
		if (!S_ISDIR(st.st_mode))
			return ENOTDIR;
	}
	return 0;
}

int options_check_output(const char *option, const char *path, char *err, size_t errlen)
{
	char dir[4096], part[4096];
	const char *slash = strrchr(path, '/'), *at;
	struct stat st;
	int e;

	if (!strcmp(path, "-"))
		return 0;
	if (strlen(path) >= sizeof(dir)) {
		snprintf(err, errlen, "--%s %.64s...: the path is too long", option, path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	at = dir;
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		/* a directory is refused; a device or a fifo is written in place, not renamed */
		e = S_ISDIR(st.st_mode) ? EISDIR : access(path, W_OK) ? errno : 0;
		at = path;
	} else {
		e = make_folders(dir, part, sizeof(part));
		if (e)
			at = part;
		/* the records go to a temp file beside the final name, renamed into place */
		else if (access(dir, W_OK | X_OK))
			e = errno;
	}
	if (!e)
		return 0;
	if (at == path)
		snprintf(err, errlen, "--%s %s: %s", option, path, strerror(e));
	else
		snprintf(err, errlen, "--%s %s: %s: %s", option, path, at, strerror(e));
	return -1;
}
