/*
 * The worker loop of the process strategies (see worker.h): a table of command handlers
 * over one population, each reading its payload and writing its reply into the channel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/serial.h"
#include "proc/clock.h"
#include "strategies/common/fault.h"
#include "strategies/common/net_bytes.h"
#include "strategies/common/worker.h"

struct wctx {
	struct population *p;
	struct chan *c;
	struct scratch scratch;
	struct fault fault;
	int id;
	int32_t *own;              /* the shard owned (persistent), in the main process's order */
	int n_own;
	uint8_t *mine;             /* per network: 1 where it is in the shard, 2 where it is
				      also in this generation's pool (evaluated elsewhere) */
	double t_start;            /* when the command being served came in */
	uint64_t work_start;       /* engine_work_done() then */
	struct worker_shared *shared;  /* persistent's pool claims, or NULL */
	char err[STRATEGY_ERRLEN];
};

size_t net_stream_size(const struct population *p, const int32_t *idx, int count)
{
	size_t n = 0;
	int i;

	for (i = 0; i < count; i++)
		n += 4 + serial_size(&p->nets[idx[i]]);
	return n;
}

size_t net_stream_write(const struct population *p, const int32_t *idx, int count, uint8_t *out)
{
	uint8_t *o = out;
	int i;

	for (i = 0; i < count; i++) {
		memcpy(o, &idx[i], 4);
		o += 4;
		o += serial_write(&p->nets[idx[i]], o);
	}
	return (size_t)(o - out);
}

/* one record decoded into its network */
static int read_record(void *ctx, int32_t idx, const uint8_t *rec, size_t left, size_t *used,
		       char *err, size_t errlen)
{
	struct population *p = ctx;

	return serial_read(&p->nets[idx], rec, left, used, err, errlen);
}

int net_stream_read(struct population *p, const uint8_t *in, size_t len, int count,
		    char *err, size_t errlen)
{
	return net_stream_walk(in, len, p->n, count, read_record, p, err, errlen);
}

/* The reply: len bytes of payload already in the channel's buffer, then the busy time. */
static int reply_ok(struct wctx *w, size_t len)
{
	uint8_t *out = chan_reserve(w->c, len + WM_BUSY_BYTES);   /* keeps the payload */
	double busy_ms = (proc_now_s() - w->t_start) * 1e3;
	uint64_t work;

	engine_work_flush(&w->scratch);      /* what its own loops evaluated (do_eval, the pool) */
	work = engine_work_done() - w->work_start;

	if (!out)
		return -ENOMEM;
	memcpy(out + len, &busy_ms, sizeof(busy_ms));
	memcpy(out + len + sizeof(busy_ms), &work, sizeof(work));
	return chan_send(w->c, WM_OK, len + WM_BUSY_BYTES);
}

static int reply_nets(struct wctx *w, const int32_t *idx, int count)
{
	size_t len = net_stream_size(w->p, idx, count);
	uint8_t *out = chan_reserve(w->c, len);

	if (!out)
		return -ENOMEM;
	net_stream_write(w->p, idx, count, out);
	return reply_ok(w, len);
}

static int reply_empty(struct wctx *w)
{
	return reply_ok(w, 0);
}

/*
 * The indices of a net stream that net_stream_read has decoded into p->nets: each record's
 * length is its network's serialised size, so they are read before anything changes a
 * network; count of them into scratch, NULL without memory.
 */
static int32_t *stream_indices(struct wctx *w, const uint8_t *in, int count)
{
	int32_t *idx = scratch_get(&w->scratch, (size_t)count * sizeof(*idx) + 1);
	int i;

	for (i = 0; idx && i < count; i++) {
		memcpy(&idx[i], in, 4);
		in += 4 + serial_size(&w->p->nets[idx[i]]);
	}
	return idx;
}

/* The shard is now idx[0..count): kept apart from scratch, marked per network. */
static int set_own(struct wctx *w, const int32_t *idx, int count)
{
	int32_t *own;
	int i;

	if (!w->mine && !(w->mine = calloc((size_t)w->p->n, 1)))
		return -ENOMEM;
	for (i = 0; i < w->n_own; i++)
		w->mine[w->own[i]] = 0;
	w->n_own = 0;
	own = realloc(w->own, (size_t)count * sizeof(*own) + 1);
	if (!own)
		return -ENOMEM;
	w->own = own;
	memcpy(w->own, idx, (size_t)count * sizeof(*idx));
	w->n_own = count;
	for (i = 0; i < count; i++)
		w->mine[idx[i]] = 1;
	return 0;
}

/* fork-pool: networks in, mutated networks out */
static int do_mutate_nets(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	int32_t *idx;
	int i, rc;

	rc = net_stream_read(w->p, in, len, h->count, w->err, sizeof(w->err));
	if (rc)
		return rc;
	idx = stream_indices(w, in, h->count);
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < h->count; i++)
		net_mutate(&w->p->nets[idx[i]], w->p->cfg, (uint64_t)h->gen, (uint64_t)idx[i]);
	return reply_nets(w, idx, h->count);
}

/* fork-pool: start states and networks in, fitness out; each network builds its own plan */
static int do_eval_nets(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	const float *states = (const float *)in;
	size_t states_len = (size_t)h->n_states * sizeof(float), at;
	float *fit;
	int i, rc;

	if (len < states_len)
		return -EINVAL;
	memcpy(w->p->episode_states, states, states_len);
	in += states_len;
	len -= states_len;
	rc = net_stream_read(w->p, in, len, h->count, w->err, sizeof(w->err));
	if (rc)
		return rc;
	fit = (float *)chan_reserve(w->c, (size_t)h->count * sizeof(float));
	if (!fit)
		return -ENOMEM;
	for (i = 0, at = 0; i < h->count; i++) {
		int32_t idx;
		struct net *n;

		memcpy(&idx, in + at, 4);
		n = &w->p->nets[idx];
		at += 4 + serial_size(n);
		rc = net_prepare(n, 0, &w->scratch);
		if (rc)
			return rc;
		fit[i] = net_evaluate(n, w->p->task, w->p->episode_states, w->p->cfg, &w->scratch);
	}
	return reply_ok(w, (size_t)h->count * sizeof(float));
}

static int do_own(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	int32_t *idx;
	int rc = net_stream_read(w->p, in, len, h->count, w->err, sizeof(w->err));

	if (rc)
		return rc;
	idx = stream_indices(w, in, h->count);
	rc = idx ? set_own(w, idx, h->count) : -ENOMEM;
	return rc ? rc : reply_empty(w);
}

/* the engine's range functions, one network of the shard at a time */
static void mutate_own(struct wctx *w)
{
	int k;

	for (k = 0; k < w->n_own; k++)
		engine_mutate_range(w->p, w->own[k], w->own[k] + 1);
}

static int prepare_own(struct wctx *w)
{
	int k, rc = 0;

	for (k = 0; k < w->n_own && !rc; k++)
		rc = engine_prepare_range(w->p, &w->scratch, w->own[k], w->own[k] + 1);
	return rc;
}

static int do_mutate_own(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	(void)in;
	(void)len;
	w->p->gen = h->gen;
	mutate_own(w);
	if (h->scope == SCOPE_ALL)
		return reply_empty(w);
	return reply_nets(w, w->own, w->n_own);
}

/* The shard's networks in the pool: listed, checked, marked; evaluate leaves them out. */
static int mark_pool(struct wctx *w, const int32_t *idx, int count)
{
	int k;

	for (k = 0; k < w->n_own; k++)
		w->mine[w->own[k]] = 1;
	for (k = 0; k < count; k++) {
		if (idx[k] < 0 || idx[k] >= w->p->n || !w->mine || !w->mine[idx[k]]) {
			snprintf(w->err, sizeof(w->err), "pool network %d is not in the shard", idx[k]);
			return -EINVAL;
		}
		w->mine[idx[k]] = 2;
	}
	return 0;
}

static int do_prepare_own(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	int32_t *idx;
	int k, m = 0, rc;

	if (h->count < 0 || len < (size_t)h->count * sizeof(*idx))
		return -EINVAL;
	rc = mark_pool(w, (const int32_t *)in, h->count);
	if (!rc)
		rc = prepare_own(w);
	if (rc)
		return rc;
	/* the pool again, in the shard's order (the main process listed it so), from the marks:
	   prepare used the scratch, and the reply may overwrite the shared region it came in */
	idx = scratch_get(&w->scratch, (size_t)h->count * sizeof(*idx) + 1);
	if (!idx)
		return -ENOMEM;
	for (k = 0; k < w->n_own; k++)
		if (w->mine[w->own[k]] == 2)
			idx[m++] = w->own[k];
	return reply_nets(w, idx, m);
}

void eval_result_of(const struct net *n, struct eval_result *r)
{
	*r = (struct eval_result){
		.fitness = n->fitness,
		.nodes = n->mode == MODE_STATIC ? n->n_in + 1 + 2 * n->hidden + n->n_out : n->n_nodes,
		.conns = n->mode == MODE_STATIC ? n->n_weights : n->n_conns,
		.origin = n->origin,
	};
}

/* the offset of pool place pos's record, from the command's table of them */
static size_t pool_offset(const uint8_t *table, int pos)
{
	uint32_t off;

	memcpy(&off, table + (size_t)pos * sizeof(off), sizeof(off));
	return off;
}

/*
 * Pool places claimed until none is left: each network decoded from its record of the
 * command's stream (offsets apart, so only the claimed ones are read), planned, evaluated,
 * what evaluate found put in the shared region.
 */
static int claim_pool(struct wctx *w, const uint8_t *table, int count, const uint8_t *stream,
		      size_t len)
{
	int pos, rc;

	while ((pos = atomic_fetch_add_explicit(&w->shared->next, 1, memory_order_relaxed)) < count) {
		size_t at = pool_offset(table, pos), end = pos + 1 < count ? pool_offset(table, pos + 1) : len, used;
		int32_t idx;
		struct net *n;

		if (at + 4 > end || end > len)
			return -EINVAL;
		memcpy(&idx, stream + at, 4);
		if (idx < 0 || idx >= w->p->n)
			return -EINVAL;
		n = &w->p->nets[idx];
		rc = serial_read(n, stream + at + 4, end - at - 4, &used, w->err, sizeof(w->err));
		if (!rc)
			rc = net_prepare(n, 0, &w->scratch);
		if (rc)
			return rc;
		n->fitness = net_evaluate(n, w->p->task, w->p->episode_states, w->p->cfg, &w->scratch);
		eval_result_of(n, &w->shared->res[pos]);
	}
	return 0;
}

static int do_eval_own(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	size_t states = (size_t)h->n_states * sizeof(float), table = (size_t)(h->count > 0 ? h->count : 0) * 4;
	struct eval_result *res;
	int k, m = 0, rc;

	if (len < states + table || (h->count > 0 && !w->shared))
		return -EINVAL;
	memcpy(w->p->episode_states, in, states);
	res = (struct eval_result *)chan_reserve(w->c, (size_t)w->n_own * sizeof(*res) + WM_BUSY_BYTES);
	if (!res)
		return -ENOMEM;
	for (k = 0; k < w->n_own; k++) {
		int i = w->own[k];

		if (w->mine[i] == 2)
			continue;
		rc = engine_evaluate_range(w->p, &w->scratch, i, i + 1);
		if (rc)
			return rc;
		eval_result_of(&w->p->nets[i], &res[m++]);
	}
	rc = h->count > 0 ? claim_pool(w, in + states, h->count, in + states + table, len - states - table) : 0;
	return rc ? rc : reply_ok(w, (size_t)m * sizeof(*res));
}

static int do_export(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	const int32_t *idx = (const int32_t *)in;
	int32_t *mine;
	int i;

	if (len < (size_t)h->count * sizeof(*idx))
		return -EINVAL;
	for (i = 0; i < h->count; i++)
		if (idx[i] < 0 || idx[i] >= w->p->n || !w->mine || !w->mine[idx[i]])
			return -EINVAL;
	/* copy: the reply may be written over the same shared region the indices came in */
	mine = scratch_get(&w->scratch, (size_t)h->count * sizeof(*mine) + 1);
	if (!mine)
		return -ENOMEM;
	memcpy(mine, idx, (size_t)h->count * sizeof(*mine));
	return reply_nets(w, mine, h->count);
}

/*
 * Fitness of the shard (selection ran in the main process), the next shard with its plans,
 * the parents it needs from other workers; then its children are built and become the shard.
 */
static int do_resample_own(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	size_t m = (size_t)(h->n_own > 0 ? h->n_own : 0);
	size_t fixed = (size_t)w->n_own * sizeof(float) + m * (sizeof(int32_t) + sizeof(struct child_plan));
	const uint8_t *next = in + (size_t)w->n_own * sizeof(float);
	int32_t *idx;
	int k, rc;

	if (len < fixed)
		return -EINVAL;
	for (k = 0; k < w->n_own; k++)
		memcpy(&w->p->nets[w->own[k]].fitness, in + (size_t)k * sizeof(float), sizeof(float));
	idx = scratch_get(&w->scratch, m * sizeof(*idx) + 1);
	if (!idx)
		return -ENOMEM;
	memcpy(idx, next, m * sizeof(*idx));
	for (k = 0; k < (int)m; k++) {
		if (idx[k] < 0 || idx[k] >= w->p->n)
			return -EINVAL;
		memcpy(&w->p->plan[idx[k]], next + m * sizeof(*idx) + (size_t)k * sizeof(struct child_plan),
		       sizeof(struct child_plan));
	}
	rc = net_stream_read(w->p, in + fixed, len - fixed, h->count, w->err, sizeof(w->err));
	if (rc)
		return rc;
	w->p->gen = h->gen;
	for (k = 0; k < (int)m && !rc; k++)
		rc = engine_build_children(w->p, idx[k], idx[k] + 1);
	if (!rc)
		rc = set_own(w, idx, (int)m);
	if (rc)
		return rc;
	population_swap(w->p);
	return reply_empty(w);
}

static int do_gather(struct wctx *w, const struct cmd_hdr *h, const uint8_t *in, size_t len)
{
	(void)h;
	(void)in;
	(void)len;
	return reply_nets(w, w->own, w->n_own);
}

typedef int (*handler_fn)(struct wctx *, const struct cmd_hdr *, const uint8_t *, size_t);

static const struct {
	handler_fn fn;
	int phase;                 /* for fault injection, or -1 */
} handlers[] = {
	[WM_MUTATE_NETS] = { do_mutate_nets, PHASE_MUTATE },
	[WM_EVAL_NETS] = { do_eval_nets, PHASE_EVALUATE },
	[WM_OWN] = { do_own, -1 },
	[WM_MUTATE_OWN] = { do_mutate_own, PHASE_MUTATE },
	[WM_PREPARE_OWN] = { do_prepare_own, PHASE_PREPARE },
	[WM_EVAL_OWN] = { do_eval_own, PHASE_EVALUATE },
	[WM_EXPORT] = { do_export, PHASE_RESAMPLE },
	[WM_RESAMPLE_OWN] = { do_resample_own, PHASE_RESAMPLE },
	[WM_GATHER] = { do_gather, -1 },
};

/* A worker told to write garbage writes a header that promises far more than it sends. */
static void write_garbage(struct wctx *w)
{
	struct msg_header h = { .type = 0xdeadbeef, .len = 0xffffff00u };

	fd_write_full(w->c->wfd, &h, sizeof(h), 0);
}

static int serve_one(struct wctx *w, uint32_t type, const uint8_t *in, size_t len)
{
	struct cmd_hdr h;
	int rc;

	if (type >= sizeof(handlers) / sizeof(handlers[0]) || !handlers[type].fn ||
	    len < sizeof(h)) {
		snprintf(w->err, sizeof(w->err), "unknown command %u", type);
		return -EBADMSG;
	}
	memcpy(&h, in, sizeof(h));
	if (handlers[type].phase >= 0 &&
	    fault_strike(&w->fault, w->id, handlers[type].phase, h.gen) == FAULT_GARBAGE) {
		write_garbage(w);
		return 0;
	}
	w->err[0] = 0;
	w->t_start = proc_now_s();
	w->work_start = engine_work_done();
	rc = handlers[type].fn(w, &h, in + sizeof(h), len - sizeof(h));
	if (rc && !w->err[0])
		snprintf(w->err, sizeof(w->err), "%s", strerror(-rc));
	return rc;
}

int worker_serve(struct population *p, struct chan *c, int id, const char *fault_spec,
		 struct worker_shared *shared)
{
	struct wctx w = { .p = p, .c = c, .id = id, .shared = shared };
	int code = 0;

	fault_parse(fault_spec, &w.fault, w.err, sizeof(w.err));
	for (;;) {
		const uint8_t *in;
		uint32_t type;
		size_t len;
		int rc = chan_recv(c, &type, &in, &len);

		if (rc == -EPIPE || type == WM_EXIT)
			break;     /* the main process is done with this worker */
		if (rc) {
			code = 4;
			break;
		}
		if (serve_one(&w, type, in, len)) {
			size_t n = strlen(w.err);
			uint8_t *out = chan_reserve(c, n);

			if (out) {
				memcpy(out, w.err, n);
				chan_send(c, WM_ERR, n);
			}
			code = 5;
			break;
		}
	}
	scratch_release(&w.scratch);
	free(w.own);
	free(w.mine);
	return code;
}

/* `evopar worker`: read WM_INIT (the config and the fault spec), build the population, serve. */
int worker_exec_main(void)
{
	struct chan c = { .rfd = 3, .wfd = 4 };
	struct population p;
	struct strategy_config cfg;
	const uint8_t *in;
	uint32_t type;
	size_t len;
	char err[256], fault[128] = "";
	int32_t id;
	int rc;

	if (chan_recv(&c, &type, &in, &len) || type != WM_INIT || len < sizeof(cfg) + sizeof(id)) {
		fprintf(stderr, "evopar worker: expected the configuration on fd 3\n");
		chan_release(&c);
		return 2;
	}
	memcpy(&cfg, in, sizeof(cfg));
	memcpy(&id, in + sizeof(cfg), sizeof(id));
	snprintf(fault, sizeof(fault), "%.*s", (int)(len - sizeof(cfg) - sizeof(id)),
		 (const char *)in + sizeof(cfg) + sizeof(id));
	/* pointers in the bytes are the parent's: meaningless here */
	cfg.strategy = "worker";
	cfg.inject_fault = fault[0] ? fault : NULL;
	cfg.self_exe = NULL;
	cfg.migration_dir = NULL;
	if (population_init(&p, &cfg.evo, err, sizeof(err))) {
		fprintf(stderr, "evopar worker: %s\n", err);
		chan_release(&c);
		return 3;
	}
	rc = worker_serve(&p, &c, id, cfg.inject_fault, NULL);
	population_release(&p);
	chan_release(&c);
	return rc;
}
