/*
 * The GPU room's device side (CUDA): whether a GPU can run, a context per run or trial (a
 * stream, pinned and device buffers that grow), and the evaluate phase: pack on the host, one
 * copy over, one thread per (network, episode) running engine/step.h's code in double
 * precision, the steps back, fitness on the host. Built only where nvcc is found.
 */
#include <cuda_runtime.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "gpu/gpu.h"
#include "gpu/packed.h"
extern "C" {
#include "proc/clock.h"
}

#define BLOCK_THREADS 128
#define LOCAL_SCRATCH 64          /* floats of a thread's scratch kept in its local array */

enum { EV_START, EV_COPIED, EV_RAN, EV_BACK, EV_COUNT };

struct gpu {
	cudaStream_t stream;
	cudaEvent_t ev[EV_COUNT];
	int n_events;
	unsigned char *host_block, *dev_block;   /* host: pinned */
	size_t block_cap;
	int *host_survived, *dev_survived;
	size_t survived_cap;
	float *dev_scratch;                      /* only where local arrays are too small */
	size_t scratch_cap;
};

__global__ void eval_kernel(struct gpu_layout l, const unsigned char *block, int *survived,
			    float *scratch_global)
{
	long t = (long)blockIdx.x * blockDim.x + threadIdx.x;
	float local[LOCAL_SCRATCH];
	float *scratch;

	if (t >= (long)l.n * l.episodes)
		return;
	scratch = l.scratch_floats <= LOCAL_SCRATCH ? local : scratch_global + t * l.scratch_floats;
	survived[t] = gpu_packed_episode(&l, block, t, scratch);
}

/* err = "what: cudaErrorName: text"; the negative errno the room returns */
static int cuda_fail(cudaError_t e, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", what, cudaGetErrorName(e), cudaGetErrorString(e));
	return e == cudaErrorMemoryAllocation ? -ENOMEM : -EIO;
}

static char unavailable[GPU_ERRLEN];
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe(void)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);

	if (e != cudaSuccess)
		snprintf(unavailable, sizeof(unavailable), "no usable GPU here (cudaGetDeviceCount: "
			 "%s: %s)", cudaGetErrorName(e), cudaGetErrorString(e));
	else if (n == 0)
		snprintf(unavailable, sizeof(unavailable), "no GPU here (cudaGetDeviceCount: 0 devices)");
}

extern "C" const char *gpu_unavailable(void)
{
	pthread_once(&probe_once, probe);
	return unavailable[0] ? unavailable : NULL;
}

/* FP64 units per SM by architecture: the data-centre parts have many, the others 2 */
static int fp64_per_sm(int major, int minor)
{
	if ((major == 6 && minor == 0) || major == 7 || (major == 8 && minor == 0))
		return 32;
	if (major == 9 || (major == 10 && minor == 0))
		return 64;
	return 2;
}

extern "C" int gpu_info_get(struct gpu_info *info, char *err, size_t errlen)
{
	struct cudaDeviceProp prop;
	cudaError_t e;
	int dev = 0, khz = 0;

	memset(info, 0, sizeof(*info));
	if (gpu_unavailable()) {
		snprintf(err, errlen, "%s", gpu_unavailable());
		return -ENODEV;
	}
	e = cudaGetDevice(&dev);
	if (e == cudaSuccess)
		e = cudaGetDeviceProperties(&prop, dev);
	if (e == cudaSuccess)
		e = cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, dev);
	if (e != cudaSuccess)
		return cuda_fail(e, "cudaGetDeviceProperties", err, errlen);
	snprintf(info->name, sizeof(info->name), "%.*s", (int)sizeof(info->name) - 1, prop.name);
	info->cc_major = prop.major;
	info->cc_minor = prop.minor;
	info->sms = prop.multiProcessorCount;
	info->fp64_per_sm = fp64_per_sm(prop.major, prop.minor);
	info->clock_mhz = khz / 1e3;
	info->fp64_peak_gflops = info->sms * info->fp64_per_sm * 2.0 * info->clock_mhz / 1e3;
	info->mem_gib = (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0);
	cudaRuntimeGetVersion(&info->runtime_version);
	cudaDriverGetVersion(&info->driver_version);
	return 0;
}

extern "C" void gpu_close(struct gpu *g)
{
	int i;

	if (!g)
		return;
	cudaFree(g->dev_scratch);
	cudaFree(g->dev_survived);
	cudaFreeHost(g->host_survived);
	cudaFree(g->dev_block);
	cudaFreeHost(g->host_block);
	for (i = 0; i < g->n_events; i++)
		cudaEventDestroy(g->ev[i]);
	if (g->stream)
		cudaStreamDestroy(g->stream);
	free(g);
}

extern "C" int gpu_open(struct gpu **out, char *err, size_t errlen)
{
	struct gpu *g;
	cudaError_t e;

	*out = NULL;
	if (gpu_unavailable()) {
		snprintf(err, errlen, "%s", gpu_unavailable());
		return -ENODEV;
	}
	g = (struct gpu *)calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "GPU context: out of memory");
		return -ENOMEM;
	}
	e = cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking);
	for (; e == cudaSuccess && g->n_events < EV_COUNT; g->n_events++)
		e = cudaEventCreate(&g->ev[g->n_events]);
	if (e != cudaSuccess) {
		gpu_close(g);
		return cuda_fail(e, "cudaStreamCreate", err, errlen);
	}
	*out = g;
	return 0;
}

/* Room for bytes in a pinned host buffer and its device twin (either may be NULL); 50% spare. */
static cudaError_t reserve(void **host, void **dev, size_t *cap, size_t bytes)
{
	cudaError_t e = cudaSuccess;
	size_t want = bytes + bytes / 2 + 64;

	if (bytes <= *cap)
		return cudaSuccess;
	if (host) {
		cudaFreeHost(*host);
		*host = NULL;
		e = cudaMallocHost(host, want);
	}
	if (dev && e == cudaSuccess) {
		cudaFree(*dev);
		*dev = NULL;
		e = cudaMalloc(dev, want);
	}
	*cap = e == cudaSuccess ? want : 0;
	return e;
}

static int buffers_for(struct gpu *g, const struct gpu_layout *l, char *err, size_t errlen)
{
	size_t threads = (size_t)l->n * l->episodes;
	cudaError_t e;

	e = reserve((void **)&g->host_block, (void **)&g->dev_block, &g->block_cap, l->bytes);
	if (e == cudaSuccess)
		e = reserve((void **)&g->host_survived, (void **)&g->dev_survived, &g->survived_cap,
			    threads * sizeof(int));
	if (e == cudaSuccess && l->scratch_floats > LOCAL_SCRATCH)
		e = reserve(NULL, (void **)&g->dev_scratch, &g->scratch_cap,
			    threads * l->scratch_floats * sizeof(float));
	return e == cudaSuccess ? 0 : cuda_fail(e, "GPU buffers", err, errlen);
}

/* copy over, run, copy back on the context's stream, events between; what failed to start */
static cudaError_t launch(struct gpu *g, const struct gpu_layout *l)
{
	long threads = (long)l->n * l->episodes;
	unsigned blocks = (unsigned)((threads + BLOCK_THREADS - 1) / BLOCK_THREADS);
	cudaError_t e;

	cudaEventRecord(g->ev[EV_START], g->stream);
	e = cudaMemcpyAsync(g->dev_block, g->host_block, l->bytes, cudaMemcpyHostToDevice, g->stream);
	cudaEventRecord(g->ev[EV_COPIED], g->stream);
	if (e != cudaSuccess)
		return e;
	eval_kernel<<<blocks, BLOCK_THREADS, 0, g->stream>>>(*l, g->dev_block, g->dev_survived,
							     g->dev_scratch);
	e = cudaGetLastError();
	cudaEventRecord(g->ev[EV_RAN], g->stream);
	if (e != cudaSuccess)
		return e;
	e = cudaMemcpyAsync(g->host_survived, g->dev_survived, threads * sizeof(int),
			    cudaMemcpyDeviceToHost, g->stream);
	cudaEventRecord(g->ev[EV_BACK], g->stream);
	return e;
}

/*
 * Wait for the stream, yielding the core to whoever wants it, and give up when a stop was
 * asked for (SIGINT, SIGTERM, --stall-timeout): 0, -EINTR, or -EIO with err.
 */
static int wait_stream(struct gpu *g, char *err, size_t errlen)
{
	cudaError_t e;

	while ((e = cudaStreamQuery(g->stream)) == cudaErrorNotReady) {
		if (proc_stop_requested) {
			snprintf(err, errlen, "GPU evaluate: stopped while the kernel ran");
			return -EINTR;
		}
		sched_yield();
	}
	return e == cudaSuccess ? 0 : cuda_fail(e, "GPU evaluate", err, errlen);
}

static void event_times(struct gpu *g, struct gpu_times *t)
{
	float ms[EV_COUNT - 1] = { 0 };
	int i;

	for (i = 0; i + 1 < EV_COUNT; i++)
		cudaEventElapsedTime(&ms[i], g->ev[i], g->ev[i + 1]);
	t->h2d_ms = ms[0];
	t->kernel_ms = ms[1];
	t->d2h_ms = ms[2];
}

extern "C" int gpu_evaluate(struct gpu *g, struct population *p, struct gpu_times *t,
			    char *err, size_t errlen)
{
	struct gpu_times local;
	struct gpu_layout l;
	double t0 = proc_now_s(), t1;
	cudaError_t e;
	int rc;

	if (!t)
		t = &local;
	memset(t, 0, sizeof(*t));
	rc = gpu_layout_of(&l, p, err, errlen);
	if (!rc)
		rc = buffers_for(g, &l, err, errlen);
	if (rc)
		return rc;
	gpu_pack(&l, p, g->host_block);
	t1 = proc_now_s();
	t->pack_ms = (t1 - t0) * 1e3;
	e = launch(g, &l);
	if (e != cudaSuccess)
		return cuda_fail(e, "GPU evaluate", err, errlen);
	rc = wait_stream(g, err, errlen);
	if (rc)
		return rc;
	event_times(g, t);
	t0 = proc_now_s();
	gpu_unpack(&l, p, g->host_survived, t);
	t->unpack_ms = (proc_now_s() - t0) * 1e3;
	t->bytes_h2d = (double)l.bytes;
	t->bytes_d2h = (double)l.n * l.episodes * sizeof(int);
	t->scratch_global = l.scratch_floats > LOCAL_SCRATCH;
	return 0;
}
