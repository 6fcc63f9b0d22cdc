/*
 * The cost model of `evopar advise` and `evopar study model`: pure functions of a struct of
 * measured (or user-given) costs, no I/O, so that fixtures test it. Two shapes share it: a
 * generation of phases under one strategy (model_generation), and a farm of items over workers
 * (model_farm: a foreign workload of --costs, or the trials of `evopar search`).
 */
#ifndef EVOPAR_ADVISE_MODEL_H
#define EVOPAR_ADVISE_MODEL_H

#define MODEL_PHASES 4            /* mutate, prepare, evaluate, resample (enum phase's order) */
#define MODEL_MAX_CORES 1024
#define MODEL_NAME 48

/* what a phase moves per network under a strategy */
enum model_bytes {
	BYTES_NONE,               /* shared memory: nothing crosses */
	BYTES_ALL,                /* every network, there and back, every generation */
	BYTES_CROSSING,           /* only networks that change owner: a share (w - 1) / w */
};

/* how a phase's networks are handed to the workers */
enum model_dispatch {
	DISPATCH_NONE,            /* the main process runs the phase */
	DISPATCH_PER_WORKER,      /* one claim or command per worker */
	DISPATCH_GUIDED,          /* guided claims, 1/(2w) of the work left, longest first */
};

struct model_phase_mech {
	int dispatch;             /* enum model_dispatch; DISPATCH_NONE: not spread */
	int bytes;                /* enum model_bytes */
	int starts;               /* 1: every worker is started for this phase each generation */
	double fixed_ms;          /* fitted at the probe: overhead of a phase in the main process */
	double claim_ms;          /* fitted at the probe: each dispatch's cost beyond the floor's */
	double claim_sleep_ms;    /* the same where the waits sleep (model_waits_spin), where the
				     probe measured there; else claim_ms holds for every w */
	int sleep_fitted;
	double byte_ms;           /* fitted at the probe: cost of one byte moved in this phase */
	double par_ms;            /* fitted at the probe: overhead the workers share (serialising
				     on their side, page faults), ms at one effective worker */
	double start_ms;          /* fitted at the probe where the floor's cannot reproduce it:
				     one worker's start in this phase (start_fitted) */
	int start_fitted;
};

struct model_strategy {
	char name[MODEL_NAME];    /* as `evopar run` takes it: "threads", "persistent --worker-scope all" */
	int cap_at_cores;         /* thread-limited: workers capped at the cores */
	int fold_prepare;         /* fork-pool: prepare runs inside evaluate's workers */
	int spins;                /* its waits spin first where they fit (proc_spin_budget_s) */
	double dispatch_ms;       /* one dispatch (a wake-up or a message round trip), from the floors */
	double start_ms;          /* one worker's start (a fork), from the floors */
	struct model_phase_mech ph[MODEL_PHASES];
};

/* the machine, as measured: parallel capacity and the memory bandwidth ceiling */
struct model_machine {
	int cores;
	double capacity[MODEL_MAX_CORES];  /* at N - 1: N copies' throughput over one's; 0: N */
	double bw1_gbs, bwn_gbs;  /* copy bandwidth of one thread and of all cores at once; 0: none */
};

/* one generation of the workload, measured in the sequential reference */
struct model_workload {
	int items;                /* networks */
	double work_ms[MODEL_PHASES];  /* each phase's ms per generation on one core */
	double serial_ms;         /* the rest of a generation (selection's bookkeeping, records) */
	double bytes_per_item;    /* a network on the wire (serialised) */
	const double *eval_prefix;  /* evaluate's cost per network, longest first, as prefix sums
				       (n_eval + 1, from 0); NULL: equal */
	int n_eval;
};

/* what a prediction is made of, ms per generation */
struct model_terms {
	double compute_ms;        /* work over the effective workers */
	double imbalance_ms;      /* what the slowest worker adds over a perfect split */
	double dispatch_ms;       /* dispatches x their cost */
	double bytes_ms;          /* bytes moved x their cost */
	double start_ms;          /* workers started per generation */
	double fixed_ms;          /* the fitted rest */
	double serial_ms;         /* phases that stay in the main process, and the rest */
	double dispatches;        /* per generation */
	double bytes;             /* per generation */
	double weff;              /* effective workers of the spread phases */
	int bw_bound;             /* the bandwidth ceiling capped weff */
	int workers;              /* the workers it runs (thread-limited caps them) */
};

/* the effective workers at w: capacity at min(w, cores), capped by bandwidth for a demand of
   demand_gbs at one worker (0: no cap); *bw_bound set when the cap binds */
double model_weff(const struct model_machine *m, int w, double demand_gbs, int *bw_bound);

/* guided or per-worker claims of items (prefix[i + 1] - prefix[i] the cost of item i, longest
   first; NULL: n equal items) over w workers, list-scheduled: the makespan over a perfect split
   (>= 1) and the claims made */
double model_imbalance(const double *prefix, int n, int w, int dispatch, double *claims);

/* do strategy s's waits spin at w workers on m? Where the main process and the workers fit in
   the cores (proc_spin_budget_s's rule): there a dispatch costs a spinning waiter's wake-up,
   elsewhere a sleeping one's, which on a virtual machine may be ten times more */
int model_waits_spin(const struct model_strategy *s, const struct model_machine *m, int w);

/* one worker's start in phase p of s: fitted there, or the fork+wait floor; 0 where the phase
   starts none */
double model_start_ms(const struct model_strategy *s, int p);

/* each dispatch's cost in phase p at w workers: the floor and the fitted extra of w's kind */
double model_dispatch_ms(const struct model_strategy *s, const struct model_machine *m, int p, int w);

/* ms per generation of strategy s at w workers; t gets the terms (may be NULL) */
double model_generation(const struct model_workload *wl, const struct model_machine *m,
			const struct model_strategy *s, int w, struct model_terms *t);

/* one phase of it at w workers (after the cap): its ms, its terms added to t */
double model_phase(const struct model_workload *wl, const struct model_machine *m,
		   const struct model_strategy *s, int p, int w, struct model_terms *t);

/* the sequential reference: the phases and the rest on one core */
double model_sequential(const struct model_workload *wl);

/*
 * Fit the strategy's per-phase residuals to what it measured at w workers (measured_ms per
 * phase): what compute, dispatches and starts do not explain becomes the per-byte cost of
 * a spread phase that moves bytes, else the extra cost of each of its dispatches (a phase
 * in the main process: a fixed overhead); never below 0.
 */
void model_fit(struct model_strategy *s, const struct model_workload *wl,
	       const struct model_machine *m, int w, const double *measured_ms);

/*
 * The same from n measurements (workers w[k], phases measured[k]): each spread phase's
 * residual r(w) = cost x units(w) + par_ms / w_eff(w), least squares with both terms at
 * least 0, so that measurements at two worker counts tell the main process's share of an
 * overhead (per byte or per dispatch) from the workers' share (par_ms). A phase that starts
 * its workers, where those terms cannot reproduce the points, has its start's cost fitted in
 * place of the floor's: r(w) = start x w + par_ms / w_eff(w). One measurement gives
 * model_fit's answer.
 */
void model_fit_points(struct model_strategy *s, const struct model_workload *wl,
		      const struct model_machine *m, int n, const int *w,
		      const double *const *measured_ms);

/* the strategies evopar runs, their mechanisms set, residuals zero; the count */
int model_strategies(struct model_strategy *out, int max, double thread_wake_ms,
		     double pipe_rtt_ms, double fork_ms);

/* A farm: items of equal cost over workers (a foreign workload, or a search's trials). */
struct model_farm {
	char name[MODEL_NAME];
	double item_ms;           /* one item alone, as measured (with its own threads) */
	int items;
	double bytes_per_item;
	double byte_ms;           /* per byte moved; 0: free */
	double rtt_ms;            /* one round trip */
	double round_trips;       /* per run of all items; < 0: one per item */
	double start_ms;          /* one worker's start */
	double serial_ms;         /* what stays in the main process, once */
	int workers;
	int cores;
	int threads;              /* busy threads an item runs on (BLAS); 0: the cores */
	double item_speedup;      /* what an item's own threads gave it where item_ms was measured
				     (at most this on any number of cores); 1: single-threaded */
	int one_at_a_time;        /* items never overlap (a global lock): workers do not add */
	int static_chunks;        /* items cut into contiguous chunks up front (fork-pool search) */
	double item_cv;           /* spread of items' costs (static chunks pay it); 0: equal */
	const double *item_each;  /* or each item's ms alone, in the order they are handed out
				     (items of them, mean item_ms): the longest queue is then
				     scheduled, not estimated from item_cv; NULL: none */
	double capacity[MODEL_MAX_CORES];  /* as struct model_machine's; 0: ideal */
};

struct farm_terms {
	double waves;             /* items one worker runs in turn, the longest queue */
	double item_ms;           /* one item's cost with the cores it gets */
	double compute_ms, dispatch_ms, bytes_ms, start_ms, serial_ms;
	double concurrent;        /* items running at once */
};

/* ms for the farm's run at w workers; w = 0: the plain loop (no dispatch, no start) */
double model_farm(const struct model_farm *f, int w, struct farm_terms *t);

#endif
