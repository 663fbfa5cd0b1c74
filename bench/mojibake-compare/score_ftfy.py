"""Scores ftfy on the corpus the Rust program wrote, beside quire and plsfix.

    python score_ftfy.py [TARGET_DIR]              # default: ../../target/mojibake-compare
    python score_ftfy.py --languages [TARGET_DIR]  # the hunspell corpus instead

Reads TARGET_DIR/corpus.jsonl and TARGET_DIR/results-rust.json (both written
by `cargo run --release` in this folder), runs two ftfy variants on every
case and prints one markdown table with all four columns, then a throughput
table. Failures go to TARGET_DIR/failures-ftfy-*.txt.

With --languages: reads TARGET_DIR/languages.jsonl and results-languages.json
(written by `mojibake-compare languages`) and prints the same tables as it,
per class and per language, with ftfy's two columns added, then throughput
per class; failures go to TARGET_DIR/failures-languages-ftfy-*.txt.

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


def score_languages(out_dir):
    with open(os.path.join(out_dir, "languages.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f]
    with open(os.path.join(out_dir, "results-languages.json"), encoding="utf-8") as f:
        rust = json.load(f)
    classes = rust["classes"]
    languages = rust["languages"]
    # exact[(tool, class, language)]: cases the tool got right.
    exact = {}
    cells = {}
    for entry in rust["cells"]:
        key = (entry["class"], entry["language"])
        cells[key] = entry
        for tool in ("quire", "plsfix"):
            exact[(tool, *key)] = entry["tools"][tool]
    tools = ["quire", "plsfix"] + [key for _, key, _ in VARIANTS]
    names = ["quire", "plsfix"] + [name for name, _, _ in VARIANTS]

    # Grouped by class as written; each class timed as one run.
    groups = {}
    for case in cases:
        groups.setdefault(case["class"], []).append(case)
    rate = {}
    for _, key, fix in VARIANTS:
        failures = []
        total = 0.0
        for name, group in groups.items():
            start = time.perf_counter()
            outputs = [fix(case["input"]) for case in group]
            elapsed = time.perf_counter() - start
            total += elapsed
            size = sum(cells[(name, lang["name"])]["bytes"] for lang in languages if (name, lang["name"]) in cells)
            rate[(key, name)] = size / elapsed / 1e6
            for case, got in zip(group, outputs):
                k = (key, case["class"], case["language"])
                ok = got == case["expected"]
                exact[k] = exact.get(k, 0) + ok
                if not ok:
                    failures.append(
                        f"{case['class']}, {case['language']}\n  input    {case['input']!r}\n"
                        f"  got      {got!r}\n  expected {case['expected']!r}\n"
                    )
        rate[(key, None)] = rust["corpus_bytes"] / total / 1e6
        with open(os.path.join(out_dir, f"failures-languages-ftfy-{key}.txt"), "w", encoding="utf-8") as f:
            f.writelines(failures)
    for tool in ("quire", "plsfix"):
        t = rust["timings"][tool]
        rate[(tool, None)] = t["mb_per_s"]
        for name in classes:
            rate[(tool, name)] = t["classes"][name]["mb_per_s"]

    def pooled(keep):
        n = sum(c["n"] for k, c in cells.items() if keep(*k))
        size = sum(c["bytes"] for k, c in cells.items() if keep(*k))
        right = [sum(v for (t, *k), v in exact.items() if t == tool and keep(*k)) for tool in tools]
        return n, size, right

    below = []

    def row(label, clean, n, right):
        if not clean and right[0] < max(right[1:]):
            below.append(f"{label}: quire {right[0]}/{n}, best of the others {max(right[1:])}/{n}")
        if clean and right[0] < n:
            below.append(f"{label}: quire changed {n - right[0]} of {n} clean strings")
        return " | ".join(cell(clean, r, n) for r in right)

    print(f"ftfy {ftfy.__version__}; languages corpus {len(cases)} cases, {rust['corpus_bytes'] / 1e6:.2f} MB")
    print()
    print("| class | cases | MB | " + " | ".join(names) + " |")
    print("|---|---:|---:|" + "---:|" * len(names))
    for name in classes:
        clean = name.startswith("clean")
        n, size, right = pooled(lambda c, _, name=name: c == name)
        print(f"| {name} | {n} | {size / 1e6:.2f} | {row(name, clean, n, right)} |")
    print()
    print("| language | code page | text | cases | " + " | ".join(names) + " |")
    print("|---|---|---|---:|" + "---:|" * len(names))
    for lang in languages:
        for clean in (True, False):
            keep = lambda c, l, lang=lang, clean=clean: l == lang["name"] and c.startswith("clean") == clean
            n, _, right = pooled(keep)
            text = "clean" if clean else "garbled"
            label = f"{lang['name']} {text}"
            print(f"| {lang['name']} | {lang['code_page']} | {text} | {n} | {row(label, clean, n, right)} |")
    print()
    print("| MB/s, case by case | MB | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for name in classes:
        _, size, _ = pooled(lambda c, _, name=name: c == name)
        print(f"| {name} | {size / 1e6:.2f} | " + " | ".join(f"{rate[(t, name)]:.1f}" for t in tools) + " |")
    print(f"| whole corpus | {rust['corpus_bytes'] / 1e6:.2f} | " + " | ".join(f"{rate[(t, None)]:.1f}" for t in tools) + " |")

    # Every class and language, and every (class, language) pair, where
    # quire does worse than the best of the others.
    for name in classes:
        for lang in languages:
            key = (name, lang["name"])
            if key in cells and not name.startswith("clean"):
                n = cells[key]["n"]
                right = [exact.get((t, *key), 0) for t in tools]
                if right[0] < max(right[1:]):
                    below.append(f"{name}, {lang['name']}: quire {right[0]}/{n}, best of the others {max(right[1:])}/{n}")
    print()
    print("Where quire changes clean text or restores less than the best of plsfix and ftfy:")
    for line in below or ["nowhere"]:
        print(f"- {line}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    args = [a for a in sys.argv[1:] if a != "--languages"]
    out_dir = args[0] if args else os.path.join(here, "../../target/mojibake-compare")
    if "--languages" in sys.argv[1:]:
        score_languages(out_dir)
        return
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
