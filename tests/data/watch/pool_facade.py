"""Case (c) of tests/cli/test_watch.sh: a pool facade of J workers that starts each task's
process only when the one before has ended, so the J tasks never overlap: evopar watch should
say no overlap. usage: python3 pool_facade.py J SECONDS_PER_TASK"""
import multiprocessing
import sys

from spin import spin


class FacadePool:
    """Looks like a pool of `processes` workers; runs one task at a time."""

    def __init__(self, processes):
        self.processes = processes

    def map(self, fn, args):
        for a in args:
            p = multiprocessing.Process(target=fn, args=(a,))
            p.start()
            p.join()


def main():
    jobs, seconds = int(sys.argv[1]), float(sys.argv[2])
    FacadePool(jobs).map(spin, [seconds] * jobs)


if __name__ == "__main__":
    main()
