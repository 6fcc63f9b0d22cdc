/*
 * The synchronisations under test, each as the document describes it: a policy slot read and
 * published under a lock, through a double buffer with an atomic index, or under a seqlock;
 * an experience ring indexed under two locks or by atomics; and a futex gate for waiting.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "studies/sync.h"

const char *const sync_mode_names[SYNC_MODE_COUNT] = { "none", "locked", "double", "seqlock" };
const char *const sync_placement_names[PLACE_COUNT] = { "sequential", "threads", "processes" };

static int shared_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	if (pthread_mutexattr_init(&a))
		return -ENOMEM;
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (!rc)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return -rc;
}

size_t sync_slot_bytes(int dim)
{
	return 2 * (size_t)dim * sizeof(float);
}

size_t sync_ring_bytes(int dim, unsigned long capacity)
{
	return (size_t)capacity * ((size_t)dim + 2) * sizeof(float);
}

int sync_slot_init(struct sync_slot *s, int dim, void *mem)
{
	s->dim = dim;
	s->buf[0] = mem;
	s->buf[1] = s->buf[0] + dim;
	atomic_store(&s->seq, 0);
	atomic_store(&s->front, 0);
	return shared_mutex_init(&s->lock);
}

int sync_ring_init(struct sync_ring *r, int dim, unsigned long capacity, void *mem)
{
	int rc;

	r->dim = dim;
	r->capacity = capacity;
	r->items = mem;
	atomic_store(&r->idx, 0);
	atomic_store(&r->size, 0);
	rc = shared_mutex_init(&r->idx_lock);
	if (rc)
		return rc;
	rc = shared_mutex_init(&r->size_lock);
	if (rc)
		pthread_mutex_destroy(&r->idx_lock);
	return rc;
}

void sync_slot_destroy(struct sync_slot *s)
{
	pthread_mutex_destroy(&s->lock);
}

void sync_ring_destroy(struct sync_ring *r)
{
	pthread_mutex_destroy(&r->size_lock);
	pthread_mutex_destroy(&r->idx_lock);
}

/*
 * The seqlock reader copies while a publish may be writing, and the sequence check throws
 * such a copy away; the copies are plain memcpy between fences, as the kernel's seqlocks do,
 * so that every mode copies a policy at the same speed.
 */
static void copy_fenced(float *out, const float *in, int n)
{
	memcpy(out, in, (size_t)n * sizeof(float));
	atomic_thread_fence(memory_order_acquire);
}

static void store_fenced(float *dst, const float *in, int n)
{
	atomic_thread_fence(memory_order_release);
	memcpy(dst, in, (size_t)n * sizeof(float));
}

static void seqlock_read(struct sync_slot *s, float *out)
{
	unsigned a, b;

	do {
		a = atomic_load_explicit(&s->seq, memory_order_acquire);
		copy_fenced(out, s->buf[0], s->dim);
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&s->seq, memory_order_relaxed);
	} while ((a & 1) || a != b);
}

const float *sync_read(struct sync_slot *s, enum sync_mode m, float *out)
{
	size_t bytes = (size_t)s->dim * sizeof(float);

	switch (m) {
	case SYNC_LOCKED:
		pthread_mutex_lock(&s->lock);
		memcpy(out, s->buf[0], bytes);
		pthread_mutex_unlock(&s->lock);
		return out;
	case SYNC_DOUBLE:
		/* a read that overlaps two publishes may copy a buffer being rewritten: the
		   staleness (and tearing) this mode accepts */
		copy_fenced(out, s->buf[atomic_load_explicit(&s->front, memory_order_acquire)], s->dim);
		return out;
	case SYNC_SEQLOCK:
		seqlock_read(s, out);
		return out;
	default:
		return s->buf[0];
	}
}

void sync_publish(struct sync_slot *s, enum sync_mode m, const float *policy)
{
	size_t bytes = (size_t)s->dim * sizeof(float);
	int back;

	switch (m) {
	case SYNC_LOCKED:
		pthread_mutex_lock(&s->lock);
		memcpy(s->buf[0], policy, bytes);
		pthread_mutex_unlock(&s->lock);
		break;
	case SYNC_DOUBLE:
		back = !atomic_load_explicit(&s->front, memory_order_relaxed);
		store_fenced(s->buf[back], policy, s->dim);
		atomic_exchange_explicit(&s->front, back, memory_order_acq_rel);
		break;
	case SYNC_SEQLOCK:
		atomic_fetch_add_explicit(&s->seq, 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		store_fenced(s->buf[0], policy, s->dim);
		atomic_fetch_add_explicit(&s->seq, 1, memory_order_release);
		break;
	default:
		if (policy != s->buf[0])
			memcpy(s->buf[0], policy, bytes);
	}
}

const float *sync_peek(const struct sync_slot *s)
{
	return s->buf[atomic_load(&s->front)];
}

/* the document's add: lock 1 takes the index, the item is written, lock 2 updates the size */
static unsigned long ring_take_index(struct sync_ring *r, enum sync_mode m)
{
	unsigned long i;

	if (m == SYNC_NONE) {     /* one thread: a plain increment */
		i = atomic_load_explicit(&r->idx, memory_order_relaxed);
		atomic_store_explicit(&r->idx, i + 1, memory_order_relaxed);
		return i;
	}
	if (m != SYNC_LOCKED)
		return atomic_fetch_add_explicit(&r->idx, 1, memory_order_relaxed);
	pthread_mutex_lock(&r->idx_lock);
	i = atomic_load_explicit(&r->idx, memory_order_relaxed);
	atomic_store_explicit(&r->idx, i + 1, memory_order_relaxed);
	pthread_mutex_unlock(&r->idx_lock);
	return i;
}

static void ring_grow_size(struct sync_ring *r, enum sync_mode m)
{
	unsigned long s;

	if (m == SYNC_LOCKED) {
		pthread_mutex_lock(&r->size_lock);
		s = atomic_load_explicit(&r->size, memory_order_relaxed);
		if (s < r->capacity)
			atomic_store_explicit(&r->size, s + 1, memory_order_relaxed);
		pthread_mutex_unlock(&r->size_lock);
		return;
	}
	s = atomic_load_explicit(&r->size, memory_order_relaxed);
	if (m == SYNC_NONE) {
		if (s < r->capacity)
			atomic_store_explicit(&r->size, s + 1, memory_order_relaxed);
		return;
	}
	while (s < r->capacity &&
	       !atomic_compare_exchange_weak_explicit(&r->size, &s, s + 1, memory_order_release,
						      memory_order_relaxed))
		;
}

void sync_add(struct sync_ring *r, enum sync_mode m, const float *obs, float action, float reward)
{
	unsigned long i = ring_take_index(r, m);
	float *item = r->items + (size_t)(i % r->capacity) * ((size_t)r->dim + 2);

	memcpy(item, obs, (size_t)r->dim * sizeof(float));
	item[r->dim] = action;
	item[r->dim + 1] = reward;
	ring_grow_size(r, m);
}

unsigned long sync_sample_size(struct sync_ring *r, enum sync_mode m)
{
	unsigned long s;

	if (m != SYNC_LOCKED)
		return atomic_load_explicit(&r->size, memory_order_acquire);
	pthread_mutex_lock(&r->size_lock);
	s = atomic_load_explicit(&r->size, memory_order_relaxed);
	pthread_mutex_unlock(&r->size_lock);
	return s;
}

const float *sync_item(const struct sync_ring *r, unsigned long n)
{
	return r->items + (size_t)(n % r->capacity) * ((size_t)r->dim + 2);
}

/* not FUTEX_PRIVATE: the word may be in a mapping shared between processes */
static void futex_wake_all(_Atomic unsigned *word)
{
	syscall(SYS_futex, (unsigned *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void futex_wait_for(_Atomic unsigned *word, unsigned seen, long timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000L, timeout_ns % 1000000000L };

	syscall(SYS_futex, (unsigned *)word, FUTEX_WAIT, seen, &ts, NULL, 0);
}

void sync_gate_advance(struct sync_gate *g)
{
	atomic_fetch_add(&g->value, 1);
	if (atomic_load(&g->waiters))
		futex_wake_all(&g->value);
}

/*
 * The value is read before the condition is looked at, so an advance between the two makes
 * the futex wait return at once instead of sleeping through it. The timeout only bounds how
 * late an abort is seen.
 */
int sync_gate_wait(struct sync_gate *g, int (*ready)(void *ctx), void *ctx, _Atomic int *abort)
{
	for (;;) {
		unsigned seen = atomic_load(&g->value);

		if (ready(ctx))
			return 0;
		if (abort && atomic_load(abort))
			return -ECANCELED;
		atomic_fetch_add(&g->waiters, 1);
		if (!ready(ctx))
			futex_wait_for(&g->value, seen, 100000000L);
		atomic_fetch_sub(&g->waiters, 1);
	}
}
