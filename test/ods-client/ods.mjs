// Opendatasoft's own JavaScript client (@opendatasoft/api-client) against
// the portal's Explore v2.1 URLs (deploy/nginx/locations/ods.conf), called
// by test/shell/ods_client.sh:
//
//   node ods.mjs SITE OUT.json
//
// Runs the queries apps send (catalog listing, dataset, records with
// select/where/group_by/order_by/limit/offset, refine/exclude, one record,
// facets, catalog facets, exports, errors) through the client's query
// builder and writes each answer, keyed by case name, to OUT.json; the
// shell script compares them with records(), facets() and search() in SQL.
// Exits non-zero when a request the client should accept fails, or an
// error is not the one expected.
import { writeFileSync } from 'node:fs';
// The package is CommonJS (its UMD bundle) for Node.
import odsClient from '@opendatasoft/api-client';

const { ApiClient, fromCatalog, field, string, UserError, NotFoundError } = odsClient;
// The bundle's class names are minified: errors are told apart by class.
const errorClasses = { UserError, NotFoundError };

const [site, out] = process.argv.slice(2);
if (!site || !out) {
  console.error('usage: node ods.mjs SITE OUT.json');
  process.exit(2);
}

const urls = [];
const client = new ApiClient({
  domain: site,
  hideDeprecatedWarning: true,
  interceptRequest: async (request) => { urls.push(request.url); return request; },
});
// Exports are files, not JSON: read the body as text.
const asText = { interceptResponse: async (response) => ({ status: response.status,
  type: response.headers.get('content-type'), body: await response.text() }) };

const trees = fromCatalog().dataset('trees');
const cases = {
  catalog: fromCatalog().datasets().limit(10),
  catalog_search: fromCatalog().datasets().where(string('arbres')).select('dataset_id, has_records'),
  catalog_refine: fromCatalog().datasets().refine('publisher:ods').orderBy('title asc'),
  catalog_facets: fromCatalog().facets().facet('publisher').facet('theme'),
  dataset: trees.itself(),
  records: trees.records().select('id, name, height').where(`${field('kind')} = ${string('oak')} and height > 20`)
    .orderBy('height desc, id').limit(20).offset(5),
  records_group: trees.records().select('kind, count(*) as n, avg(height) as h').groupBy('kind').orderBy('kind'),
  records_refine: trees.records().refine('kind:elm').exclude('height:3').select('id').orderBy('id').limit(100),
  records_default: trees.records(),
  record: trees.record('42'),
  facets: trees.facets().facet('kind').where('height > 30'),
  facets_refine: trees.facets().facet('kind').refine('kind:ash'),
  export_json: trees.export('json').select('id, kind').where('id <= 5').orderBy('id'),
};

const answers = {};
for (const [name, query] of Object.entries(cases)) {
  try {
    answers[name] = await client.get(query);
  } catch (e) {
    console.error(`${name}: ${query.toString()}: ${e.message}`);
    process.exit(1);
  }
}
answers.export_csv = await client.get(trees.export('csv').select('id, name').where('id <= 3').orderBy('id')
  .set('delimiter', ',').set('with_bom', 'false').set('use_labels', 'true'), asText);
answers.export_geojson = await client.get(trees.export('geojson'), asText);

// Errors come back as the client's error classes, with Explore's body.
const errors = {
  error_syntax: [trees.records().where('height >'), 'UserError', 400],
  error_field: [trees.records().select('nope'), 'UserError', 400],
  error_dataset: [fromCatalog().dataset('nope').records(), 'NotFoundError', 404],
  error_record: [trees.record('999999'), 'NotFoundError', 404],
  error_draft: [fromCatalog().dataset('drafts').itself(), 'NotFoundError', 404],
};
for (const [name, [query, kind, status]] of Object.entries(errors)) {
  try {
    await client.get(query);
    console.error(`${name}: ${query.toString()} succeeded, expected ${kind}`);
    process.exit(1);
  } catch (e) {
    if (Object.getPrototypeOf(e) !== errorClasses[kind].prototype || e.response?.status !== status) {
      console.error(`${name}: ${e.response?.status}, expected ${kind} ${status}: ${e.message}`);
      process.exit(1);
    }
    answers[name] = e.details;
  }
}

answers.urls = urls;
writeFileSync(out, JSON.stringify(answers));
console.log(`${Object.keys(answers).length - 1} answers`);
