/*
 * harness/instruments/: what a run measures beside its own timings. counters.h reads PAPI
 * counters over the process tree (and says why not where none exist); sampler.h counts a
 * tree's threads and processes from /proc every few ms; proctree.h reads each thread's state,
 * CPU and switches for `evopar watch`; calibrate.h times this machine's floors and capacity.
 * Including this header includes them all.
 */
#ifndef EVOPAR_INSTRUMENTS_H
#define EVOPAR_INSTRUMENTS_H

#include "harness/instruments/calibrate.h"
#include "harness/instruments/counters.h"
#include "harness/instruments/proctree.h"
#include "harness/instruments/sampler.h"

#endif
