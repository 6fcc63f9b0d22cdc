/*
 * --device: where `run` and `search` play the evaluate phase. cpu is the strategy's own
 * evaluate hook; cuda packs the population once per generation and evaluates it on the GPU
 * (gpu/gpu.h). Here the options' checks, the hook run.c calls in place of the strategy's,
 * the records of what the device did, and a search trial's evolution on it.
 */
#ifndef EVOPAR_DEVICE_H
#define EVOPAR_DEVICE_H

#include <stddef.h>

#include "engine/engine.h"
#include "gpu/gpu.h"

struct strategy;
struct jw;

enum device_kind { DEVICE_CPU, DEVICE_CUDA };
extern const char *const device_names[];   /* the option's choices, NULL-terminated */

struct device {
	int kind;                  /* enum device_kind */
	struct gpu *gpu;           /* cuda: the context */
	struct gpu_times last;     /* what the last evaluate phase cost */
};

/* What the options cannot say of --device: cuda plays the pole task, with a strategy whose
   evaluate phase runs in this process; 0, or -1 with one line in err. */
int device_check_workload(int kind, int task, const char *strategy, char *err, size_t errlen);
/* NULL when --device kind can run here; else why not (no CUDA build, no GPU), one line */
const char *device_unavailable(int kind);

/* the device's context (nothing for cpu); 0, or a negative errno with err */
int device_open(struct device *d, int kind, char *err, size_t errlen);
void device_close(struct device *d);
/* the evaluate phase on the device, a strategy hook's shape: the error in s->err and the
   moving of data (pack and copies) in s->comm_ms */
int device_evaluate(struct device *d, struct strategy *s, struct population *p);
/* cuda: a "device" record (the GPU, its FP64 peak) into w, and 1; cpu: nothing, 0 */
int device_write_info(struct jw *w, const struct device *d);
/* cuda: the generation record's "device" object (the last evaluate's split); nothing for cpu */
void device_write_generation(struct jw *w, const struct device *d);
/* A search trial's evolution (engine_evolve), its evaluate phase on the device. */
int device_evolve(int kind, const struct evo_config *cfg, struct evolve_result *res, char *err,
		  size_t errlen);

#endif
