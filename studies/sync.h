/*
 * The synchronisation study (document 002) inside the studies room: the primitives under
 * test (sync_prims.c), the workers they run on (sync_team.c), the per-operation measurements
 * and floors (sync_ops.c, sync_floor.c), the actor-learner system (sync_system.c) and the
 * command (sync_cmd.c). Everything shared between workers lives in one MAP_SHARED mapping.
 */
#ifndef EVOPAR_STUDIES_SYNC_H
#define EVOPAR_STUDIES_SYNC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/records/record.h"

/* how a policy is published and read, and how the experience ring is indexed */
enum sync_mode {
	SYNC_NONE,        /* no synchronisation: one thread does everything (the sequential system) */
	SYNC_LOCKED,      /* the document's: a lock on every read and publish (its `snapshot`),
			     a lock per ring index and per size update, a lock per sample */
	SYNC_DOUBLE,      /* double buffer with an atomic index swap; atomic ring index */
	SYNC_SEQLOCK,     /* a sequence counter, reads retried across a publish; atomic ring index */
	SYNC_MODE_COUNT
};
extern const char *const sync_mode_names[SYNC_MODE_COUNT];

enum sync_placement { PLACE_SEQUENTIAL, PLACE_THREADS, PLACE_PROCESSES, PLACE_COUNT };
extern const char *const sync_placement_names[PLACE_COUNT];

/* --- sync_prims.c: one agent's policy slot and experience ring -------------------------- */

struct sync_slot {
	pthread_mutex_t lock;     /* SYNC_LOCKED: held on every read and publish */
	_Atomic unsigned seq;     /* SYNC_SEQLOCK: odd while a publish writes */
	_Atomic int front;        /* SYNC_DOUBLE: the buffer readers copy */
	int dim;
	float *buf[2];            /* into the mapping; buf[1] only for SYNC_DOUBLE */
};

struct sync_ring {
	pthread_mutex_t idx_lock, size_lock;  /* SYNC_LOCKED: the document's two locks */
	_Atomic unsigned long idx;  /* experiences written (the slot is idx % capacity) */
	_Atomic unsigned long size; /* min(written, capacity) */
	unsigned long capacity;
	int dim;                  /* an item: dim floats of observation, the action, the reward */
	float *items;             /* into the mapping */
};

/* bytes of the mapping one slot's buffers and one ring's items take */
size_t sync_slot_bytes(int dim);
size_t sync_ring_bytes(int dim, unsigned long capacity);
/* set up in the mapping (process-shared locks); mem is the buffers' room; 0 or -errno */
int sync_slot_init(struct sync_slot *s, int dim, void *mem);
int sync_ring_init(struct sync_ring *r, int dim, unsigned long capacity, void *mem);
void sync_slot_destroy(struct sync_slot *s);
void sync_ring_destroy(struct sync_ring *r);

/* the policy a reader acts on: SYNC_NONE gives the slot's own buffer, others copy into out */
const float *sync_read(struct sync_slot *s, enum sync_mode m, float *out);
void sync_publish(struct sync_slot *s, enum sync_mode m, const float *policy);
/* the policy as it stands once every worker has ended */
const float *sync_peek(const struct sync_slot *s);
/* one experience into the ring (the document's add) */
void sync_add(struct sync_ring *r, enum sync_mode m, const float *obs, float action, float reward);
/* the size a sample sees (the document's sample: a lock on every call in SYNC_LOCKED) */
unsigned long sync_sample_size(struct sync_ring *r, enum sync_mode m);
/* item number n (counting from the first written) as it lies in the ring */
const float *sync_item(const struct sync_ring *r, unsigned long n);

/* a futex word that only counts up, and whoever waits for it to reach a value */
struct sync_gate {
	_Atomic unsigned value;
	_Atomic int waiters;
};
void sync_gate_advance(struct sync_gate *g);
/* wait until ready(ctx) holds; it may only become true as g advances. 0, or -ECANCELED when
   *abort was set meanwhile */
int sync_gate_wait(struct sync_gate *g, int (*ready)(void *ctx), void *ctx, _Atomic int *abort);

/* --- sync_team.c: n workers as threads or processes, over one shared mapping ----------- */

/* a MAP_SHARED anonymous mapping of bytes (zeroed), set up before any worker starts */
void *sync_map(size_t bytes, char *err, size_t errlen);
void sync_unmap(void *p, size_t bytes);
/*
 * Run fn(ctx, id) for id 0..n-1, each on a thread or in a process of its own (started by
 * proc/child.h), and wait for all within timeout_s; a worker that fails sets *abort so the
 * others give up. Past timeout_s, or at a stop signal, processes are ended and threads told to
 * give up (*abort) and joined. 0, or -1 with which worker and how in err.
 */
int sync_team_run(int n, int processes, int (*fn)(void *ctx, int id), void *ctx,
		  _Atomic int *abort, double timeout_s, char *err, size_t errlen);
/* err prefixed with the measurement that failed ("NAME: err"), so a worker that hung or died
   is told apart from the dozens of measurements a study makes */
void sync_name_failure(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* pin the calling thread to core cpu (mod the cores it may use); 0 or -errno */
int sync_pin(int cpu);
/* nanoseconds on CLOCK_MONOTONIC, comparable across the processes of this machine */
uint64_t sync_now_ns(void);
/* a counter-based hash of (seed, a, b, c): what every experience and sample choice is drawn from */
uint64_t sync_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
/* a 64-bit checksum of n floats, bit for bit, folded into h */
uint64_t sync_checksum(uint64_t h, const float *x, int n);

/* --- sync_floor.c, sync_ops.c: per-operation costs ------------------------------------ */

struct sync_ops_config {
	int readers;              /* contention measured at 1..readers */
	int batches;              /* samples per measuring worker and cell */
	int dim;
	double timeout_s;
};

/* floors of this machine, each a "sync_floor" record into out; 0 or -1 with err */
int sync_floors(struct output *out, const struct sync_ops_config *c, char *err, size_t errlen);
/* every operation at every contention and placement, "sync_op" records; 0 or -1 with err */
int sync_ops(struct output *out, const struct sync_ops_config *c, char *err, size_t errlen);
/* a record of per-operation nanoseconds samples, begun and ended here */
void sync_write_samples(struct jw *w, const char *type, const char *name, const double *ns, int n);

/* --- sync_system.c: the actor-learner ------------------------------------------------- */

struct sync_system_config {
	int agents, turns, epochs;
	int learners;             /* learner workers (each owns a share of the agents); 0: one per agent */
	int dim;
	int ring_epochs;          /* the ring holds this many epochs of experience */
	int samples, sample_size; /* per learner epoch and agent: samples of sample_size items */
	int act_work, learn_work; /* passes over the policy per action; over the sample per update */
	uint64_t seed;
	double timeout_s;
};

struct sync_system_result {
	double wall_ms, startup_ms;
	double act_ms, read_ms, add_ms, actor_wait_ms;       /* the actor */
	double learn_ms, sample_ms, publish_ms, learner_wait_ms;  /* the learners, summed */
	uint64_t learner_checksum;  /* every agent's final policy */
	uint64_t action_checksum;   /* every action the actor took */
	int workers;              /* actor and learner workers (sequential: 1) */
};

/* one run of the system; 0, or -1 with err */
int sync_system_run(const struct sync_system_config *c, enum sync_placement p, enum sync_mode m,
		    struct sync_system_result *res, char *err, size_t errlen);

#endif
