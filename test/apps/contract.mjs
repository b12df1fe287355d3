// The apps contract (issue #24), run by test/shell/apps_contract.sh:
//   node test/apps/contract.mjs http://127.0.0.1:PORT
// The official PostgREST client and fetch, against the PostgREST stand-in.
// Prints TAP-like "ok" / "not ok" lines; exits 1 when a check failed.
import { PostgrestClient } from '@supabase/postgrest-js';

const api = process.argv[2];
const client = new PostgrestClient(api);
let failed = 0;

function check(name, cond, diag) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    if (diag !== undefined) console.log(`#   ${JSON.stringify(diag).slice(0, 600)}`);
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const ids = (rows) => rows.map((r) => r.id);

async function getJson(url, init) {
  const r = await fetch(url, init);
  return { status: r.status, headers: r.headers, body: await r.json() };
}

// Every page of a request, following links.next; the rows in order.
async function walk(firstUrl) {
  const rows = [];
  let url = firstUrl;
  let pages = 0;
  while (url && pages < 100) {
    const r = await getJson(url);
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.body)}`);
    rows.push(...r.body.results);
    url = r.body.links?.next;
    pages++;
  }
  return { rows, pages };
}

// -- One dataset, five ways: the same rows in the same order ----------------
const fields = 'id,nom,mode,accessible,ouverture,vu,frequentation,geom';
const rec = await client.rpc('records', { dataset: 'gares', fields, rows: 100 }, { get: true });
check('records() through postgrest-js (GET)', !rec.error && rec.data.total_count === 37, rec.error);
const records = rec.data.results;
check('records() come in key order by default', same(ids(records), [...ids(records)].sort((a, b) => a - b)),
  ids(records));

// The view: PostgREST adds no order of its own, the key is asked for.
const view = await client.from('gares').select(fields).order('id');
check('the view (order=id) gives the rows of records()', !view.error && same(ids(view.data), ids(records)), view.error);
// Value by value: numbers, booleans, nulls, dates, datetimes with their
// microseconds and offset (issue #24: records() used to drop the fraction),
// geometries.
// Geometries but for one member: PostGIS's cast to json, which PostgREST
// uses on views, adds "crs" (EPSG:4326); the functions write RFC 7946
// GeoJSON, which has none (docs/apps.md, "Encodings").
const withoutCrs = (rows) => rows.map((r) => {
  if (r.geom === null) return r;
  const { crs, ...geom } = r.geom;
  return { ...r, geom };
});
check('the view gives geometries with a crs member, EPSG:4326', !view.error
  && view.data.every((r) => r.geom === null || r.geom.crs?.properties?.name === 'EPSG:4326'), view.data?.[0]);
check('the view encodes every value as records() does', !view.error && same(withoutCrs(view.data), records),
  view.data?.map((r, i) => [r, records[i]]).find(([a, b]) => !same(withoutCrs([a])[0], b)));
check('datetimes keep their fraction of a second', records.every((r) => r.vu === null || /\.\d*[1-9]\+00:00$/.test(r.vu)),
  records.map((r) => r.vu).slice(0, 3));

const exp = await getJson(`${api}/rpc/download?dataset=gares&format=json&fields=${fields}`);
check('download?format=json gives the rows of records(), in the same order', same(ids(exp.body), ids(records)),
  ids(exp.body));
check('download?format=json encodes every value as records() does', same(exp.body, records),
  exp.body.find((r, i) => !same(r, records[i])));

const lines = (await (await fetch(`${api}/rpc/download?dataset=gares&format=jsonl&fields=${fields}`)).text())
  .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
check('download?format=jsonl gives the rows of records(), same order and encodings', same(lines, records),
  lines.find((r, i) => !same(r, records[i])));
const geo = await getJson(`${api}/rpc/download?dataset=gares&format=geojson&fields=${fields}`);
const asFeatures = records.map(({ geom, ...properties }) => ({ geometry: geom, properties }));
const features = geo.body.features.map((f) => ({ geometry: f.geometry, properties: f.properties }));
check('download?format=geojson gives the rows of records() as features, same order and encodings',
  same(features, asFeatures), features.find((f, i) => !same(f, asFeatures[i])));

const nokey = await client.rpc('records', { dataset: 'gares-sans-cle', fields, rows: 100, order_by: 'id' }, { get: true });
check('a dataset without a key gives the same rows when ordered by id', !nokey.error && same(nokey.data.results, records),
  nokey.error);

const near = await client.rpc('near', { dataset: 'gares', lon: 2.3, lat: 48.83, distance_m: 100000, rows: 100,
  fields, order_by: 'id' }, { get: true });
check('near() with fields and order_by gives the located rows of records(), same order and encodings',
  !near.error && same(near.data.results, records.filter((r) => r.geom !== null)), near.error ?? near.data);
check('near() total_count is every match within distance_m', !near.error && near.data.total_count === 34, near.data);
check('near() says its last page is the last: no links', !near.error && near.data.links === undefined, near.data);

const cross = await client.rpc('cross', { left: 'gares', right: 'poles', predicate: 'nearest', rows: 100,
  fields: `${fields},right_pole,distance_m`, order_by: 'id' }, { get: true });
check('cross() with fields and order_by gives the rows of records() in the same order and encodings',
  !cross.error && same(cross.data.results.map(({ right_pole, distance_m, ...left }) => left), records)
  && same(Object.keys(cross.data.results[0]).slice(-2), ['right_pole', 'distance_m']), cross.error ?? cross.data);
const badField = await client.rpc('near', { dataset: 'gares', lon: 2.3, lat: 48.83, fields: 'nope' }, { get: true });
check('near() with an unknown field is 400 (22023) naming it',
  badField.status === 400 && badField.error?.code === '22023' && badField.error.message.includes('nope'), badField);

// -- Paging: links.next walks every row exactly once --------------------------
for (const dataset of ['gares', 'gares-sans-cle']) {
  for (const extra of ['', '&where=mode%20%3D%20%22RER%22%20or%20mode%20is%20null', '&order_by=mode%20desc']) {
    const all = await getJson(`${api}/rpc/records?dataset=${dataset}&fields=id&rows=100${extra}`);
    const { rows, pages } = await walk(`${api}/rpc/records?dataset=${dataset}&fields=id&rows=4${extra}`);
    const seen = ids(rows);
    check(`links.next walks ${dataset}${extra ? ' (' + decodeURIComponent(extra.slice(1)) + ')' : ''} exactly once`,
      seen.length === all.body.total_count && new Set(seen).size === seen.length
      && same([...seen].sort((a, b) => a - b), [...ids(all.body.results)].sort((a, b) => a - b))
      && pages >= Math.ceil(seen.length / 4),
      { seen, pages, total: all.body.total_count });
  }
}
// search, near and cross page by start: their links.next walk every row
// exactly once too, in the order of a single page holding them all.
const walks = [
  ['near by distance', `near?dataset=gares&lon=2.3&lat=48.83&fields=id`],
  ['near within distance_m', `near?dataset=gares-sans-cle&lon=2.3&lat=48.83&distance_m=8000&fields=id,distance_m`],
  ['near by order_by', `near?dataset=gares-sans-cle&lon=2.3&lat=48.83&order_by=mode%20desc,id&fields=id`],
  ['cross', `cross?left=gares-sans-cle&right=poles&order_by=id&fields=id,right_pole`],
  ['cross within_distance', `cross?left=gares&right=poles&predicate=within_distance&distance_m=9000&order_by=id,right_pole&fields=id,right_pole`],
  ['search', `search?order_by=title`],
];
for (const [name, request] of walks) {
  const all = await getJson(`${api}/rpc/${request}&rows=100`);
  const { rows, pages } = await walk(`${api}/rpc/${request}&rows=2`);
  const expected = all.body.results.map((r) => JSON.stringify(r));
  const seen = rows.map((r) => JSON.stringify(r));
  check(`links.next walks ${name} exactly once, in order`,
    all.status === 200 && all.body.links === undefined && seen.length === all.body.total_count
    && same(seen, expected) && pages === Math.ceil(all.body.total_count / 2),
    { seen: seen.slice(0, 8), expected: expected.slice(0, 8), pages, total: all.body.total_count, status: all.status });
}

const page1 = await getJson(`${api}/rpc/records?dataset=gares&fields=id&rows=4&where=mode%20%3D%20%22RER%22`);
check('a keyed page has both next_after and links.next', typeof page1.body.next_after === 'string'
  && page1.body.links.next.includes(`after=${page1.body.next_after}`), page1.body);
const reused = await getJson(`${api}/rpc/records?dataset=gares&fields=id&rows=4&where=mode%20%3D%20%22Metro%22&after=${page1.body.next_after}`);
check('a token reused with another where is 400 (22023)', reused.status === 400 && reused.body.code === '22023',
  reused.body);

// -- Search-box text that looks like a PostgREST operator -------------------
const asFilter = await fetch(`${api}/rpc/search?q=eq.gares`);
check('GET /rpc/search?q=eq.gares is read by PostgREST as a filter: 400 (documented: POST user text)',
  asFilter.status === 400);
const posted = await client.rpc('search', { q: 'eq.gares' });
check('POST /rpc/search with the same text answers', !posted.error && posted.data.total_count === 0, posted);

process.exit(failed ? 1 : 0);
