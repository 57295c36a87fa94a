import { describe, expect, it } from 'vitest';
import { escapeHtml, inlineScript, renderPage, scriptJson, slug, type Page } from '../../src/reports/html.js';
import { barSpec } from '../../src/reports/charts.js';

const scripts = { vega: '/*vega*/', vegaLite: '/*vega-lite*/', vegaEmbed: '/*vega-embed*/' };
const hostile = `<img src=x onerror="alert('x')">&</script><!--`;

describe('escaping', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('writes JSON that cannot close or comment out its script element', () => {
    const text = scriptJson({ label: hostile, sep: '\u2028\u2029' });
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual({ label: hostile, sep: '\u2028\u2029' });
  });

  it('breaks up a literal </script> inside an inlined library', () => {
    expect(inlineScript('var s = "</script>"; var t = "</SCRIPT>";')).not.toMatch(/<\/script/i);
  });

  it('turns section ids into safe anchors', () => {
    expect(slug('Drift & "alerts" <now>')).toBe('drift-alerts-now');
    expect(slug('<>')).toBe('section');
  });
});

describe('renderPage', () => {
  const page: Page = {
    title: hostile,
    facts: [[hostile, hostile]],
    sections: [
      {
        id: hostile,
        title: hostile,
        blocks: [
          { kind: 'text', text: hostile },
          { kind: 'note', text: hostile },
          { kind: 'list', items: [hostile] },
          { kind: 'table', caption: hostile, columns: [hostile], rows: [[hostile], [1234.5], [null]] },
          {
            kind: 'chart',
            title: hostile,
            caption: hostile,
            spec: barSpec(hostile, [{ category: hostile, count: 1 }]),
          },
        ],
      },
    ],
  };
  const html = renderPage(page, scripts);

  it('never lets a user string into the markup unescaped', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).not.toContain('<!--');
    // one literal </script> per script element: the three libraries, the specs and the boot script
    expect(html.match(/<\/script>/g)).toHaveLength(5);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;');
  });

  it('gives each chart a div, not yet rendered, and its spec in the JSON block', () => {
    expect(html).toContain('<div class="chart" id="chart-1" data-rendered="false"></div>');
    expect(html).toContain('data-charts="1"');
    const json = /<script type="application\/json" id="chart-specs">([^<]*)<\/script>/.exec(html)?.[1];
    const specs = JSON.parse(json ?? '{}') as Record<
      string,
      { data: { values: Array<{ category: string }> } }
    >;
    expect(specs['chart-1']?.data.values[0]?.category).toBe(hostile);
  });

  it('declares a policy that allows no network source', () => {
    expect(html).toContain('default-src &#39;none&#39;');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});
