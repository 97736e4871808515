"""Train language models in PyTorch, import them with `recurrent import`, and check that `recurrent generate
--temperature 0` writes PyTorch's greedy text.

For each variant (an LSTM on one-hot input, a two-layer GRU on an embedding, a plain RNN) the script trains a few
hundred Adam steps on the first 10,000 characters of the book's lyrics, saves the state_dict as safetensors (written
here with struct and json: the safetensors package is not needed) and the vocabulary as a JSON array, imports them,
and compares PyTorch's greedy continuation of a prefix (the book's predict_rnn: the prefix one character at a time
from a zero state, then the argmax) with the command's. It exits with 1 if any text differs.

usage: /usr/bin/python3 bench/pytorch_roundtrip.py [--steps N] [--prefix TEXT] [--length N] [--keep DIR]
(Debian: apt-get install -y python3-torch libopenblas0-pthread python3-numpy; build the command first with
 dotnet build src/Recurrent.Cli -c Release)
"""
import argparse, json, os, struct, subprocess, sys, tempfile, zipfile
import torch
from torch import nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECURRENT = ['dotnet', os.path.join(ROOT, 'src', 'Recurrent.Cli', 'bin', 'Release', 'net10.0', 'Recurrent.Cli.dll')]


class LanguageModel(nn.Module):
    """Optional nn.Embedding, then nn.LSTM / nn.GRU / nn.RNN, then nn.Linear: the names Recurrent imports."""

    def __init__(self, cell, V, H, layers=1, embedding=0):
        super().__init__()
        self.V = V
        if embedding:
            self.embedding = nn.Embedding(V, embedding)
        rnn = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[cell]
        self.rnn = rnn(embedding or V, H, num_layers=layers)
        self.dense = nn.Linear(H, V)

    def forward(self, X, state=None):                 # X: (T, B) token indices
        x = self.embedding(X) if hasattr(self, 'embedding') else F.one_hot(X, self.V).float()
        Y, state = self.rnn(x, state)                  # (T, B, H)
        return self.dense(Y), state                    # (T, B, V) logits


def find_corpus():
    here = os.getcwd()
    while True:
        path = os.path.join(here, 'shared', 'data', 'jaychou_lyrics.txt.zip')
        if os.path.exists(path):
            return path
        if os.path.dirname(here) == here:
            sys.exit('jaychou_lyrics.txt.zip not found in a shared/data folder above the working directory')
        here = os.path.dirname(here)


def read_corpus(path, max_chars=10000):
    with zipfile.ZipFile(path) as z:
        text = z.read('jaychou_lyrics.txt').decode('utf-8')
    return text.replace('\n', ' ').replace('\r', ' ')[:max_chars]   # as the book prepares it


def save_safetensors(path, tensors):
    """The safetensors layout: an 8-byte little-endian header length, the JSON header, then the float32 data."""
    header, offset, blobs = {'__metadata__': {'format': 'pt'}}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(',', ':')).encode('utf-8')
    encoded += b' ' * (-len(encoded) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def train(model, corpus, steps, T=35, B=32, lr=0.01, seed=0):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for step in range(steps):
        starts = torch.randint(0, len(corpus) - T - 1, (B,), generator=generator)
        X = torch.stack([corpus[s:s + T] for s in starts], dim=1)           # (T, B)
        Y = torch.stack([corpus[s + 1:s + T + 1] for s in starts], dim=1)
        logits, _ = model(X)
        loss = F.cross_entropy(logits.reshape(-1, model.V), Y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return loss.exp().item()


def greedy(model, prefix, length, index, vocab):
    output, state = [index[prefix[0]]], None
    with torch.no_grad():
        for t in range(len(prefix) + length - 1):
            Y, state = model(torch.tensor([[output[-1]]]), state)
            output.append(index[prefix[t + 1]] if t < len(prefix) - 1 else int(Y.argmax()))
    return ''.join(vocab[i] for i in output)


def recurrent(*args):
    result = subprocess.run(RECURRENT + list(args), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f'recurrent {" ".join(args)} failed: {result.stderr.strip()}')
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=300)
    parser.add_argument('--prefix', default='分开')
    parser.add_argument('--length', type=int, default=50)
    parser.add_argument('--keep', help='write the files here instead of a temporary folder')
    args = parser.parse_args()
    torch.set_num_threads(1)

    text = read_corpus(find_corpus())
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    corpus = torch.tensor([index[c] for c in text])
    folder = args.keep or tempfile.mkdtemp(prefix='recurrent-pytorch-')
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'vocab.json'), 'w', encoding='utf-8') as f:
        json.dump(vocab, f, ensure_ascii=False)
    print(f'PyTorch {torch.__version__}, {len(text)} characters, V = {len(vocab)}, {args.steps} Adam steps per model, files in {folder}')

    differ = 0
    for name, cell, layers, embedding in [('lstm', 'lstm', 1, 0), ('gru-2-layers-embedding', 'gru', 2, 32), ('rnn', 'rnn', 1, 0)]:
        torch.manual_seed(0)
        model = LanguageModel(cell, len(vocab), 128, layers, embedding)
        perplexity = train(model, corpus, args.steps)
        model.eval()
        weights = os.path.join(folder, f'{name}.pytorch.safetensors')
        checkpoint = os.path.join(folder, f'{name}.safetensors')
        save_safetensors(weights, model.state_dict())
        imported = recurrent('import', '--weights', weights, '--vocabulary', os.path.join(folder, 'vocab.json'), '--out', checkpoint).strip()
        ours = recurrent('generate', '--checkpoint', checkpoint, '--prefix', args.prefix, '--length', str(args.length), '--temperature', '0').rstrip('\n')
        theirs = greedy(model, args.prefix, args.length, index, vocab)
        same = ours == theirs
        differ += not same
        print(f'\n{name}: training perplexity {perplexity:.2f}; {imported}')
        print(f'  PyTorch   {theirs}')
        print(f'  Recurrent {ours}')
        print(f'  {"same text" if same else "DIFFERENT"}')
    sys.exit(1 if differ else 0)


if __name__ == '__main__':
    main()
