// The portal's pages in a real browser: Debian's chromium driven by
// playwright-core, through nginx in front of the PostgREST stand-in.
// Run by test/shell/portal_browser.sh:
//
//   node test/browser/portal.mjs BASE_URL [SCREENSHOT_DIR]
//
// Prints "ok NAME" / "not ok NAME" lines (with "#   " diagnostics) and exits
// non-zero if any check failed.  No check depends on time.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { parse } from 'parse5';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const base = process.argv[2];
const shots = process.argv[3];
if (!base) {
  console.error('usage: node portal.mjs BASE_URL [SCREENSHOT_DIR]');
  process.exit(2);
}

let failed = 0;
function ok(name) { console.log(`ok ${name}`); }
function notOk(name, ...diag) {
  failed++;
  console.log(`not ok ${name}`);
  for (const d of diag) for (const line of String(d).split('\n')) console.log(`#   ${line}`);
}
function check(name, cond, ...diag) { if (cond) ok(name); else notOk(name, ...diag); }

// Every page type, with the status it must answer.
const pages = [
  ['home', '/', 200],
  ['home-en', '/?lang=en', 200],
  ['search', '/search?q=arbres', 200],
  ['search-all', '/search', 200],
  ['search-refined', '/search?refine=%7Btheme%3AENVI%7D&exclude=%7Bkeyword%3Anature%7D', 200],
  ['dataset', '/datasets/arbres', 200],
  ['dataset-en', '/datasets/arbres?lang=en', 200],
  ['dataset-shapes', '/datasets/quartiers', 200],
  ['dataset-derived', '/datasets/arbres-quartiers', 200],
  ['dataset-hostile', '/datasets/hostile', 200],
  ['dataset-bad-filter', '/datasets/arbres?where=hauteur%20%3E%3E%3E%203', 400],
  ['organization', '/organizations/ville-a', 200],
  ['organization-hostile', '/organizations/evil-org', 200],
  ['reuses', '/reuses', 200],
  ['draft-404', '/datasets/brouillon', 404],
  ['restricted-404', '/datasets/restreint', 404],
  ['unknown-404', '/datasets/nexiste-pas', 404],
];
const secrets = ['Titre secret du brouillon', 'Titre secret restreint'];

// 1. Raw HTTP: status, headers, well-formed HTML5 (parse5 reports every
// parse error of the WHATWG algorithm), no secret titles.
for (const [name, path, status] of pages) {
  const res = await fetch(base + path, { headers: { Accept: 'text/html' } });
  const html = await res.text();
  check(`http ${name}: status ${status}`, res.status === status, `got ${res.status}`);
  check(`http ${name}: text/html; charset=utf-8`, res.headers.get('content-type') === 'text/html; charset=utf-8',
        `got ${res.headers.get('content-type')}`);
  const csp = res.headers.get('content-security-policy') || '';
  check(`http ${name}: security headers`,
        /script-src 'self'/.test(csp) && /default-src 'self'/.test(csp) && !/unsafe-inline/.test(csp)
        && res.headers.get('x-content-type-options') === 'nosniff' && !!res.headers.get('referrer-policy'),
        `CSP: ${csp}`);
  const errors = [];
  parse(html, { onParseError: (e) => errors.push(`${e.code} at line ${e.startLine} col ${e.startCol}`) });
  check(`html5 ${name}: no parse error`, errors.length === 0, ...errors.slice(0, 10));
  const leaked = secrets.filter((s) => html.includes(s));
  check(`http ${name}: no draft or restricted title`, leaked.length === 0, ...leaked);
}
{
  const res = await fetch(base + '/assets/portal.css');
  check('http stylesheet: text/css', res.status === 200 && (res.headers.get('content-type') || '').startsWith('text/css'),
        `${res.status} ${res.headers.get('content-type')}`);
}

// WebGL without a GPU (SwiftShader), for the dataset pages' MapLibre map.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
// The dataset page's map module settles in data-map-state: ready, or
// unavailable (no WebGL, an error).  Null when the page has no map.
async function mapSettled(pg) {
  if (await pg.locator('div.map[data-dataset]').count() === 0) return null;
  await pg.waitForFunction(() => ['ready', 'unavailable'].includes(
    document.querySelector('div.map[data-dataset]').dataset.mapState), null, { timeout: 60000 });
  return pg.getAttribute('div.map[data-dataset]', 'data-map-state');
}
try {
  // 2. With JavaScript: axe-core on every page type, hostile markup inert,
  // no CSP violation (no inline script or style anywhere).  axe is injected
  // by the browser's own init script (DevTools protocol), which the pages'
  // CSP does not apply to.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.addInitScript({
    content: axeSource + `
      window.__csp = [];
      document.addEventListener('securitypolicyviolation',
        (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  const page = await ctx.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  for (const [name, path] of pages) {
    await page.goto(base + path);
    await mapSettled(page);
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    check(`axe ${name}: 0 violations`, result.length === 0, ...result);
    const state = await page.evaluate(() => ({
      pwned: window.__pwned,
      csp: window.__csp,
      // The only scripts: JSON-LD data, and the map's module from this
      // origin (no inline code).
      scripts: [...document.querySelectorAll('script')].filter((s) => s.type !== 'application/ld+json'
        && !(s.type === 'module' && s.src === location.origin + '/assets/map/dataset-map.mjs' && s.text === '')).length,
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
      jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => !/^(https?:|mailto:)/.test(a.href)).length,
    }));
    check(`xss ${name}: no script ran, no script element, no handler, no javascript: link`,
          state.pwned === undefined && state.scripts === 0 && state.handlers === 0 && state.jsLinks === 0,
          JSON.stringify(state));
    check(`csp ${name}: no violation`, state.csp.length === 0, ...state.csp);
  }
  check('xss: no dialog opened', dialogs.length === 0, ...dialogs);
  {
    await page.goto(base + '/datasets/hostile');
    const h1 = await page.textContent('h1');
    check('xss: the hostile title is shown as text', h1 === '<script>window.__pwned=3</script>Titre piégé', h1);
    const ld = await page.evaluate(() => JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent));
    check('json-ld: schema.org Dataset, hostile name intact', ld['@type'] === 'Dataset'
          && ld.name === '<script>window.__pwned=3</script>Titre piégé', JSON.stringify(ld).slice(0, 300));
  }
  await ctx.close();

  // 2b. The interactive map of the dataset pages: MapLibre GL JS from this
  // origin, on this origin's vector tiles, drawn without a console error,
  // the page still without an axe violation once the map is there.
  for (const [name, path, minFeatures] of [['dataset', '/datasets/arbres', 45], ['dataset-shapes', '/datasets/quartiers', 2]]) {
    const mctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await mctx.addInitScript({ content: axeSource });
    const mp = await mctx.newPage();
    const consoleErrors = [];
    const requests = [];
    const tiles = [];
    mp.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    mp.on('pageerror', (e) => consoleErrors.push(String(e)));
    mp.on('request', (r) => requests.push(r.url()));
    mp.on('response', (r) => { if (/\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt$/.test(r.url())) tiles.push(`${r.status()} ${r.url()}`); });
    await mp.goto(base + path);
    const state = await mapSettled(mp);
    check(`map ${name}: MapLibre map ready`, state === 'ready', `data-map-state=${state}`, ...consoleErrors);
    const drawn = Number(await mp.getAttribute('div.map', 'data-map-features'));
    check(`map ${name}: draws the features (>= ${minFeatures})`, drawn >= minFeatures, `${drawn} features rendered`);
    check(`map ${name}: the SVG fallback gives way`, await mp.locator('figure.map svg').isHidden());
    const foreign = requests.filter((u) => new URL(u).origin !== new URL(base).origin);
    check(`map ${name}: every request to this origin (no CDN)`, foreign.length === 0, ...foreign);
    check(`map ${name}: MapLibre's script and worker from /assets/map/`,
          requests.some((u) => new URL(u).pathname === '/assets/map/maplibre-gl.mjs')
          && requests.some((u) => new URL(u).pathname === '/assets/map/maplibre-gl-worker.mjs'), ...requests);
    check(`map ${name}: tiles from /tiles/, answered 200`, tiles.length > 0 && tiles.every((t) => t.startsWith('200 ')),
          ...tiles);
    check(`map ${name}: no console error`, consoleErrors.length === 0, ...consoleErrors);
    const violations = await mp.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    check(`map ${name}: axe, 0 violations with the map`, violations.length === 0, ...violations);
    if (shots) await mp.screenshot({ path: `${shots}/portal-map-${name}.png` });
    await mctx.close();
  }

  // The hostile page with the CSP switched off: escaping alone keeps it inert.
  const open = await browser.newContext({ bypassCSP: true });
  const openPage = await open.newPage();
  for (const path of ['/datasets/hostile', '/organizations/evil-org', '/reuses', '/']) {
    await openPage.goto(base + path);
    const pwned = await openPage.evaluate(() => window.__pwned);
    check(`xss without CSP ${path}: nothing ran`, pwned === undefined, String(pwned));
  }
  await open.close();

  // 3. Without JavaScript, as a person would: home -> search -> dataset ->
  // next page -> facet refine -> download; search -> next page.
  const noJs = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true,
                                          viewport: { width: 1280, height: 900 } });
  const p = await noJs.newPage();
  await p.goto(base + '/');
  check('flow: home has the catalog title', (await p.textContent('h1')) === 'Portail test');
  await p.fill('#q', 'arbres remarquables');
  await Promise.all([p.waitForURL(/\/search\?/), p.click('form.big-search button')]);
  check('flow: search form leads to /search?q=', new URL(p.url()).searchParams.get('q') === 'arbres remarquables', p.url());
  const firstResult = p.locator('section.results li.dataset h3 a').first();
  check('flow: search finds the trees', (await firstResult.textContent()) === 'Arbres remarquables');
  await Promise.all([p.waitForURL(/\/datasets\/arbres/), firstResult.click()]);
  check('flow: dataset page', (await p.textContent('h1')) === 'Arbres remarquables', p.url());
  const total = await p.textContent('.records p.total');
  check('flow: 20 of 45 records shown', /^20 .* 45 /.test(total), total);
  const firstId = await p.textContent('.records tbody tr:first-child td:first-child');
  await Promise.all([p.waitForURL(/after=/), p.click('.records nav.pager a[rel=next]')]);
  const nextId = await p.textContent('.records tbody tr:first-child td:first-child');
  check('flow: next page (keyset) starts after the first', firstId === '1' && nextId === '21', `${firstId} then ${nextId}`);
  await p.goto(base + '/datasets/arbres');
  await Promise.all([p.waitForURL(/refine=/), p.click('aside.filters a:text-is("Paris")')]);
  const refined = await p.textContent('.records p.total');
  const communes = await p.locator('.records tbody tr td:nth-child(4)').allTextContents();
  check('flow: facet refine on Paris', /^15 .* 15 /.test(refined) && communes.length === 15
        && communes.every((c) => c === 'Paris'), refined, communes.join(','));
  check('flow: the refine is listed as active', (await p.locator('.active-filters li').count()) === 1);
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('ul.downloads a:has-text("CSV")')]);
  const csvPath = await download.path();
  const csv = readFileSync(csvPath, 'utf8').replace(/^\ufeff/, '');
  const lines = csv.trim().split(/\r?\n/);
  check('flow: CSV download', download.suggestedFilename() === 'arbres.csv' && lines[0] === 'id;espece;hauteur;commune;geom'
        && lines.length === 46, download.suggestedFilename(), lines[0], `${lines.length} lines`);
  await p.goto(base + '/search');
  const page1 = await p.locator('section.results li.dataset').count();
  await Promise.all([p.waitForURL(/page=2/), p.click('nav.pager a[rel=next]')]);
  const page2 = await p.locator('section.results li.dataset').count();
  check('flow: search next page', page1 === 10 && page2 > 0 && page2 <= 10, `${page1} then ${page2}`);
  await p.goto(base + '/datasets/arbres?lang=en');
  check('flow: English', (await p.getAttribute('html', 'lang')) === 'en'
        && (await p.textContent('#h-fields')) === 'Field dictionary');
  await Promise.all([p.waitForURL((u) => !u.search.includes('lang=en')), p.click('header nav a[hreflang=fr]')]);
  check('flow: back to French', (await p.getAttribute('html', 'lang')) === 'fr'
        && (await p.textContent('#h-fields')) === 'Dictionnaire des champs', p.url());
  const map = await p.locator('figure.map svg circle').count();
  check('flow: map preview draws the 45 trees', map === 45, `${map} circles`);
  await noJs.close();

  // 4. Screenshots for docs/portal.md.
  if (shots) {
    for (const [vw, vh, suffix] of [[1280, 900, 'desktop'], [390, 844, 'mobile']]) {
      const c = await browser.newContext({ viewport: { width: vw, height: vh }, deviceScaleFactor: 1 });
      const sp = await c.newPage();
      for (const [name, path] of [['home', '/'], ['search', '/search?q=arbres'], ['dataset', '/datasets/arbres']]) {
        await sp.goto(base + path);
        await sp.screenshot({ path: `${shots}/portal-${name}-${suffix}.png`, fullPage: name !== 'dataset' || suffix === 'desktop' });
      }
      await c.close();
    }
    ok('screenshots');
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
