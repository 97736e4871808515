"""Load a Recurrent checkpoint of the concise model into torch.nn.LSTM + torch.nn.Linear and continue a prefix.

The file is read with struct and json alone (the safetensors package is not needed). With --temperature 0 the
text printed must be the one `recurrent generate --checkpoint CHECKPOINT --prefix PREFIX --temperature 0` prints;
with --logits FILE.json (a list of V numbers: the logits after the prefix, from Recurrent) it also prints the largest
difference from PyTorch's logits.
usage: python3 bench/load_checkpoint.py CHECKPOINT [PREFIX] [LENGTH] [--logits FILE.json]
(Debian: /usr/bin/python3 with apt-get install -y python3-torch)
"""
import json, struct, sys
import torch
from torch import nn
import torch.nn.functional as F


def read_safetensors(path):
    """The tensors by name, and the __metadata__ strings."""
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))   # header length, little-endian
        header = json.loads(f.read(n))
        data = f.read()
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, entry in header.items():
        assert entry['dtype'] == 'F32', entry
        begin, end = entry['data_offsets']
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(entry['shape'])
    return tensors, metadata


class RNNModel(nn.Module):
    """The book's concise model: one-hot input, nn.LSTM, then a dense layer to V logits."""

    def __init__(self, vocab_size, num_hiddens):
        super().__init__()
        self.rnn = nn.LSTM(vocab_size, num_hiddens)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def forward(self, inputs, state=None):   # inputs: (T, B) token indices
        Y, state = self.rnn(F.one_hot(inputs, self.dense.out_features).float(), state)
        return self.dense(Y), state          # (T, B, V)


def main():
    args = sys.argv[1:]
    logits_file = None
    if '--logits' in args:
        i = args.index('--logits')
        logits_file = args[i + 1]
        del args[i:i + 2]
    path = args[0]
    prefix = args[1] if len(args) > 1 else '分开'
    length = int(args[2]) if len(args) > 2 else 50

    tensors, metadata = read_safetensors(path)
    config = json.loads(metadata['model'])
    vocab = json.loads(metadata['vocabulary'])
    assert config['model'] == 'concise' and config['cell_output'] == 'tanh', config
    model = RNNModel(config['vocabulary_size'], config['hidden_size'])
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith('optimizer.')})   # strict: names and shapes must match
    index = {token: i for i, token in enumerate(vocab)}

    # The book's predict_rnn: feed the prefix one character at a time, then append the most likely next one.
    output, state, after_prefix = [index[prefix[0]]], None, None
    with torch.no_grad():
        for t in range(len(prefix) + length - 1):
            Y, state = model(torch.tensor([[output[-1]]]), state)
            if t == len(prefix) - 1:                 # the step that read the prefix's last character
                after_prefix = Y.reshape(-1)
            output.append(index[prefix[t + 1]] if t < len(prefix) - 1 else int(Y.argmax()))
    print(''.join(vocab[i] for i in output))

    if logits_file is not None:
        with open(logits_file) as f:
            ours = torch.tensor(json.load(f), dtype=torch.float32)
        difference = (ours - after_prefix).abs().max().item()
        print(f'logits after the prefix: max |Recurrent - PyTorch| = {difference:.3g} (largest logit {after_prefix.abs().max().item():.3g})')


if __name__ == '__main__':
    main()
