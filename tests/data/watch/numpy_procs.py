"""Case (d) of tests/cli/test_watch.sh: P processes each multiplying numpy matrices for S
seconds with OpenBLAS's default thread count (a team as large as the machine in every process):
evopar watch should say oversubscription and thread explosion.
usage: python3 numpy_procs.py P SECONDS [N]"""
import multiprocessing
import sys
import time


def products(seconds, n):
    import numpy  # here, so that each process starts its own BLAS team

    a = numpy.random.default_rng(1).random((n, n))
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        a = a @ a
        a /= numpy.abs(a).max()


def main():
    procs, seconds = int(sys.argv[1]), float(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 400
    workers = [multiprocessing.Process(target=products, args=(seconds, n)) for _ in range(procs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


if __name__ == "__main__":
    main()
