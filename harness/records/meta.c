/*
 * The meta record of every result file: build, machine, BLAS, environment, counters, config.
 */
#include <cblas.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "harness/instruments/counters.h"
#include "harness/records/meta.h"
#include "proc/clock.h"

#ifndef EVOPAR_COMMIT
#define EVOPAR_COMMIT "unknown"
#endif
#ifndef EVOPAR_CFLAGS
#define EVOPAR_CFLAGS "unknown"
#endif

extern char **environ;

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	}
	fclose(f);
}

/* the file the BLAS symbols come from: it names the build (pthreads, OpenMP, serial) */
static const char *blas_path(void)
{
	Dl_info info;

	if (dladdr((void *)openblas_get_config, &info) && info.dli_fname)
		return info.dli_fname;
	return "unknown";
}

/* the 1-minute load average: a busy machine explains a noisy result */
static double load_average(void)
{
	double load = -1.0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1.0;
		fclose(f);
	}
	return load;
}

static const char *blas_parallel_name(int kind)
{
	return kind == 0 ? "sequential" : kind == 1 ? "pthreads" : kind == 2 ? "openmp" : "unknown";
}

static void write_environment(struct jw *w)
{
	char **e;

	jw_obj_begin(w, "environment");
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		char key[128];

		if (!eq || (strncmp(*e, "OMP_", 4) && strncmp(*e, "OPENBLAS_", 9) &&
			    strncmp(*e, "GOTO_", 5) && strncmp(*e, "OMPI_", 5)))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - *e), *e);
		jw_str(w, key, eq + 1);
	}
	jw_obj_end(w);
}

/* the option's value with its JSON type */
static void write_option(struct jw *w, const struct opt_spec *s, const void *opts)
{
	const char *field = (const char *)opts + s->offset;
	char buf[256];

	switch (s->type) {
	case OPT_INT:
	case OPT_FLAG:
		jw_int(w, s->name, *(const int *)field);
		break;
	case OPT_U64:
		jw_u64(w, s->name, *(const uint64_t *)field);
		break;
	case OPT_DOUBLE:
		jw_num(w, s->name, *(const double *)field);
		break;
	default:
		options_format(s, opts, buf, sizeof(buf));
		jw_str(w, s->name, buf);
	}
}

/* Everything of the meta record but its end: meta_write* close it, meta_begin's caller adds to it. */
static void meta_open(struct jw *w, const char *command, const struct opt_spec *table,
		      const void *opts, const struct counters *ctr)
{
	struct counters probed;
	struct utsname u;
	char buf[256], when[64];
	time_t t = time(NULL);
	const struct opt_spec *s;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	jw_begin(w, "meta");
	jw_int(w, "schema", EVOPAR_RECORD_SCHEMA);
	jw_str(w, "evopar_version", EVOPAR_VERSION);
	jw_str(w, "git_commit", EVOPAR_COMMIT);
	jw_str(w, "command", command);
	jw_str(w, "time", when);
	if (!uname(&u)) {
		jw_str(w, "host", u.nodename);
		jw_str(w, "kernel", u.release);
		jw_str(w, "arch", u.machine);
	}
	cpu_model(buf, sizeof(buf));
	jw_str(w, "cpu_model", buf);
	jw_int(w, "online_cores", sysconf(_SC_NPROCESSORS_ONLN));
	jw_int(w, "affinity_cores", proc_cpus());
	jw_num(w, "load_average_1m", load_average());
	jw_int(w, "memory_bytes", (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE));
	jw_str(w, "compiler", "gcc " __VERSION__);
	jw_str(w, "cflags", EVOPAR_CFLAGS);
	jw_obj_begin(w, "blas");
	jw_str(w, "library", "OpenBLAS");
	jw_str(w, "path", blas_path());
	jw_str(w, "config", openblas_get_config());
	jw_str(w, "parallel", blas_parallel_name(openblas_get_parallel()));
	jw_int(w, "threads", openblas_get_num_threads());
	jw_obj_end(w);
	write_environment(w);
	if (!ctr) {
		/* what this machine can count, for a command that does not count itself */
		counters_probe(&probed, counters_default_events, counters_default_count, 1);
		counters_write_meta(&probed, w);
		counters_release(&probed);
	} else {
		counters_write_meta(ctr, w);
	}
	jw_obj_begin(w, "config");
	for (s = table; s->name; s++) {
		if (s->type == OPT_FLAG && !strcmp(s->name, "help"))
			continue;
		write_option(w, s, opts);
	}
	jw_obj_end(w);
}

void meta_write(struct jw *w, const char *command, const struct opt_spec *table, const void *opts)
{
	meta_write_counters(w, command, table, opts, NULL);
}

void meta_write_counters(struct jw *w, const char *command, const struct opt_spec *table,
			 const void *opts, const struct counters *ctr)
{
	meta_open(w, command, table, opts, ctr);
	jw_end(w);
}

void meta_begin(struct jw *w, const char *command, const struct opt_spec *table, const void *opts)
{
	meta_open(w, command, table, opts, NULL);
}
