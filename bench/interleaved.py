#!/usr/bin/env python3
"""Times commands interleaved: each round runs every command once, in shuffled order, so a change in the
machine's load hits all of them alike (hyperfine times one command's runs, then the next's). Prints, per
command, the median wall time, the median CPU time (user + system, from wait4) and the median of the per-round
ratios to the first command (the anchor).

    bench/interleaved.py ROUNDS NAME=COMMAND [NAME=COMMAND ...]
    bench/interleaved.py 40 "podman=podman ps --format json" "aixcl=./aixcl stack status --json -f stack.yaml"
"""
import os
import random
import shlex
import statistics
import subprocess
import sys
import time


def run(command):
    t0 = time.perf_counter()
    p = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def main():
    rounds = int(sys.argv[1])
    commands = [a.split("=", 1) for a in sys.argv[2:]]
    wall = {n: [] for n, _ in commands}
    cpu = {n: [] for n, _ in commands}
    for _, c in commands:  # warm-up
        run(c)
        run(c)
    for _ in range(rounds):
        order = list(commands)
        random.shuffle(order)
        for n, c in order:
            w, u, rc = run(c)
            wall[n].append(w)
            cpu[n].append(u)
            if rc != 0:
                print(f"{n}: exit code {rc}", file=sys.stderr)
    anchor = commands[0][0]
    for n, _ in commands:
        ratio = statistics.median(x / y for x, y in zip(wall[n], wall[anchor]))
        print(f"{n:20s} wall median {statistics.median(wall[n]) * 1000:7.1f} ms  cpu median "
              f"{statistics.median(cpu[n]) * 1000:6.1f} ms  {n}/{anchor} {ratio:.2f}")


if __name__ == "__main__":
    main()
