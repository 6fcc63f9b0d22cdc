/*
 * Counters through PAPI (see counters.h). PAPI_INHERIT is tried first; where it fails (PAPI
 * checks it by opening a hardware instructions event, which VMs without a PMU refuse), the
 * software events PAPI could read are opened with perf_event_open and inherit=1 instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <papi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/instruments/counters.h"
#include "harness/instruments/sampler.h"

const char *const counters_default_events[] = {
	"PAPI_TOT_CYC", "PAPI_TOT_INS", "PAPI_L1_DCM", "PAPI_L2_DCM", "PAPI_BR_MSP",
	"perf::TASK-CLOCK", "perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS", "perf::PAGE-FAULTS",
};
const int counters_default_count =
	(int)(sizeof(counters_default_events) / sizeof(counters_default_events[0]));

/* The events perf_event_open can count with inherit when PAPI cannot: the software ones. */
static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} perf_equivalents[] = {
	{ "perf::TASK-CLOCK", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "perf::CONTEXT-SWITCHES", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "perf::CPU-MIGRATIONS", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "perf::PAGE-FAULTS", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
};

static const char *papi_why(int rc)
{
	const char *s = PAPI_strerror(rc);

	return s ? s : "unknown PAPI error";
}

/* One event alone: add, start, stop. PAPI can list an event that then fails any of them. */
static int probe_one(struct counter *e)
{
	int es = PAPI_NULL, rc;
	const char *step = "create_eventset";
	long long v;

	rc = PAPI_create_eventset(&es);
	if (rc != PAPI_OK)
		goto fail;
	step = "add";
	rc = PAPI_add_named_event(es, e->name);
	if (rc != PAPI_OK)
		goto destroy;
	step = "start";
	rc = PAPI_start(es);
	if (rc != PAPI_OK)
		goto destroy;
	step = "stop";
	rc = PAPI_stop(es, &v);
destroy:
	PAPI_cleanup_eventset(es);
	PAPI_destroy_eventset(&es);
	if (rc == PAPI_OK)
		return 1;
fail:
	snprintf(e->why, sizeof(e->why), "%s: %s", step, papi_why(rc));
	return 0;
}

/* All readable events in one PAPI set that children inherit; 0, or a PAPI error code. */
static int papi_inherit_set(struct counters *c)
{
	PAPI_option_t opt;
	int i, rc, es = PAPI_NULL;

	rc = PAPI_create_eventset(&es);
	if (rc != PAPI_OK)
		return rc;
	/* the component must be known before an option is set: the first readable event's */
	for (i = 0; i < c->n && rc == PAPI_OK; i++)
		if (c->ev[i].readable)
			rc = PAPI_add_named_event(es, c->ev[i].name);
	if (rc == PAPI_OK) {
		memset(&opt, 0, sizeof(opt));
		opt.inherit.eventset = es;
		opt.inherit.inherit = PAPI_INHERIT_ALL;
		rc = PAPI_set_opt(PAPI_INHERIT, &opt);
	}
	if (rc != PAPI_OK) {
		PAPI_cleanup_eventset(es);
		PAPI_destroy_eventset(&es);
		return rc;
	}
	c->eventset = es;
	return PAPI_OK;
}

static long perf_open(uint32_t type, uint64_t config, pid_t tid, int disabled)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.disabled = (uint64_t)disabled;
	a.inherit = 1;         /* threads and processes started after the open are counted */
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	return syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* PAPI could not inherit: each readable event with a software equivalent gets its own fd. */
static void perf_inherit_set(struct counters *c, const char *inherit_why)
{
	int i, j, counting = 0;

	for (i = 0; i < c->n; i++) {
		struct counter *e = &c->ev[i];

		if (!e->readable)
			continue;
		for (j = 0; j < (int)(sizeof(perf_equivalents) / sizeof(perf_equivalents[0])); j++)
			if (!strcmp(perf_equivalents[j].name, e->name))
				break;
		if (j == (int)(sizeof(perf_equivalents) / sizeof(perf_equivalents[0]))) {
			snprintf(e->why, sizeof(e->why),
				 "readable by PAPI for one thread only (PAPI_INHERIT: %s) and no inheritable equivalent",
				 inherit_why);
			continue;
		}
		e->type = perf_equivalents[j].type;
		e->config = perf_equivalents[j].config;
		e->fd = (int)perf_open(e->type, e->config, 0, 1);
		if (e->fd < 0) {
			snprintf(e->why, sizeof(e->why), "perf_event_open with inherit: %s", strerror(errno));
			e->fd = -1;
			continue;
		}
		e->counting = 1;
		counting++;
	}
	c->method = counting ? COUNTERS_PERF : COUNTERS_NONE;
	snprintf(c->why, sizeof(c->why), counting ?
		 "process tree: perf_event_open with inherit (PAPI_INHERIT: %s)" :
		 "no event countable over the process tree (PAPI_INHERIT: %s)", inherit_why);
}

void counters_probe(struct counters *c, const char *const *names, int n, int enabled)
{
	int i, rc, readable = 0, owned;

	memset(c, 0, sizeof(*c));
	c->eventset = PAPI_NULL;
	c->enabled = enabled;
	c->n = n < COUNTERS_MAX ? n : COUNTERS_MAX;
	for (i = 0; i < c->n; i++) {
		c->ev[i].name = names[i];
		c->ev[i].fd = -1;
	}
	if (!enabled) {
		snprintf(c->why, sizeof(c->why), "off (--counters off)");
		return;
	}
	/* someone else's PAPI (a benchmark's meter) is used, not shut down */
	owned = !PAPI_is_initialized();
	rc = owned ? PAPI_library_init(PAPI_VER_CURRENT) : (int)PAPI_VER_CURRENT;
	if (rc != (int)PAPI_VER_CURRENT) {
		snprintf(c->library, sizeof(c->library), "PAPI_library_init: %s",
			 rc > 0 ? "version mismatch" : papi_why(rc));
		snprintf(c->why, sizeof(c->why), "%s", c->library);
		for (i = 0; i < c->n; i++)
			snprintf(c->ev[i].why, sizeof(c->ev[i].why), "%s", c->library);
		return;
	}
	c->papi_live = owned;
	rc = PAPI_get_opt(PAPI_LIB_VERSION, NULL);     /* the library loaded, not the header */
	snprintf(c->library, sizeof(c->library), "PAPI %d.%d.%d.%d", PAPI_VERSION_MAJOR(rc),
		 PAPI_VERSION_MINOR(rc), PAPI_VERSION_REVISION(rc), PAPI_VERSION_INCREMENT(rc));
	for (i = 0; i < c->n; i++)
		readable += c->ev[i].readable = probe_one(&c->ev[i]);
	if (!readable) {
		snprintf(c->why, sizeof(c->why), "no asked event is readable here");
		goto shutdown;
	}
	rc = papi_inherit_set(c);
	if (rc == PAPI_OK) {
		c->method = COUNTERS_PAPI;
		for (i = 0; i < c->n; i++)
			c->ev[i].counting = c->ev[i].readable;
		/* unlike the perf_event path, threads already running at start are not attached */
		snprintf(c->why, sizeof(c->why),
			 "process tree: PAPI with PAPI_INHERIT (threads started before the run not counted)");
		return;
	}
	perf_inherit_set(c, papi_why(rc));
shutdown:
	/* the perf_event fds count without PAPI: give its memory back now */
	if (c->papi_live)
		PAPI_shutdown();
	c->papi_live = 0;
}

struct tid_list {
	pid_t *tids;
	int n, cap, oom;
};

static void tid_add(void *ctx, pid_t tid)
{
	struct tid_list *l = ctx;
	pid_t *grown;

	if (l->oom)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		grown = realloc(l->tids, (size_t)l->cap * sizeof(*l->tids));
		if (!grown) {
			l->oom = 1;   /* the threads listed so far are still counted */
			return;
		}
		l->tids = grown;
	}
	l->tids[l->n++] = tid;
}

/* The threads of this process other than the caller; *n of them, or NULL when none. */
static pid_t *other_threads(int *n)
{
	struct tid_list l = { 0 };

	sampler_each_thread(getpid(), gettid(), tid_add, &l);
	*n = l.n;
	return l.tids;
}

/*
 * Inherit covers what the caller starts from now on; threads that already run (OpenBLAS
 * starts its pool when loaded, and it spins) get a descriptor each, and their sum is read.
 */
static void perf_attach_others(struct counters *c)
{
	int i, k, n;
	pid_t *tids = other_threads(&n);

	for (i = 0; tids && i < c->n; i++) {
		struct counter *e = &c->ev[i];

		if (!e->counting)
			continue;
		e->others = malloc((size_t)n * sizeof(*e->others));
		if (!e->others)
			break;
		for (k = 0; k < n; k++) {
			int fd = (int)perf_open(e->type, e->config, tids[k], 0);

			if (fd >= 0)
				e->others[e->n_others++] = fd;
		}
	}
	free(tids);
}

void counters_start(struct counters *c)
{
	int i, rc;

	if (c->method == COUNTERS_PAPI) {
		rc = PAPI_start(c->eventset);
		if (rc != PAPI_OK) {
			snprintf(c->why, sizeof(c->why), "PAPI_start of the set: %s", papi_why(rc));
			for (i = 0; i < c->n; i++)
				if (c->ev[i].counting) {
					c->ev[i].counting = 0;
					snprintf(c->ev[i].why, sizeof(c->ev[i].why), "%s", c->why);
				}
			return;
		}
	} else if (c->method == COUNTERS_PERF) {
		for (i = 0; i < c->n; i++) {
			if (!c->ev[i].counting)
				continue;
			if (ioctl(c->ev[i].fd, PERF_EVENT_IOC_RESET, 0) ||
			    ioctl(c->ev[i].fd, PERF_EVENT_IOC_ENABLE, 0)) {
				snprintf(c->ev[i].why, sizeof(c->ev[i].why), "enable: %s", strerror(errno));
				c->ev[i].counting = 0;
			}
		}
		perf_attach_others(c);
	} else {
		return;
	}
	c->running = 1;
}

/* value, time enabled, time running: scaled up where the kernel multiplexed the counter */
static int perf_read(int fd, long long *value)
{
	uint64_t v[3];

	if (read(fd, v, sizeof(v)) != (ssize_t)sizeof(v))
		return -1;
	if (v[2] && v[2] < v[1])
		v[0] = (uint64_t)((double)v[0] * (double)v[1] / (double)v[2]);
	*value = (long long)v[0];
	return 0;
}

void counters_stop(struct counters *c)
{
	long long values[COUNTERS_MAX], v;
	int i, k, rc;

	if (!c->running)
		return;
	c->running = 0;
	if (c->method == COUNTERS_PAPI) {
		rc = PAPI_stop(c->eventset, values);
		if (rc != PAPI_OK) {
			snprintf(c->why, sizeof(c->why), "PAPI_stop: %s", papi_why(rc));
			return;
		}
		/* the set holds the counting events in asked order */
		for (i = 0, k = 0; i < c->n; i++)
			if (c->ev[i].counting)
				c->ev[i].value = values[k++];
		c->read_ok = 1;
		return;
	}
	for (i = 0; i < c->n; i++) {
		struct counter *e = &c->ev[i];

		if (!e->counting)
			continue;
		/* disabling the parent event disables the copies the children inherited */
		ioctl(e->fd, PERF_EVENT_IOC_DISABLE, 0);
		for (k = 0; k < e->n_others; k++)
			ioctl(e->others[k], PERF_EVENT_IOC_DISABLE, 0);
		if (perf_read(e->fd, &e->value)) {
			snprintf(e->why, sizeof(e->why), "read: %s", strerror(errno));
			e->counting = 0;
			continue;
		}
		for (k = 0; k < e->n_others; k++)
			if (!perf_read(e->others[k], &v))
				e->value += v;
	}
	c->read_ok = 1;
}

void counters_release(struct counters *c)
{
	int i, k;

	counters_stop(c);
	for (i = 0; i < c->n; i++) {
		struct counter *e = &c->ev[i];

		if (e->fd >= 0)
			close(e->fd);
		e->fd = -1;
		for (k = 0; k < e->n_others; k++)
			close(e->others[k]);
		free(e->others);
		e->others = NULL;
		e->n_others = 0;
	}
	if (c->eventset != PAPI_NULL) {
		PAPI_cleanup_eventset(c->eventset);
		PAPI_destroy_eventset(&c->eventset);
		c->eventset = PAPI_NULL;
	}
	if (c->papi_live) {
		PAPI_shutdown();
		c->papi_live = 0;
	}
}

long long counters_value(const struct counters *c, const char *name)
{
	int i;

	if (!c->read_ok)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->ev[i].counting && !strcmp(c->ev[i].name, name))
			return c->ev[i].value;
	return -1;
}

void counters_write_meta(const struct counters *c, struct jw *w)
{
	int i;

	jw_obj_begin(w, "counters");
	jw_bool(w, "enabled", c->enabled);
	if (c->library[0])
		jw_str(w, "library", c->library);
	jw_str(w, "scope", c->why);
	jw_arr_begin(w, "asked");
	for (i = 0; i < c->n; i++)
		jw_str(w, NULL, c->ev[i].name);
	jw_arr_end(w);
	jw_arr_begin(w, "read");
	for (i = 0; i < c->n; i++)
		if (c->ev[i].counting)
			jw_str(w, NULL, c->ev[i].name);
	jw_arr_end(w);
	jw_obj_begin(w, "unavailable");
	for (i = 0; c->enabled && i < c->n; i++)
		if (!c->ev[i].counting)
			jw_str(w, c->ev[i].name, c->ev[i].why);
	jw_obj_end(w);
	jw_obj_end(w);
}

void counters_write_values(const struct counters *c, struct jw *w)
{
	int i;

	if (!c->read_ok) {
		jw_null(w, "counters");
		return;
	}
	jw_obj_begin(w, "counters");
	for (i = 0; i < c->n; i++)
		if (c->ev[i].counting)
			jw_int(w, c->ev[i].name, c->ev[i].value);
	jw_obj_end(w);
}
