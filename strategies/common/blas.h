/*
 * OpenBLAS's thread pool: every evopar process ends its idle threads at the start (main),
 * and the strategies that must not run one, sequential (the reference) and thread-limited,
 * pin it to one thread.
 */
#ifndef EVOPAR_STRATEGIES_BLAS_H
#define EVOPAR_STRATEGIES_BLAS_H

/* OpenBLAS pinned to one thread, its pool's threads ended; returns the count before */
int blas_pin_one(void);
/* the pool's threads ended, the count left as it is; a BLAS call that wants threads makes
   them again (OpenBLAS starts its pool lazily) */
void blas_end_idle_pool(void);

#endif
