/*
 * The GPU room: the evaluate phase of the pole task on a CUDA device. The harness asks whether
 * a GPU can run here, opens a context (one stream and its buffers) per run or trial, and hands
 * it the prepared population once per generation; the room packs it, copies it over, runs one
 * thread per (network, episode) and writes each network's fitness. gpu/eval.cu is the device
 * side (built where nvcc is found), gpu/none.c its stand-in, gpu/pack.c the host side of both.
 */
#ifndef EVOPAR_GPU_H
#define EVOPAR_GPU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct population;

#define GPU_ERRLEN 256

/* what one evaluate phase cost on the device and what it did */
struct gpu_times {
	double pack_ms;            /* the population into the pinned host block (host clock) */
	double h2d_ms;             /* host-to-device copy (CUDA events on the stream) */
	double kernel_ms;
	double d2h_ms;             /* the episodes' steps back */
	double unpack_ms;          /* fitness from them, on the host */
	double bytes_h2d, bytes_d2h;
	double threads;            /* (network, episode) pairs, one GPU thread each */
	double steps;              /* physics steps simulated (the failing step of an episode too) */
	double lane_use;           /* lane-steps that did work / lane-steps a warp was busy: the
				      share left by episodes of unequal length in one warp */
	double scratch_global;     /* 1: a thread's scratch did not fit its local array */
};

/* the device a context runs on, for the records */
struct gpu_info {
	char name[128];
	int cc_major, cc_minor;    /* compute capability */
	int sms;                   /* streaming multiprocessors */
	int fp64_per_sm;           /* FP64 units per SM, from the architecture (a table) */
	double clock_mhz;          /* the SMs' peak clock */
	double fp64_peak_gflops;   /* sms x fp64_per_sm x 2 (an FMA) x clock */
	double mem_gib;
	int runtime_version, driver_version;
};

/* NULL when a GPU can run here; else why not, one line (no CUDA build, no device) */
const char *gpu_unavailable(void);
/* the device contexts run on; 0, or -ENODEV with why in err */
int gpu_info_get(struct gpu_info *info, char *err, size_t errlen);

struct gpu;
/* a context: a stream and buffers that grow with the population; 0 or a negative errno */
int gpu_open(struct gpu **g, char *err, size_t errlen);
/* every network's fitness from the device; t may be NULL; 0 or a negative errno with err */
int gpu_evaluate(struct gpu *g, struct population *p, struct gpu_times *t, char *err, size_t errlen);
void gpu_close(struct gpu *g);

/*
 * pack.c: the same evaluation on the host, through the very code each GPU thread runs (its
 * packing included): every network's fitness; 0 or -ENOMEM. For tests and comparisons.
 */
int gpu_host_evaluate(struct population *p, struct gpu_times *t, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
