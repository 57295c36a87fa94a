import type { ChartSpec } from './charts.js';

/**
 * The report page model and its HTML rendering. Every string that reaches the page goes through
 * `escapeHtml` (text and attributes) or `scriptJson` (data inside a <script> element): nothing is
 * concatenated into markup unescaped.
 */

export type Cell = string | number | null | undefined;

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; columns: string[]; rows: Cell[][]; caption?: string }
  | { kind: 'chart'; title: string; spec: ChartSpec; caption?: string };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export interface Page {
  title: string;
  /** Shown under the title as "label: value" pairs (snapshot id, row count, generated at, ...). */
  facts: Array<[string, string]>;
  sections: Section[];
}

/** Vega, Vega-Lite and vega-embed sources, inlined so the page needs no network. */
export interface Scripts {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON that is safe inside a <script> element: `<`, `>` and `&` become \u escapes, so no `</script>` or
 * `<!--` can end or change the element, and U+2028/U+2029 (line terminators for old JS parsers) too.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A library source inside <script>: only a literal `</script` could end it early, so that is broken up. */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

/** Section ids are used as anchors; anything else than [a-z0-9-] is replaced. */
export function slug(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'section'
  );
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '—';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return String(cell);
    if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
    return Math.abs(cell) >= 1000 ? cell.toFixed(1) : cell.toPrecision(4);
  }
  return cell;
}

function renderTable(block: Extract<Block, { kind: 'table' }>): string {
  const head = block.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = block.rows
    .map(
      (row) =>
        `<tr>${row
          .map(
            (cell) =>
              `<td${typeof cell === 'number' ? ' class="num"' : ''}>${escapeHtml(cellText(cell))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  const caption = block.caption ? `<caption>${escapeHtml(block.caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

interface Rendered {
  html: string;
  charts: Array<{ id: string; spec: ChartSpec }>;
}

function renderBlocks(blocks: Block[], charts: Rendered['charts']): string {
  return blocks
    .map((block) => {
      switch (block.kind) {
        case 'text':
          return `<p>${escapeHtml(block.text)}</p>`;
        case 'note':
          return `<p class="note">${escapeHtml(block.text)}</p>`;
        case 'list':
          return `<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
        case 'table':
          return renderTable(block);
        case 'chart': {
          const id = `chart-${charts.length + 1}`;
          charts.push({ id, spec: block.spec });
          const caption = block.caption ? `<figcaption>${escapeHtml(block.caption)}</figcaption>` : '';
          return `<figure><h3>${escapeHtml(block.title)}</h3><div class="chart" id="${id}" data-rendered="false"></div>${caption}</figure>`;
        }
      }
    })
    .join('\n');
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1.5rem;color:#1d2330}
header{border-bottom:2px solid #3b5b92;margin-bottom:1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.facts dt{font-weight:600}
nav ol{columns:2}
section{margin:2rem 0}
h2{border-bottom:1px solid #ccd;padding-bottom:.2rem}
figure{margin:1rem 0;display:inline-block;vertical-align:top;min-width:320px}
figure h3{font-size:1rem;margin:.2rem 0}
figcaption,.note{color:#555;font-size:.9rem}
.note{border-left:4px solid #e0a030;padding:.4rem .8rem;background:#fff8e8}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #dde;padding:.2rem .5rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0}
`;

/**
 * Renders each chart with vega-embed (SVG renderer, no action links) and marks its div with
 * data-rendered="true" once the view has run, or "error" (plus a console error) when it failed.
 */
const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var pending = Object.keys(specs).map(function (id) {
    var el = document.getElementById(id);
    return vegaEmbed(el, specs[id], { renderer: 'svg', actions: false })
      .then(function (result) { return result.view.runAsync(); })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (error) {
        el.setAttribute('data-rendered', 'error');
        console.error('chart ' + id + ' failed: ' + (error && error.message ? error.message : error));
      });
  });
  Promise.all(pending).then(function () { document.body.setAttribute('data-charts-done', 'true'); });
})();
`;

/** The whole report as one self-contained HTML document. */
export function renderPage(page: Page, scripts: Scripts): string {
  const charts: Rendered['charts'] = [];
  const sections = page.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(slug(s.id))}"><h2>${escapeHtml(s.title)}</h2>\n${renderBlocks(s.blocks, charts)}\n</section>`,
    )
    .join('\n');
  const toc = page.sections
    .map((s) => `<li><a href="#${escapeHtml(slug(s.id))}">${escapeHtml(s.title)}</a></li>`)
    .join('');
  const facts = page.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const specs = Object.fromEntries(charts.map((c) => [c.id, c.spec]));
  // Offline by construction: no source but the page itself (vega compiles expressions with Function).
  const csp =
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body data-charts="${charts.length}">
<header><h1>${escapeHtml(page.title)}</h1><dl class="facts">${facts}</dl></header>
<nav><ol>${toc}</ol></nav>
${sections}
<script>${inlineScript(scripts.vega)}</script>
<script>${inlineScript(scripts.vegaLite)}</script>
<script>${inlineScript(scripts.vegaEmbed)}</script>
<script type="application/json" id="chart-specs">${scriptJson(specs)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
