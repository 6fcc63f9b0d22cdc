/*
 * strategies/common/: what several strategies share, so no strategy file holds plumbing.
 * threadpool.h: the pthread pool of threads and thread-limited; procpool.h and worker.h: the
 * strategy side of proc/pool (commands, failure messages by phase) and the worker process's
 * command loop, for fork-pool and persistent; island.h, file_island.h, island_worker.h and
 * migration.h: one island, its process and its migrant files; islands_mpi.h: islands over MPI
 * ranks; fault.h: --inject-fault, checked with the options and acted out in workers;
 * balance.h and shards.h: predicted costs, longest-first assignment, persistent's shards and
 * the pool of light networks any free worker evaluates.
 * Including this header includes them all but islands_mpi.h (which needs mpi.h).
 */
#ifndef EVOPAR_STRATEGIES_COMMON_H
#define EVOPAR_STRATEGIES_COMMON_H

#include "strategies/common/balance.h"
#include "strategies/common/fault.h"
#include "strategies/common/file_island.h"
#include "strategies/common/island.h"
#include "strategies/common/island_worker.h"
#include "strategies/common/migration.h"
#include "strategies/common/procpool.h"
#include "strategies/common/shards.h"
#include "strategies/common/threadpool.h"
#include "strategies/common/worker.h"

#endif
