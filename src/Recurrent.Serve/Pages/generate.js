// The generate page: fills the model list and facts from GET /v1/models, then streams POST /v1/generate
// (Server-Sent Events read from the fetch body, since EventSource cannot POST) into the output.
const $ = id => document.getElementById(id);
let models = [];

function headers() {
  const h = { 'Content-Type': 'application/json' };
  if ($('key').value) h['Authorization'] = 'Bearer ' + $('key').value;
  return h;
}

function showFacts() {
  const m = models.find(m => m.name === $('model').value);
  const facts = $('facts');
  facts.replaceChildren();
  if (!m) return;
  const rows = [['model', m.name], ['cell', m.cell + (m.layers > 1 ? ` x ${m.layers} layers` : '')], ['hidden units', m.hidden_size],
    ['vocabulary', `${m.vocabulary_size} ${m.tokens === 'word' ? 'words' : 'characters'}`], ['parameters', m.parameters.toLocaleString('en')],
    ['epochs trained', m.epoch ?? 'unknown']];
  for (const [k, v] of rows) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    facts.append(dt, dd);
  }
}

async function loadModels() {
  const health = await (await fetch('/health')).json();
  $('key-label').hidden = !health.api_key;
  const response = await fetch('/v1/models', { headers: headers() });
  if (!response.ok) { $('status').textContent = (await response.json()).error; return; }
  models = (await response.json()).models;
  $('model').replaceChildren(...models.map(m => new Option(m.name, m.name)));
  showFacts();
}

for (const id of ['temperature', 'top_k', 'top_p']) {
  $(id).addEventListener('input', () => { $(id + '-value').textContent = $(id).value; });
}
$('model').addEventListener('change', showFacts);
$('key').addEventListener('change', loadModels);

$('generate').addEventListener('click', async () => {
  const output = $('output'), status = $('status'), button = $('generate');
  const prefix = $('prefix').value;
  const request = {
    model: $('model').value, prefix, length: Number($('length').value), seed: Number($('seed').value),
    temperature: Number($('temperature').value), top_k: Number($('top_k').value), top_p: Number($('top_p').value), stream: true,
  };
  if (request.temperature === 0) { delete request.top_k; delete request.top_p; }
  const shown = document.createElement('span'); shown.className = 'prefix'; shown.textContent = prefix;
  output.replaceChildren(shown);
  const text = document.createTextNode(''); output.append(text);
  button.disabled = true; status.textContent = 'generating…';
  try {
    const response = await fetch('/v1/generate', { method: 'POST', headers: headers(), body: JSON.stringify(request) });
    if (!response.ok) { status.textContent = (await response.json()).error; return; }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '', tokens = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
        const event = (block.match(/^event: (.*)$/m) || [, 'message'])[1];
        const data = JSON.parse(block.match(/^data: (.*)$/m)[1]);
        if (event === 'message') { text.appendData(data.text); tokens++; }
        else if (event === 'done') status.textContent = `${data.tokens} tokens in ${data.seconds.toFixed(2)} s`;
        else if (event === 'error') status.textContent = data.error;
      }
      if (status.textContent === 'generating…' || status.textContent.startsWith('generating')) status.textContent = `generating… ${tokens} tokens`;
    }
  } catch (e) {
    status.textContent = 'The server could not be reached: ' + e.message;
  } finally {
    button.disabled = false;
  }
});

loadModels();
