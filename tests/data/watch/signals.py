"""For tests/cli/test_watch.sh: waits until SIGTERM or SIGINT arrives, writes which one to
MARKER and exits 42 (TERM) or 43 (INT), so the test sees that evopar watch passed it on and
passed the exit status back. It writes MARKER.ready once the handlers are in place.
usage: python3 signals.py MARKER"""
import signal
import sys
import time

marker = sys.argv[1]


def on(sig, frame):
    name = "TERM" if sig == signal.SIGTERM else "INT"
    with open(marker, "w") as f:
        f.write(name + "\n")
    sys.exit(42 if sig == signal.SIGTERM else 43)


signal.signal(signal.SIGTERM, on)
signal.signal(signal.SIGINT, on)
open(marker + ".ready", "w").close()
deadline = time.monotonic() + 30      # never outlives a test that forgot it
while time.monotonic() < deadline:
    time.sleep(0.05)
sys.exit(1)
