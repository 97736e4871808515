"""Peer baseline for the GEMM benchmark: float32 products through numpy (OpenBLAS on Debian).

usage: gemm_peer.py SECONDS_PER_SAMPLE SAMPLES M,K,N,OP [M,K,N,OP ...]
OP is two letters, N or T for op(A) and op(B), e.g. NT = A (M x K) times B^T with B stored N x K.
Threads come from the environment (OPENBLAS_NUM_THREADS), so the caller runs this once per count.
Prints one line per shape:  peer M K N OP GFLOPS  (GFLOP/s = 2*M*N*K / median seconds per product).
"""
import sys
import time

import numpy as np


def operand(rng, rows, cols, transposed):
    """A rows x cols operand; when transposed it is stored cols x rows and viewed through .T, as BLAS sees it."""
    if transposed:
        return rng.standard_normal((cols, rows), dtype=np.float32).T
    return rng.standard_normal((rows, cols), dtype=np.float32)


def measure(m, k, n, op, seconds, samples):
    rng = np.random.default_rng(0)
    a = operand(rng, m, k, op[0] == 'T')
    b = operand(rng, k, n, op[1] == 'T')
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    # Calls per sample: enough to fill the sample's time, found from one timed call after warm-up.
    start = time.perf_counter()
    np.matmul(a, b, out=c)
    calls = max(1, int(seconds / max(time.perf_counter() - start, 1e-7)))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        times.append((time.perf_counter() - start) / calls)
    times.sort()
    return 2.0 * m * n * k / times[len(times) // 2] / 1e9


def main():
    seconds, samples = float(sys.argv[1]), int(sys.argv[2])
    for spec in sys.argv[3:]:
        m, k, n, op = spec.split(',')
        gflops = measure(int(m), int(k), int(n), op, seconds, samples)
        print(f"peer {m} {k} {n} {op} {gflops:.2f}", flush=True)


if __name__ == '__main__':
    main()
