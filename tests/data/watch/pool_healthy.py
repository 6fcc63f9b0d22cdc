"""Case (b) of tests/cli/test_watch.sh: a multiprocessing.Pool of J processes, each task
CPU-bound pure Python for S seconds; with J <= cores evopar watch should say healthy.
usage: python3 pool_healthy.py J SECONDS"""
import multiprocessing
import sys

from spin import spin


def main():
    jobs, seconds = int(sys.argv[1]), float(sys.argv[2])
    with multiprocessing.Pool(jobs) as pool:
        pool.map(spin, [seconds] * jobs)


if __name__ == "__main__":
    main()
