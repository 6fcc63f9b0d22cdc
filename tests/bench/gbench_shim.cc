// The C shim over Google Benchmark declared in gbench.h. Each function is a thin cast
// from the opaque C handle to the library's C++ object; nothing here may throw into C.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "gbench.h"

namespace {

bool any_error;                // a benchmark called gbench_skip_with_error

benchmark::State &state_of(gbench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State &state_of(const gbench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

benchmark::internal::Benchmark *bench_of(gbench *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

benchmark::Counter::Flags counter_flags(int flags)
{
	int f = benchmark::Counter::kDefaults;

	if (flags & GBENCH_COUNTER_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & GBENCH_COUNTER_AVG_ITERATIONS)
		f |= benchmark::Counter::kAvgIterations;
	if (flags & GBENCH_COUNTER_INVERT)
		f |= benchmark::Counter::kInvert;
	return static_cast<benchmark::Counter::Flags>(f);
}

} // namespace

extern "C" {

gbench *gbench_register(const char *name, gbench_fn fn, void *ctx)
{
	try {
		auto *b = benchmark::RegisterBenchmark(name, [fn, ctx](benchmark::State &st) {
			fn(reinterpret_cast<gbench_state *>(&st), ctx);
		});
		return reinterpret_cast<gbench *>(b);
	} catch (...) {
		return nullptr;
	}
}

void gbench_use_real_time(gbench *b)
{
	bench_of(b)->UseRealTime();
}

void gbench_set_unit(gbench *b, gbench_unit unit)
{
	static const benchmark::TimeUnit units[] = {
		benchmark::kNanosecond, benchmark::kMicrosecond, benchmark::kMillisecond, benchmark::kSecond,
	};

	bench_of(b)->Unit(units[unit]);
}

int gbench_keep_running(gbench_state *st)
{
	return state_of(st).KeepRunning();
}

int64_t gbench_iterations(const gbench_state *st)
{
	return static_cast<int64_t>(state_of(st).iterations());
}

void gbench_pause(gbench_state *st)
{
	state_of(st).PauseTiming();
}

void gbench_resume(gbench_state *st)
{
	state_of(st).ResumeTiming();
}

void gbench_set_items_processed(gbench_state *st, int64_t items)
{
	state_of(st).SetItemsProcessed(items);
}

void gbench_set_counter(gbench_state *st, const char *name, double value, int flags)
{
	try {
		state_of(st).counters[name] = benchmark::Counter(value, counter_flags(flags));
	} catch (...) {
		std::fprintf(stderr, "gbench: counter %s: out of memory\n", name);
	}
}

void gbench_set_label(gbench_state *st, const char *label)
{
	try {
		state_of(st).SetLabel(label);
	} catch (...) {
		std::fprintf(stderr, "gbench: label: out of memory\n");
	}
}

void gbench_skip_with_error(gbench_state *st, const char *msg)
{
	any_error = true;
	state_of(st).SkipWithError(msg);
}

void gbench_add_context(const char *key, const char *value)
{
	try {
		benchmark::AddCustomContext(key, value);
	} catch (...) {
		std::fprintf(stderr, "gbench: context %s: out of memory\n", key);
	}
}

int gbench_main(int argc, char **argv)
{
	try {
		benchmark::Initialize(&argc, argv);
		if (benchmark::ReportUnrecognizedArguments(argc, argv))
			return 2;
		benchmark::RunSpecifiedBenchmarks();
		benchmark::Shutdown();
		return any_error ? 1 : 0;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "gbench: %s\n", e.what());
		return 1;
	}
}

} // extern "C"
