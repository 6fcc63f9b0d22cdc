"""Case (a) of tests/cli/test_watch.sh: J CPU-bound pure-Python threads for S seconds.
They run at once and take turns on the GIL: evopar watch should say overlap without progress.
usage: python3 gil_threads.py J SECONDS"""
import sys
import threading

from spin import spin


def main():
    jobs, seconds = int(sys.argv[1]), float(sys.argv[2])
    threads = [threading.Thread(target=spin, args=(seconds,)) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


main()
