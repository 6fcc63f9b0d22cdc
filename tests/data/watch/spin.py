"""What the test programs of tests/cli/test_watch.sh compute: pure Python arithmetic, which
holds the GIL, for a given wall time (so a loaded machine lengthens no case)."""
import time


def spin(seconds):
    """Compute for `seconds` of wall time."""
    until = time.monotonic() + seconds
    x = 0
    while time.monotonic() < until:
        for i in range(2000):
            x += i * i
    return x
