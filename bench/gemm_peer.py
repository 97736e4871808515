"""Peer baseline for the GEMM benchmark: float32 products through numpy (OpenBLAS on Debian).

usage: gemm_peer.py SECONDS_PER_SAMPLE SAMPLES M,K,N,OP [M,K,N,OP ...]
       gemm_peer.py --serve
OP is two letters, N or T for op(A) and op(B), e.g. NT = A (M x K) times B^T with B stored N x K.
Threads come from the environment (OPENBLAS_NUM_THREADS), so the caller runs one process per count.

The first form prints one line per shape:  peer M K N OP GFLOPS  (2*M*N*K / median seconds per product).
The second prints "ready" once numpy is loaded, then reads requests "M K N OP SECONDS SAMPLES" from
stdin, one per line, and answers each with
"peer M K N OP T1 T2 ..." (seconds per product in each sample), so that the C# benchmark can interleave
its own measurements with OpenBLAS's and both see the same machine load.
"""
import sys
import time

import numpy as np

_operands = {}


def operand(rng, rows, cols, transposed):
    """A rows x cols operand; when transposed it is stored cols x rows and viewed through .T, as BLAS sees it."""
    if transposed:
        return rng.standard_normal((cols, rows), dtype=np.float32).T
    return rng.standard_normal((rows, cols), dtype=np.float32)


def operands(m, k, n, op):
    """The operands of a shape, made once, warmed up with a few products."""
    key = (m, k, n, op)
    if key not in _operands:
        rng = np.random.default_rng(0)
        a = operand(rng, m, k, op[0] == 'T')
        b = operand(rng, k, n, op[1] == 'T')
        c = np.empty((m, n), dtype=np.float32)
        start = time.perf_counter()
        while time.perf_counter() - start < 0.3:
            np.matmul(a, b, out=c)
        _operands[key] = (a, b, c)
    return _operands[key]


def samples(m, k, n, op, seconds, count):
    """Seconds per product in each of `count` samples of about `seconds` each."""
    a, b, c = operands(m, k, n, op)
    start = time.perf_counter()
    np.matmul(a, b, out=c)
    calls = max(1, int(seconds / max(time.perf_counter() - start, 1e-7)))
    times = []
    for _ in range(count):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        times.append((time.perf_counter() - start) / calls)
    return times


def serve():
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        m, k, n, op, seconds, count = line.split()
        times = samples(int(m), int(k), int(n), op, float(seconds), int(count))
        print(f"peer {m} {k} {n} {op} " + " ".join(f"{t:.9g}" for t in times), flush=True)


def main():
    if sys.argv[1:] == ['--serve']:
        serve()
        return
    seconds, count = float(sys.argv[1]), int(sys.argv[2])
    for spec in sys.argv[3:]:
        m, k, n, op = spec.split(',')
        times = sorted(samples(int(m), int(k), int(n), op, seconds, count))
        gflops = 2.0 * int(m) * int(n) * int(k) / times[len(times) // 2] / 1e9
        print(f"peer {m} {k} {n} {op} {gflops:.2f}", flush=True)


if __name__ == '__main__':
    main()
