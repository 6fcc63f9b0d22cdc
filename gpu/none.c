/*
 * The GPU room's stand-in where the CUDA path is not built (no nvcc, or a sanitizer build):
 * every entry says why, so `--device cuda` can exit saying which.
 */
#include <errno.h>
#include <stdio.h>

#include "gpu/gpu.h"

#ifndef GPU_NONE_REASON
#define GPU_NONE_REASON "nvcc not found"
#endif

const char *gpu_unavailable(void)
{
	return "this evopar was built without CUDA (" GPU_NONE_REASON ")";
}

int gpu_info_get(struct gpu_info *info, char *err, size_t errlen)
{
	(void)info;
	snprintf(err, errlen, "%s", gpu_unavailable());
	return -ENODEV;
}

int gpu_open(struct gpu **g, char *err, size_t errlen)
{
	*g = NULL;
	snprintf(err, errlen, "%s", gpu_unavailable());
	return -ENODEV;
}

int gpu_evaluate(struct gpu *g, struct population *p, struct gpu_times *t, char *err, size_t errlen)
{
	(void)g;
	(void)p;
	(void)t;
	snprintf(err, errlen, "%s", gpu_unavailable());
	return -ENODEV;
}

void gpu_close(struct gpu *g)
{
	(void)g;
}
