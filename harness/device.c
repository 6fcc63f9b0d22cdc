/*
 * --device (see device.h): the checks, the evaluate hook that replaces the strategy's, the
 * records of the split (pack, host-to-device, kernel, device-to-host) and a trial on the GPU.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/config.h"
#include "harness/device.h"
#include "harness/records/record.h"
#include "strategies/strategy.h"

const char *const device_names[] = { "cpu", "cuda", NULL };

/* the strategies whose evaluate phase runs in the main process, on p->nets */
static const char *const in_process[] = { "sequential", "threads", "thread-limited" };

int device_check_workload(int kind, int task, const char *strategy, char *err, size_t errlen)
{
	size_t i;

	if (kind == DEVICE_CPU)
		return 0;
	if (task != TASK_POLE) {
		snprintf(err, errlen, "--device cuda: the GPU path plays --task pole only");
		return -1;
	}
	for (i = 0; i < sizeof(in_process) / sizeof(in_process[0]); i++)
		if (!strcmp(strategy, in_process[i]))
			return 0;
	snprintf(err, errlen, "--device cuda: the evaluate phase must run in this process: "
		 "--strategy sequential, threads or thread-limited, not %s", strategy);
	return -1;
}

const char *device_unavailable(int kind)
{
	return kind == DEVICE_CPU ? NULL : gpu_unavailable();
}

int device_open(struct device *d, int kind, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	return kind == DEVICE_CPU ? 0 : gpu_open(&d->gpu, err, errlen);
}

void device_close(struct device *d)
{
	gpu_close(d->gpu);
	d->gpu = NULL;
}

int device_evaluate(struct device *d, struct strategy *s, struct population *p)
{
	int rc = gpu_evaluate(d->gpu, p, &d->last, s->err, sizeof(s->err));

	s->comm_ms[PHASE_EVALUATE] = d->last.pack_ms + d->last.h2d_ms + d->last.d2h_ms;
	return rc;
}

int device_write_info(struct jw *w, const struct device *d)
{
	struct gpu_info info;
	char err[GPU_ERRLEN];

	if (d->kind == DEVICE_CPU)
		return 0;
	jw_begin(w, "device");
	jw_str(w, "kind", device_names[d->kind]);   /* "device" is the generation record's split */
	if (gpu_info_get(&info, err, sizeof(err))) {
		jw_str(w, "error", err);
	} else {
		jw_str(w, "name", info.name);
		jw_int(w, "cc_major", info.cc_major);
		jw_int(w, "cc_minor", info.cc_minor);
		jw_int(w, "sms", info.sms);
		jw_int(w, "fp64_units_per_sm", info.fp64_per_sm);
		jw_num(w, "clock_mhz", info.clock_mhz);
		jw_num(w, "fp64_peak_gflops", info.fp64_peak_gflops);
		jw_num(w, "mem_gib", info.mem_gib);
		jw_int(w, "cuda_runtime", info.runtime_version);
		jw_int(w, "cuda_driver", info.driver_version);
	}
	jw_end(w);
	return 1;
}

/* the generation record's device object: what struct gpu_times holds, by name */
static const struct {
	const char *name;
	size_t offset;
} time_fields[] = {
	{ "pack_ms", offsetof(struct gpu_times, pack_ms) },
	{ "h2d_ms", offsetof(struct gpu_times, h2d_ms) },
	{ "kernel_ms", offsetof(struct gpu_times, kernel_ms) },
	{ "d2h_ms", offsetof(struct gpu_times, d2h_ms) },
	{ "unpack_ms", offsetof(struct gpu_times, unpack_ms) },
	{ "bytes_h2d", offsetof(struct gpu_times, bytes_h2d) },
	{ "bytes_d2h", offsetof(struct gpu_times, bytes_d2h) },
	{ "threads", offsetof(struct gpu_times, threads) },
	{ "steps", offsetof(struct gpu_times, steps) },
	{ "lane_use", offsetof(struct gpu_times, lane_use) },
};

void device_write_generation(struct jw *w, const struct device *d)
{
	size_t i;

	if (d->kind == DEVICE_CPU)
		return;
	jw_obj_begin(w, "device");
	for (i = 0; i < sizeof(time_fields) / sizeof(time_fields[0]); i++)
		jw_num(w, time_fields[i].name,
		       *(const double *)((const char *)&d->last + time_fields[i].offset));
	jw_bool(w, "scratch_global", d->last.scratch_global > 0);
	jw_obj_end(w);
}

static int evolve_on_gpu(void *ctx, struct population *p, char *err, size_t errlen)
{
	return gpu_evaluate(ctx, p, NULL, err, errlen);
}

int device_evolve(int kind, const struct evo_config *cfg, struct evolve_result *res, char *err,
		  size_t errlen)
{
	struct evolve_hooks hooks = { .evaluate = evolve_on_gpu };
	struct gpu *g;
	int rc;

	if (kind == DEVICE_CPU)
		return engine_evolve(cfg, res, err, errlen);
	memset(res, 0, sizeof(*res));
	rc = gpu_open(&g, err, errlen);
	if (rc)
		return rc;
	hooks.ctx = g;
	rc = engine_evolve_with(cfg, &hooks, res, err, errlen);
	gpu_close(g);
	return rc;
}
