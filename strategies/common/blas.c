/*
 * OpenBLAS (pthreads build) starts its pool when the library loads, and each pool thread
 * then spins (sched_yield) for 2^28 TSC ticks, about 0.1 s, before it sleeps: a second core
 * busy at the start of every evopar process whether or not it calls BLAS. Ending the pool
 * stops that; OpenBLAS makes it again at the first call that runs on several threads.
 */
#include <cblas.h>

#include "strategies/common/blas.h"

/* OpenBLAS's own (its fork handler calls it); weak: absent from other builds */
extern int blas_thread_shutdown_(void) __attribute__((weak));

void blas_end_idle_pool(void)
{
	if (blas_thread_shutdown_)
		blas_thread_shutdown_();
}

int blas_pin_one(void)
{
	int before = openblas_get_num_threads();

	openblas_set_num_threads(1);
	blas_end_idle_pool();
	return before;
}
