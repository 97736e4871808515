"""Peer baseline for the larger workloads: embedding, stacked nn.LSTM (or nn.GRU / nn.RNN), nn.Linear, in PyTorch.

Trains on token ids written by `bench words`, `bench charrnn` or `bench scale` (int32, little-endian), with the
same shapes, sampling and update rule as our side: consecutive minibatches (the corpus as B rows, windows of T
steps, the state carried and detached), softmax cross-entropy (the mean over B*T, or summed over the T steps),
clipping to a global norm, then SGD or Adam. Prints `epoch N time S loss L` per epoch.
usage: peer_workloads.py TOKENS V EPOCHS --embedding E --hidden H --layers L --batch B --steps T
                         [--cell lstm|gru|rnn] [--optimizer sgd|adam] [--lr LR] [--clip C] [--loss mean|sum-steps]
                         [--threads N]
Run as the other peers are (one PyTorch thread, two OpenBLAS threads):
  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 peer_workloads.py tokens.bin 6951 2 --embedding 200 --hidden 200 ...
"""
import argparse, time
import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument('tokens'); p.add_argument('vocab', type=int); p.add_argument('epochs', type=int)
p.add_argument('--embedding', type=int, required=True); p.add_argument('--hidden', type=int, required=True)
p.add_argument('--layers', type=int, default=1); p.add_argument('--batch', type=int, required=True)
p.add_argument('--steps', type=int, required=True); p.add_argument('--cell', default='lstm')
p.add_argument('--optimizer', default='sgd'); p.add_argument('--lr', type=float, default=1.0)
p.add_argument('--clip', type=float, default=5.0); p.add_argument('--loss', default='mean')
p.add_argument('--threads', type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

corpus = torch.from_numpy(np.fromfile(a.tokens, dtype='<i4').astype(np.int64))
V, E, H, B, T = a.vocab, a.embedding, a.hidden, a.batch, a.steps
cell = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[a.cell]
emb, rnn, dense = nn.Embedding(V, E), cell(E, H, a.layers), nn.Linear(H, V)
params = [q for m in (emb, rnn, dense) for q in m.parameters()]
opt = torch.optim.Adam(params, lr=a.lr) if a.optimizer == 'adam' else torch.optim.SGD(params, lr=a.lr)

def batches():
    # The corpus as B rows of blen tokens; minibatch i is columns [i*T, (i+1)*T) and its targets one further.
    blen = len(corpus) // B
    rows = corpus[:B * blen].reshape(B, blen)
    for i in range((blen - 1) // T):
        yield rows[:, i*T:(i+1)*T], rows[:, i*T+1:(i+1)*T+1]

def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()

for epoch in range(1, a.epochs + 1):
    start, state, total, count = time.perf_counter(), None, 0.0, 0
    for X, Y in batches():
        if state is not None:
            state = detach(state)
        out, state = rnn(emb(X.T), state)                        # (T, B, H)
        logits = dense(out.reshape(-1, H))
        loss = nn.functional.cross_entropy(logits, Y.T.reshape(-1))
        scaled = loss * T if a.loss == 'sum-steps' else loss
        opt.zero_grad()
        scaled.backward()
        nn.utils.clip_grad_norm_(params, a.clip)
        opt.step()
        total += float(loss); count += 1
    print(f'epoch {epoch} time {time.perf_counter() - start:.3f} loss {total / max(count, 1):.4f}', flush=True)
