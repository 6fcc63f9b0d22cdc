/*
 * proc/: the process plumbing under everything that starts processes, knowing no strategy
 * and no engine: the clock and stop flag, framed messages with deadlines (wire), channels,
 * one child API (start, wait with a deadline, end as 128+signal) and ONE worker pool with
 * one failure record. Including this header includes them all; three live apart because few
 * need them: mpi_ranks.h (MPI rank table, idle back-off, dead-rank check), floors.h (the
 * primitives' bare costs, for the calibration) and private_dir.h (a run's temp directory,
 * locked while the run lives and tidied by the next run after a SIGKILL).
 */
#ifndef EVOPAR_PROC_H
#define EVOPAR_PROC_H

#include "proc/chan.h"
#include "proc/child.h"
#include "proc/clock.h"
#include "proc/pool.h"
#include "proc/wire.h"

#endif
