// The training page: polls GET /v1/log every two seconds and redraws the perplexity per epoch (log scale),
// so a run training elsewhere with --log shows its epochs as they end.
const $ = id => document.getElementById(id);
let shown = -1;

function draw(epochs) {
  const canvas = $('chart'), g = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, left = 60, right = 20, top = 20, bottom = 40;
  g.clearRect(0, 0, W, H);
  const series = [['perplexity', '#3553d6', 'training'], ['validation_perplexity', '#d6533a', 'validation']]
    .map(([key, color, label]) => ({ color, label, points: epochs.filter(e => e[key] > 0).map(e => [e.epoch, e[key]]) }))
    .filter(s => s.points.length > 0);
  const values = series.flatMap(s => s.points.map(p => p[1]));
  if (values.length === 0) return;
  const lo = Math.log10(Math.min(...values)) , hi = Math.log10(Math.max(...values));
  const y0 = Math.floor(lo * 2) / 2, y1 = Math.max(Math.ceil(hi * 2) / 2, y0 + 0.5);
  const last = Math.max(...epochs.map(e => e.epoch), 2);
  const x = e => left + (e - 1) / (last - 1) * (W - left - right);
  const y = v => top + (y1 - Math.log10(v)) / (y1 - y0) * (H - top - bottom);
  g.strokeStyle = '#d5d9e2'; g.fillStyle = '#6b7385'; g.font = '12px system-ui'; g.lineWidth = 1;
  for (let p = y0; p <= y1 + 1e-9; p += 0.5) {
    const v = Math.pow(10, p);
    g.beginPath(); g.moveTo(left, y(v)); g.lineTo(W - right, y(v)); g.stroke();
    g.fillText(v >= 100 ? v.toFixed(0) : v.toPrecision(2), 8, y(v) + 4);
  }
  for (let e = 1; e <= last; e += Math.max(1, Math.ceil(last / 10))) g.fillText(String(e), x(e) - 4, H - bottom + 18);
  g.fillText('epoch', W / 2, H - 6);
  series.forEach((s, i) => {
    g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
    s.points.forEach(([e, v], j) => j ? g.lineTo(x(e), y(v)) : g.moveTo(x(e), y(v)));
    g.stroke();
    g.fillStyle = s.color; g.fillText(s.label, W - right - 90, top + 14 + 16 * i);
  });
}

function table(epochs) {
  const body = $('epochs').tBodies[0];
  body.replaceChildren(...epochs.slice().reverse().map(e => {
    const row = document.createElement('tr');
    for (const v of [e.epoch, e.perplexity?.toFixed(3) ?? 'diverged', e.validation_perplexity?.toFixed(3) ?? '', e.seconds.toFixed(2), e.learning_rate])
      row.insertCell().textContent = v;
    return row;
  }));
}

async function poll() {
  try {
    const response = await fetch('/v1/log');
    const answer = await response.json();
    if (response.status === 404) { $('log-status').textContent = answer.error + ' Start it with --log <file>.'; return; }
    if (response.ok) {
      const epochs = answer.epochs;
      $('log-status').textContent = `${answer.path}: ${epochs.length} epoch(s)` +
        (epochs.length ? `, perplexity ${epochs[epochs.length - 1].perplexity?.toFixed(3)}` : '') + ` (updated ${new Date().toLocaleTimeString()})`;
      if (epochs.length !== shown) { draw(epochs); table(epochs); shown = epochs.length; }
    }
  } catch (e) {
    $('log-status').textContent = 'The server could not be reached.';
  }
  setTimeout(poll, 2000);
}

poll();
