"""Times ftfy on a file: the Python peer of the criterion bench.

    python bench/ftfy_bench.py target/bench-input/analyze-1mb.txt [repetitions]

Reads the file as UTF-8 (as quire's decode does for this input) and times
`ftfy.fix_encoding` (mojibake repair only: the peer of `quire_text::repair`)
and `ftfy.fix_text` (every ftfy fix with its defaults) on the whole text,
several repetitions each; prints the best and median MB/s and MiB/s
(criterion reports MiB/s). Run it through bench/ftfy.sh, which sets up the
venv and the input.
"""

import platform
import statistics
import sys
import time

import ftfy


def time_it(function, text, repetitions):
    seconds = []
    result = None
    for _ in range(repetitions):
        start = time.perf_counter()
        result = function(text)
        seconds.append(time.perf_counter() - start)
    return seconds, result


def main():
    path = sys.argv[1]
    repetitions = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    size = len(data)
    print(
        f"ftfy {ftfy.__version__}, Python {platform.python_version()}; "
        f"input {path}: {size} bytes; {repetitions} repetitions each"
    )
    print(f"{'function':<18} {'best s':>8} {'median s':>9} {'MB/s best':>10} {'MB/s median':>12} {'MiB/s median':>13}")
    for name, function in [
        ("fix_encoding", ftfy.fix_encoding),
        ("fix_text", ftfy.fix_text),
    ]:
        seconds, result = time_it(function, text, repetitions)
        best = min(seconds)
        median = statistics.median(seconds)
        changed = "changed" if result != text else "unchanged"
        print(
            f"{name:<18} {best:>8.3f} {median:>9.3f} {size / best / 1e6:>10.2f} "
            f"{size / median / 1e6:>12.2f} {size / median / 2**20:>13.2f}   ({changed})"
        )


if __name__ == "__main__":
    main()
