/*
 * Each synchronisation of document 002 measured per operation: a cell is one operation under
 * one mode, on threads or processes, with 1..readers workers at once (1: uncontended). The
 * measuring workers time batches of operations; the others do the operation's counterpart
 * (a publish against reads, an add against samples) until the measuring ones are done.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/child.h"
#include "proc/clock.h"
#include "studies/sync.h"

#define MAX_WORKERS 64
#define QUEUE_MSG 32              /* bytes of one metrics message */

enum op { OP_READ, OP_PUBLISH, OP_ADD, OP_SAMPLE, OP_LOCK, OP_SWAP, OP_QUEUE, OP_WAKE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "read", "publish", "add", "sample", "lock", "swap",
						 "queue", "wake" };
/* operations per timed batch: each batch lasts tens of microseconds or more */
static const int op_batch[OP_COUNT] = { 200, 200, 500, 1000, 1000, 1000, 200, 20 };
/* the counterpart the other workers do while one kind measures */
static const int op_partner[OP_COUNT] = { OP_PUBLISH, OP_READ, OP_SAMPLE, OP_ADD, OP_LOCK, OP_SWAP,
					   OP_QUEUE, OP_WAKE };

struct cell {
	struct sync_slot slot;
	struct sync_ring ring;
	struct sync_gate ping, pong;
	_Atomic int ready, go, measuring, stop, abort;
	int qfd[2];               /* the queue: a pipe, its write end non-blocking */
	enum op op;
	enum sync_mode mode;
	int workers, batches;
	double *ns;               /* [MAX_WORKERS][batches], into the mapping */
	int counted[MAX_WORKERS]; /* samples each worker left in ns */
};

/* which workers time the operation; the rest do its partner */
static int measures(const struct cell *c, int id)
{
	if (c->workers == 1 || c->op == OP_LOCK)
		return 1;
	if (c->op == OP_READ || c->op == OP_SAMPLE || c->op == OP_QUEUE)
		return id > 0;        /* worker 0 writes; the readers are measured */
	return id == 0;
}

/* the ping-pong of a gate wake: the pinger (worker 0) advances, the ponger answers */
static int gate_reached(void *ctx)
{
	const unsigned *want = ((const void **)ctx)[1];

	return atomic_load(&((struct sync_gate *)((void **)ctx)[0])->value) >= *want;
}

static int wait_gate(struct cell *c, struct sync_gate *g, unsigned want)
{
	void *ctx[2] = { g, &want };

	return sync_gate_wait(g, gate_reached, ctx, &c->stop);
}

static void queue_op(struct cell *c, int id, int n)
{
	char msg[QUEUE_MSG] = { 0 };
	int i;

	for (i = 0; i < n && !atomic_load(&c->abort); i++) {
		int writer = c->workers == 1 || id == 0, reader = c->workers == 1 || id > 0;

		while (writer && write(c->qfd[1], msg, sizeof(msg)) < 0 && !atomic_load(&c->stop))
			sched_yield();          /* full: the reader drains it */
		if (reader && read(c->qfd[0], msg, sizeof(msg)) <= 0)
			break;
	}
}

static void wake_op(struct cell *c, int id, int n, unsigned *round)
{
	int i;

	for (i = 0; i < n; i++, ++*round) {
		if (id == 0) {
			sync_gate_advance(&c->ping);
			if (wait_gate(c, &c->pong, *round + 1))
				return;
		} else {
			if (wait_gate(c, &c->ping, *round + 1))
				return;
			sync_gate_advance(&c->pong);
		}
	}
}

/* n operations of kind op by worker id; local is the worker's own policy and observation */
static void do_ops(struct cell *c, enum op op, int id, int n, float *local, unsigned *round)
{
	const float *p = NULL;
	int i;

	for (i = 0; i < n; i++) {
		switch (op) {
		case OP_READ:
			p = sync_read(&c->slot, c->mode, local);
			break;
		case OP_PUBLISH:
			local[0] = (float)i;
			sync_publish(&c->slot, c->mode, local);
			break;
		case OP_ADD:
			sync_add(&c->ring, c->mode, local, 0.5f, 1.0f);
			break;
		case OP_SAMPLE:
			local[0] = (float)sync_sample_size(&c->ring, c->mode);
			break;
		case OP_LOCK:
			pthread_mutex_lock(&c->slot.lock);
			pthread_mutex_unlock(&c->slot.lock);
			break;
		case OP_SWAP:
			atomic_exchange(&c->slot.front, i & 1);
			break;
		case OP_QUEUE:
			queue_op(c, id, n);
			return;
		case OP_WAKE:
			wake_op(c, id, n, round);
			return;
		default:
			break;
		}
	}
	if (p)
		__asm__ volatile("" : : "r"(p) : "memory");   /* the copy is used */
}

static void start_together(struct cell *c)
{
	atomic_fetch_add(&c->ready, 1);
	while (!atomic_load(&c->go))
		sched_yield();
}

static int cell_worker(void *ctx, int id)
{
	struct cell *c = ctx;
	float *local = calloc((size_t)c->slot.dim, sizeof(*local));
	double *ns = c->ns + (size_t)id * (size_t)c->batches;
	int b, n = op_batch[c->op];
	unsigned round = 0;

	if (!local)
		return 1;
	if (c->op == OP_WAKE)
		sync_pin(id);         /* a wake across two cores */
	start_together(c);
	if (!measures(c, id)) {
		while (!atomic_load(&c->stop) && !atomic_load(&c->abort))
			do_ops(c, op_partner[c->op], id, c->op == OP_WAKE ? 1 : 64, local, &round);
		free(local);
		return 0;
	}
	for (b = 0; b < c->batches && !atomic_load(&c->abort); b++) {
		uint64_t t0 = sync_now_ns();

		do_ops(c, c->op, id, n, local, &round);
		/* a wake is half a round trip */
		ns[b] = (double)(sync_now_ns() - t0) / (c->op == OP_WAKE ? 2.0 * n : n);
		c->counted[id] = b + 1;
	}
	if (atomic_fetch_sub(&c->measuring, 1) == 1)
		atomic_store(&c->stop, 1);
	free(local);
	return 0;
}

/* the first-come samples of every measuring worker, into one array */
static int gather(const struct cell *c, double *all)
{
	int id, b, n = 0;

	for (id = 0; id < c->workers; id++)
		for (b = 0; b < c->counted[id]; b++)
			all[n++] = c->ns[(size_t)id * (size_t)c->batches + b];
	return n;
}

static void write_cell(struct output *out, const struct cell *c, const char *mode,
		       enum sync_placement pl, double *all)
{
	struct jw w = { 0 };
	int n = gather(c, all);

	jw_begin(&w, "sync_op");
	jw_str(&w, "op", op_names[c->op]);
	jw_str(&w, "mode", mode);
	jw_str(&w, "placement", sync_placement_names[pl]);
	jw_int(&w, "readers", c->workers);
	jw_int(&w, "batch_ops", op_batch[c->op]);
	jw_nums(&w, "samples_ns", all, n);
	jw_end(&w);
	output_write(out, &w);
	jw_release(&w);
}

/* a go once every worker is up: process start-up stays outside the timed batches */
static void *release_when_ready(void *arg)
{
	struct cell *c = arg;

	while (atomic_load(&c->ready) < c->workers && !atomic_load(&c->abort))
		sched_yield();
	atomic_store(&c->go, 1);
	return NULL;
}

static int run_cell(struct cell *c, enum sync_placement pl, double timeout_s, char *err, size_t errlen)
{
	pthread_t th;
	int id, rc;

	atomic_store(&c->ready, 0);
	atomic_store(&c->go, 0);
	atomic_store(&c->stop, 0);
	atomic_store(&c->abort, 0);
	atomic_store(&c->ping.value, 0);
	atomic_store(&c->pong.value, 0);
	atomic_store(&c->measuring, 0);
	for (id = 0; id < c->workers; id++) {
		c->counted[id] = 0;
		atomic_fetch_add(&c->measuring, measures(c, id));
	}
	if (pthread_create(&th, NULL, release_when_ready, c)) {
		snprintf(err, errlen, "a thread to start the cell");
		return -1;
	}
	rc = sync_team_run(c->workers, pl == PLACE_PROCESSES, cell_worker, c, &c->abort, timeout_s,
			   err, errlen);
	atomic_store(&c->abort, 1);
	pthread_join(th, NULL);
	return rc;
}

struct ops_run {
	struct cell *c;
	struct output *out;
	const struct sync_ops_config *cfg;
	double *all;
};

static int measure(struct ops_run *r, enum op op, enum sync_mode m, const char *mode, int workers,
		   enum sync_placement pl, char *err, size_t errlen)
{
	if (proc_stop_requested) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	r->c->op = op;
	r->c->mode = m;
	r->c->workers = workers;
	if (run_cell(r->c, pl, r->cfg->timeout_s, err, errlen)) {
		sync_name_failure(err, errlen, "%s (%s) by %d worker%s on %s", op_names[op], mode, workers,
				  workers == 1 ? "" : "s", sync_placement_names[pl]);
		return -1;
	}
	write_cell(r->out, r->c, mode, pl, r->all);
	return 0;
}

/* --- creating a worker: the document's process creation, and a thread's for scale ---- */

static int spawned_child(void *ctx)
{
	atomic_fetch_add(&((struct cell *)ctx)->ready, 1);   /* it touches the mapping */
	return 0;
}

static void *spawned_thread(void *ctx)
{
	spawned_child(ctx);
	return NULL;
}

/* one start and reap of a worker; 0 or -1 with err */
static int spawn_once(struct cell *c, enum sync_placement pl, char *err, size_t errlen)
{
	struct child ch;
	pthread_t th;
	int rc;

	if (pl == PLACE_THREADS) {
		rc = pthread_create(&th, NULL, spawned_thread, c);
		if (rc) {
			snprintf(err, errlen, "pthread_create: %s", strerror(rc));
			return -1;
		}
		pthread_join(th, NULL);
		return 0;
	}
	child_init(&ch);
	ch.fn = spawned_child;
	ch.ctx = c;
	ch.pgid = -1;
	if (child_start(&ch, err, errlen))
		return -1;
	if (child_wait(&ch, 60) == 0 && child_exit_code(&ch) == 0)
		return 0;
	if (ch.pid)
		child_end(&ch, 1.0);
	snprintf(err, errlen, "a spawned worker did not end well");
	return -1;
}

static int measure_spawn(struct ops_run *r, enum sync_placement pl, char *err, size_t errlen)
{
	struct jw w = { 0 };
	int b;

	for (b = 0; b < r->cfg->batches; b++) {
		uint64_t t0 = sync_now_ns();

		if (spawn_once(r->c, pl, err, errlen))
			return -1;
		r->all[b] = (double)(sync_now_ns() - t0);
	}
	jw_begin(&w, "sync_op");
	jw_str(&w, "op", "spawn");
	jw_str(&w, "mode", pl == PLACE_THREADS ? "pthread_create" : "fork");
	jw_str(&w, "placement", sync_placement_names[pl]);
	jw_int(&w, "readers", 1);
	jw_int(&w, "batch_ops", 1);
	jw_nums(&w, "samples_ns", r->all, r->cfg->batches);
	jw_end(&w);
	output_write(r->out, &w);
	jw_release(&w);
	return 0;
}

/* every operation at 1..readers workers on one placement */
static int measure_placement(struct ops_run *r, enum sync_placement pl, char *err, size_t errlen)
{
	static const enum sync_mode modes[] = { SYNC_LOCKED, SYNC_DOUBLE, SYNC_SEQLOCK };
	int k, n, rc = 0;
	enum op op;

	for (n = 1; n <= r->cfg->readers && !rc; n++) {
		for (op = OP_READ; op <= OP_PUBLISH && !rc; op++)
			for (k = 0; k < 3 && !rc; k++)
				rc = measure(r, op, modes[k], sync_mode_names[modes[k]], n, pl, err, errlen);
		for (op = OP_ADD; op <= OP_SAMPLE && !rc; op++)
			for (k = 0; k < 2 && !rc; k++)
				rc = measure(r, op, modes[k], k ? "atomic" : "locked", n, pl, err, errlen);
		if (!rc)
			rc = measure(r, OP_LOCK, SYNC_LOCKED, "locked", n, pl, err, errlen);
	}
	if (!rc)
		rc = measure(r, OP_SWAP, SYNC_DOUBLE, "double", 1, pl, err, errlen);
	for (n = 1; n <= 2 && n <= r->cfg->readers && !rc; n++)
		rc = measure(r, OP_QUEUE, SYNC_LOCKED, "pipe", n, pl, err, errlen);
	if (!rc && r->cfg->readers >= 2 && proc_usable_cpus() >= 2)
		rc = measure(r, OP_WAKE, SYNC_LOCKED, "futex", 2, pl, err, errlen);
	if (!rc)
		rc = measure_spawn(r, pl, err, errlen);
	return rc;
}

/* the cell's shared part: slot, ring, pipe, samples */
static struct cell *cell_make(const struct sync_ops_config *cfg, size_t *bytes, char *err, size_t errlen)
{
	size_t ns_bytes = (size_t)MAX_WORKERS * (size_t)cfg->batches * sizeof(double);
	size_t slot_at = (sizeof(struct cell) + 63) & ~(size_t)63;
	size_t ring_at = slot_at + ((sync_slot_bytes(cfg->dim) + 63) & ~(size_t)63);
	size_t ns_at = ring_at + ((sync_ring_bytes(cfg->dim, 4096) + 63) & ~(size_t)63);
	struct cell *c;
	char *base;

	*bytes = ns_at + ns_bytes;
	base = sync_map(*bytes, err, errlen);
	if (!base)
		return NULL;
	c = (struct cell *)(void *)base;
	c->batches = cfg->batches;
	c->ns = (double *)(void *)(base + ns_at);
	if (sync_slot_init(&c->slot, cfg->dim, base + slot_at) ||
	    sync_ring_init(&c->ring, cfg->dim, 4096, base + ring_at) || pipe(c->qfd) ||
	    fcntl(c->qfd[1], F_SETFL, O_NONBLOCK)) {
		snprintf(err, errlen, "setting up the shared cell: %s", strerror(errno));
		sync_unmap(base, *bytes);
		return NULL;
	}
	return c;
}

int sync_ops(struct output *out, const struct sync_ops_config *cfg, char *err, size_t errlen)
{
	struct ops_run r = { .out = out, .cfg = cfg };
	size_t bytes;
	int rc = -1;

	r.all = malloc((size_t)MAX_WORKERS * (size_t)cfg->batches * sizeof(double));
	r.c = r.all ? cell_make(cfg, &bytes, err, errlen) : NULL;
	if (!r.c) {
		if (!r.all)
			snprintf(err, errlen, "out of memory");
		free(r.all);
		return -1;
	}
	rc = measure_placement(&r, PLACE_THREADS, err, errlen);
	if (!rc)
		rc = measure_placement(&r, PLACE_PROCESSES, err, errlen);
	close(r.c->qfd[0]);
	close(r.c->qfd[1]);
	sync_ring_destroy(&r.c->ring);
	sync_slot_destroy(&r.c->slot);
	sync_unmap(r.c, bytes);
	free(r.all);
	if (!rc && out->error) {
		snprintf(err, errlen, "writing the records: %s", strerror(out->error));
		rc = -1;
	}
	return rc;
}

void sync_write_samples(struct jw *w, const char *type, const char *name, const double *ns, int n)
{
	jw_begin(w, type);
	jw_str(w, "name", name);
	jw_nums(w, "samples_ns", ns, n);
	jw_end(w);
}
