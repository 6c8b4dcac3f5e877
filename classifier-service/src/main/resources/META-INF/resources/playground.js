// The playground: calls /v1/classify and /v1/generate of this service and shows the answers.
(function () {
  const $ = (id) => document.getElementById(id);

  function headers() {
    const h = { 'Content-Type': 'application/json' };
    const key = $('apikey').value.trim();
    if (key) h['Authorization'] = 'Bearer ' + key;
    return h;
  }

  function showError(msg) {
    $('error').textContent = msg;
    $('error').hidden = false;
  }

  async function call(method, path, body) {
    const res = await fetch(path, { method, headers: headers(), body: body ? JSON.stringify(body) : undefined });
    const data = await res.json().catch(() => ({ error: 'bad_response', detail: 'HTTP ' + res.status }));
    if (!res.ok) throw new Error((data.error || 'error') + ': ' + (data.detail || ('HTTP ' + res.status)));
    return data;
  }

  async function loadInfo() {
    try {
      const [model, probe, features] = await Promise.all([
        call('GET', '/v1/model'), call('GET', '/v1/probe'), call('GET', '/v1/features')]);
      $('loaded').textContent = 'model ' + model.name + ' (' + model.architecture + ', ' + model.layers +
        ' layers) · probe ' + probe.id + ' · ' + features.features.length + ' refusal features';
      if (!$('intervention').value && features.features.length > 0) {
        // Default: scale the first refusal features by -3 (a jailbreak clamp), one entry per layer.
        const byLayer = new Map();
        features.features.slice(0, 8).forEach(f => {
          if (!byLayer.has(f.layer)) byLayer.set(f.layer, []);
          byLayer.get(f.layer).push(f.index);
        });
        const interventions = [...byLayer].map(([layer, feats]) => ({ layer, features: feats, scale: -3.0 }));
        $('intervention').value = JSON.stringify({ schemaVersion: 1, interventions }, null, 2);
      }
    } catch (e) {
      $('loaded').textContent = 'model info unavailable (' + e.message + ')';
    }
  }

  async function classify() {
    $('error').hidden = true;
    try {
      const r = await call('POST', '/v1/classify', { prompt: $('prompt').value });
      $('label').textContent = r.label;
      $('score').textContent = r.score.toFixed(4);
      $('threshold').textContent = r.threshold.toFixed(3);
      $('probe').textContent = r.probe_id;
      const body = $('features').querySelector('tbody');
      body.replaceChildren(...r.top_features.map(f => {
        const tr = document.createElement('tr');
        [f.layer, f.index, f.activation.toFixed(3), f.contribution.toFixed(3)].forEach(v => {
          const td = document.createElement('td');
          td.textContent = v;
          tr.appendChild(td);
        });
        return tr;
      }));
      $('result').hidden = false;
    } catch (e) {
      showError(e.message);
    }
  }

  async function compare() {
    $('error').hidden = true;
    let intervention;
    try {
      intervention = JSON.parse($('intervention').value);
    } catch (e) {
      showError('intervention is not valid JSON: ' + e.message);
      return;
    }
    const prompt = $('prompt').value;
    const maxNew = parseInt($('maxnew').value, 10);
    try {
      const [base, clamped] = await Promise.all([
        call('POST', '/v1/generate', { prompt, max_new_tokens: maxNew }),
        call('POST', '/v1/generate', { prompt, max_new_tokens: maxNew, intervention })]);
      $('base').textContent = base.text;
      $('base-verdict').textContent = base.refused ? 'refused' : 'complied';
      $('clamped').textContent = clamped.text;
      $('clamped-verdict').textContent = clamped.refused ? 'refused' : 'complied';
    } catch (e) {
      showError(e.message);
    }
  }

  $('classify').addEventListener('click', classify);
  $('compare').addEventListener('click', compare);
  loadInfo();
})();
