"""Adversarial inputs (issue 10): time and peak RSS as the input grows tenfold.

    python -m bench.adversarial            # every family, up to 1M characters / 50 MB / 800 folders
    python -m bench.adversarial --quick    # the two smaller sizes of each family only

Each measurement runs ``unspin`` in a fresh process (as a user would: the filter on
stdin, ``check`` on a folder or file) and reads the child's own peak RSS from
``wait4``. The growth factor is the time at one size over the time at the size ten
times smaller: about 10 is linear, 100 quadratic; the issue asks for at most 12, and
at most 250 MB of peak RSS at 1M characters of dense candidates.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

DENSE = "中心集会向导题目"  # every word a candidate, no punctuation to cut at
#: a pasted page: mostly ordinary prose, one spun sentence in ten
PROSE = "今天的天气很好，我们一起去公园散步，看见很多人在湖边钓鱼。" * 9 + "中心政法委书记郭声琨主持集会,要求增强政策供给、批量办理题目。"
SPUN_LINE = "中心政法委书记\n"


@dataclass
class Run:
    family: str
    size: str
    seconds: float
    peak_mb: float
    exit_code: int


def measure(args: list[str], stdin: Path | None, cwd: Path, timeout: float) -> tuple[float, float, int]:
    """Wall time, peak RSS (MB) and exit code of one ``unspin`` process."""
    unspin = shutil.which("unspin") or "unspin"
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as fin:
        start = time.perf_counter()
        proc = subprocess.Popen([unspin, *args], stdin=fin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=cwd)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return float("inf"), usage.ru_maxrss / 1024, -9
            time.sleep(0.01)
        seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def _dense(work: Path, n: int) -> tuple[list[str], Path | None]:
    path = work / f"dense-{n}.txt"
    path.write_text((DENSE * (n // len(DENSE) + 1))[:n], encoding="utf-8")
    return [], path


def _long_line(work: Path, n: int) -> tuple[list[str], Path | None]:
    """``n`` bytes of UTF-8 on one line (no newline anywhere), written piece by piece."""
    path = work / f"line-{n}.txt"
    unit = PROSE.encode("utf-8")
    with path.open("wb") as f:
        for _ in range(n // len(unit)):
            f.write(unit)
    return [], path


def _markdown(work: Path, n: int) -> tuple[list[str], Path | None]:
    path = work / f"links-{n}.md"
    path.write_text(SPUN_LINE + "](" * (n // 2), encoding="utf-8")
    return ["check", "-j", "1", str(path)], None


def _html(work: Path, n: int) -> tuple[list[str], Path | None]:
    path = work / f"scripts-{n}.html"
    path.write_text("<p>中心政法委书记</p>" + "<script>" * (n // 8), encoding="utf-8")
    return ["check", "-j", "1", str(path)], None


def _deep(work: Path, n: int) -> tuple[list[str], Path | None]:
    root = work / f"deep-{n}"
    folder = root.joinpath(*["d"] * n)
    folder.mkdir(parents=True)
    (folder / "x.txt").write_text(SPUN_LINE, encoding="utf-8")
    return ["check", "-j", "1", str(root)], None


def _dictionary(work: Path, n: int) -> tuple[list[str], Path | None]:
    def word(i: int) -> str:
        return "".join(chr(0x4E00 + (i // 20000 ** k) % 20000) for k in range(2)) + chr(0x9FA0 + i % 5)

    path = work / f"dict-{n}.yaml"
    with path.open("w", encoding="utf-8") as f:
        f.write("everyday:\n")
        for i in range(n):
            f.write(f"  {word(i)}甲: {word(i)}乙\n")
    stdin = work / "one-line.txt"
    stdin.write_text(SPUN_LINE, encoding="utf-8")
    return ["--dictionary", str(path)], stdin


def _hub_table(work: Path, n: int) -> tuple[list[str], Path | None]:
    """A table pairing one word with ``n`` others (a thesaurus's hub word, or a hostile table): every
    structure keyed by form must grow linearly in a form's partners."""
    path = work / f"hub-{n}.txt"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"中心-{chr(0x4E00 + i % 20000)}{chr(0x4E00 + i // 20000)}\n")
    stdin = work / "one-line.txt"
    stdin.write_text(SPUN_LINE, encoding="utf-8")
    return ["--table", str(path)], stdin


#: family → (how an input of size n is made, the sizes, how a size is shown)
FAMILIES: dict[str, tuple[Callable, list[int], Callable[[int], str]]] = {
    "dense candidates, no punctuation (filter)": (_dense, [10_000, 100_000, 1_000_000], lambda n: f"{n:,} chars"),
    "one line without a newline (filter)": (_long_line, [500_000, 5_000_000, 50_000_000],
                                            lambda n: f"{n / 1e6:g} MB"),
    "Markdown `](` openers (check)": (_markdown, [10_000, 100_000, 1_000_000], lambda n: f"{n:,} chars"),
    "HTML unclosed <script> (check)": (_html, [10_000, 100_000, 1_000_000], lambda n: f"{n:,} chars"),
    "nested folders (check)": (_deep, [8, 80, 800], lambda n: f"{n} deep"),
    "dictionary entries (filter --dictionary)": (_dictionary, [10_000, 100_000, 1_000_000],
                                                lambda n: f"{n:,} entries"),
    "one word's partners in a table (filter --table)": (_hub_table, [4_000, 40_000, 400_000],
                                                       lambda n: f"{n:,} partners"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.adversarial", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest size of each family")
    parser.add_argument("--only", default=None, help="run the families whose name contains this")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a run is killed")
    args = parser.parse_args(argv)
    print(f"{'input':45} {'size':>16} {'time':>9} {'growth':>7} {'peak RSS':>9}  exit")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="unspin-adversarial-") as tmp:
        work = Path(tmp)
        for family, (make, sizes, show) in FAMILIES.items():
            if args.only and args.only.lower() not in family.lower():
                continue
            previous = None
            for n in sizes[:-1] if args.quick else sizes:
                cli_args, stdin = make(work, n)
                seconds, peak, code = measure(cli_args, stdin, work, args.timeout)
                growth = f"{seconds / previous:6.1f}×" if previous else "       "
                if previous and seconds > 0.5:  # start-up dominates tiny runs: their ratios say nothing
                    worst = max(worst, seconds / previous)
                previous = seconds
                print(f"{family:45} {show(n):>16} {seconds:8.2f}s {growth:>7} {peak:7.0f} MB  {code}", flush=True)
                for p in work.iterdir():  # inputs can be large: keep one size at a time on disk
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
    print(f"worst growth per 10× (runs over 0.5 s): {worst:.1f}× (aim ≤ 12×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
