"""Scores ftfy on the corpus the Rust program wrote, beside quire and plsfix.

    python score_ftfy.py [TARGET_DIR]      # default: ../../target/mojibake-compare

Reads TARGET_DIR/corpus.jsonl and TARGET_DIR/results-rust.json (both written
by `cargo run --release` in this folder), runs two ftfy variants on every
case and prints one markdown table with all four columns, then a throughput
table. Failures go to TARGET_DIR/failures-ftfy-*.txt.

- `ftfy.fix_encoding`: the whole text as one segment (what the brief names).
- `ftfy.fix_text` with every fix but the encoding ones off: line by line,
  the same configuration plsfix runs with.
"""

import json
import os
import statistics
import sys
import time

import ftfy
from ftfy import TextFixerConfig

ENCODING_ONLY = TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

VARIANTS = [
    ("ftfy fix_encoding", "fix_encoding", ftfy.fix_encoding),
    ("ftfy fix_text, encoding only", "fix_text_encoding_only", lambda t: ftfy.fix_text(t, ENCODING_ONLY)),
]


def first_difference(got, want, radius=12):
    common = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    start = max(0, common - radius)
    return got[start : common + radius], want[start : common + radius]


def cell(clean, exact, n):
    if clean:
        changed = n - exact
        return f"changed {changed} ({100 * changed / n:.1f}%)"
    return f"restored {exact}/{n} ({100 * exact / n:.1f}%)"


def print_tricky_matrix(entries):
    """One row per tricky string some tool gets wrong: which tools fail it
    clean and under each garbling."""
    tools = [("quire", "q", None), ("plsfix", "p", None)] + [
        (key, letter, fix) for (_, key, fix), letter in zip(VARIANTS, ["f", "F"])
    ]
    schemes = []
    for entry in entries:
        if entry["scheme"] not in schemes:
            schemes.append(entry["scheme"])
    strings = []
    fails = {}
    for entry in entries:
        expected = entry["expected"]
        if expected not in strings:
            strings.append(expected)
        letters = ""
        for key, letter, fix in tools:
            got = entry[key] if fix is None else fix(entry["input"])
            if got != expected:
                letters += letter
        fails[(expected, entry["scheme"])] = letters
    print()
    print("Tricky strings some tool gets wrong (q quire, p plsfix, f ftfy fix_encoding, "
          "F ftfy fix_text encoding only; · all right; blank: garbling changes nothing):")
    print()
    print("| string | " + " | ".join(schemes) + " |")
    print("|---|" + "---|" * len(schemes))
    for expected in strings:
        cells = [fails.get((expected, scheme)) for scheme in schemes]
        if not any(cells):
            continue
        shown = [" " if c is None else (c or "·") for c in cells]
        print(f"| `{expected!r}` | " + " | ".join(shown) + " |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../target/mojibake-compare")
    with open(os.path.join(out_dir, "corpus.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f]
    with open(os.path.join(out_dir, "results-rust.json"), encoding="utf-8") as f:
        rust = json.load(f)
    corpus_bytes = sum(len(c["input"].encode("utf-8")) for c in cases)

    exact = {}
    seconds = {}
    for _, key, fix in VARIANTS:
        failures = []
        total = 0.0
        for case in cases:
            start = time.perf_counter()
            got = fix(case["input"])
            total += time.perf_counter() - start
            ok = got == case["expected"]
            exact[(key, case["category"])] = exact.get((key, case["category"]), 0) + ok
            if not ok:
                g, w = first_difference(got, case["expected"])
                failures.append(f"{case['category']}\n  got      {g!r}\n  expected {w!r}\n")
        seconds[key] = total
        with open(os.path.join(out_dir, f"failures-ftfy-{key}.txt"), "w", encoding="utf-8") as f:
            f.writelines(failures)

    print(f"ftfy {ftfy.__version__}; corpus {len(cases)} cases, {corpus_bytes / 1e6:.2f} MB")
    print()
    header = ["category", "cases", "MB", "quire", "plsfix"] + [name for name, _, _ in VARIANTS]
    print("| " + " | ".join(header) + " |")
    print("|---|---:|---:|" + "---:|" * (len(header) - 3))
    for category in rust["categories"]:
        name, clean, n = category["name"], category["clean"], category["n"]
        row = [name, str(n), f"{category['bytes'] / 1e6:.2f}"]
        for tool in ("quire", "plsfix"):
            row.append(cell(clean, category["tools"][tool]["exact"], n))
        for _, key, _ in VARIANTS:
            row.append(cell(clean, exact[(key, name)], n))
        print("| " + " | ".join(row) + " |")

    print_tricky_matrix(rust["tricky"])

    bench_input = os.path.join(here, "../../target/bench-input/analyze-1mb.txt")
    bench = {}
    if os.path.exists(bench_input):
        with open(bench_input, "rb") as f:
            data = f.read()
        text = data.decode("utf-8")
        for _, key, fix in VARIANTS:
            times = []
            for _ in range(5):
                start = time.perf_counter()
                fix(text)
                times.append(time.perf_counter() - start)
            bench[key] = len(data) / statistics.median(times) / 1e6

    print()
    print("| tool | corpus MB/s (case by case) | bench input MB/s (one 1 MB text, median of 5) |")
    print("|---|---:|---:|")
    for tool in ("quire", "plsfix"):
        t = rust["timings"][tool]
        b = t.get("bench_input_mb_per_s")
        print(f"| {tool} | {t['corpus_mb_per_s']:.1f} | {'–' if b is None else f'{b:.1f}'} |")
    for name, key, _ in VARIANTS:
        b = bench.get(key)
        print(f"| {name} | {corpus_bytes / seconds[key] / 1e6:.1f} | {'–' if b is None else f'{b:.1f}'} |")


if __name__ == "__main__":
    main()
