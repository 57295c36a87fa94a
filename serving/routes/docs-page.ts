/**
 * A self-contained page that renders /openapi.json (no CDN, no framework): one card per operation with
 * its summary, whether it needs a key, and the request and response schemas.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bankops serving API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d2733; }
  h1 { margin-bottom: 0 } .op { border: 1px solid #d5dbe3; border-radius: 6px; margin: 1rem 0; padding: .6rem 1rem; }
  .m { display: inline-block; min-width: 4rem; font-weight: 700; } .GET { color: #1769aa } .POST { color: #2e7d32 }
  .lock { font-size: .8rem; background: #fff3cd; border-radius: 4px; padding: 0 .4rem; margin-left: .5rem }
  pre { background: #f6f8fa; padding: .6rem; overflow: auto; max-height: 24rem; font-size: 12px }
  summary { cursor: pointer; color: #555 } code { background: #f0f2f5; padding: 0 .2rem }
</style>
</head>
<body>
<h1>bankops serving API</h1>
<p id="about">Loading <a href="/openapi.json">/openapi.json</a>…</p>
<div id="ops"></div>
<script>
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, attrs);
  for (const child of children) node.append(child);
  return node;
};
const block = (title, value) =>
  el('details', {}, el('summary', { textContent: title }), el('pre', { textContent: JSON.stringify(value, null, 2) }));
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('about').textContent = doc.info.description + ' Version ' + doc.info.version + '.';
  const ops = document.getElementById('ops');
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const m = method.toUpperCase();
      const head = el('div', {}, el('span', { className: 'm ' + m, textContent: m }), el('code', { textContent: path }));
      if (op.security) head.append(el('span', { className: 'lock', textContent: 'Bearer API key' }));
      const card = el('div', { className: 'op' }, head, el('p', { textContent: op.summary || '' }));
      if (op.description) card.append(el('p', { textContent: op.description }));
      if (op.requestBody) {
        for (const [type, media] of Object.entries(op.requestBody.content)) card.append(block('request ' + type, media.schema));
      }
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content && response.content['application/json'];
        if (schema) card.append(block('response ' + status, schema.schema));
      }
      ops.append(card);
    }
  }
}).catch((error) => { document.getElementById('about').textContent = 'Cannot load /openapi.json: ' + error; });
</script>
</body>
</html>
`;
