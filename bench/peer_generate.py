"""Peer baseline for generation speed: nn.LSTM + nn.Linear, batch 1, greedy, one character at a time.

Same shapes as the book's model (V = 1027 one-hot inputs, H = 256), weights untrained (speed does not
depend on them). Prints one line: `chars_per_second N`.
usage: peer_generate.py LENGTH [THREADS]
Run as the training peer is: OPENBLAS_NUM_THREADS=2 /usr/bin/python3 peer_generate.py 1000 1
"""
import sys, time
import torch
from torch import nn
import torch.nn.functional as F

length = int(sys.argv[1])
if len(sys.argv) > 2:
    torch.set_num_threads(int(sys.argv[2]))
V, H = 1027, 256
torch.manual_seed(0)
rnn, dense = nn.LSTM(V, H), nn.Linear(H, V)

def generate(n):
    token, state, out = 0, None, []
    with torch.no_grad():
        for _ in range(n):
            x = F.one_hot(torch.tensor([[token]]), V).float()      # (T=1, B=1, V), as the book feeds it
            y, state = rnn(x, state)
            token = int(dense(y.reshape(-1, H)).argmax(dim=1))
            out.append(token)
    return out

generate(50)                                                         # warm-up
runs = []
for _ in range(5):
    start = time.perf_counter()
    generate(length)
    runs.append(length / (time.perf_counter() - start))
runs.sort()
print(f'chars_per_second {runs[len(runs) // 2]:.1f}', flush=True)
