// Validates a DCAT-AP catalog, exported in three serialisations, against the
// SEMIC DCAT-AP 3 SHACL shapes.  Prints TAP-like "ok ..." / "not ok ..."
// lines (counted by scripts/test.sh); exits 1 on any failure.
//
//   node validate.mjs SHAPES_DIR catalog.ttl catalog.rdf catalog.jsonld
//
// Required: no result at all (violation or warning) from shapes.ttl,
// shapes_recommended.ttl and range.ttl; no violation from
// mdr-vocabularies.shape.ttl, whose warnings (publisher not in the EU
// corporate bodies list, spatial coverage not an EU/GeoNames place) cannot
// be met by a local authority's own catalog and are only reported.
import fs from 'node:fs';
import path from 'node:path';
import rdf from '@zazuko/env-node';
import SHACLValidator from 'rdf-validate-shacl';
import N3 from 'n3';
import jsonld from 'jsonld';
import { RdfXmlParser } from 'rdfxml-streaming-parser';

const [shapesDir, ttlFile, rdfFile, jsonldFile] = process.argv.slice(2);
let failures = 0;
const ok = (name) => console.log(`ok ${name}`);
const notOk = (name, lines = []) => {
  failures += 1;
  console.log(`not ok ${name}`);
  for (const l of lines) console.log(`#   ${l}`);
};

function parseTurtle(text, format = 'text/turtle') {
  return new N3.Parser({ format }).parse(text);
}

function parseRdfXml(text) {
  return new Promise((resolve, reject) => {
    const quads = [];
    const parser = new RdfXmlParser({ baseIRI: 'http://example.org/base' });
    parser.on('data', (q) => quads.push(q));
    parser.on('error', reject);
    parser.on('end', () => resolve(quads));
    parser.write(text);
    parser.end();
  });
}

async function parseJsonLd(text) {
  const doc = JSON.parse(text);
  const nquads = await jsonld.toRDF(doc, { format: 'application/n-quads' });
  return parseTurtle(nquads, 'application/n-quads');
}

async function load(name, file, parse) {
  try {
    const quads = await parse(fs.readFileSync(file, 'utf8'));
    if (quads.length === 0) throw new Error('no triple');
    ok(`${name} parses (${quads.length} triples)`);
    return quads;
  } catch (e) {
    notOk(`${name} parses`, [String(e && e.message ? e.message : e)]);
    return null;
  }
}

const graphs = {
  turtle: await load('turtle', ttlFile, async (t) => parseTurtle(t)),
  rdfxml: await load('rdfxml', rdfFile, parseRdfXml),
  jsonld: await load('jsonld', jsonldFile, parseJsonLd),
};

const counts = Object.entries(graphs).map(([k, q]) => `${k}=${q ? q.length : 'n/a'}`);
const sizes = new Set(Object.values(graphs).map((q) => (q ? q.length : -1)));
if (sizes.size === 1 && !sizes.has(-1)) ok(`same triple count in the three serialisations (${counts.join(', ')})`);
else notOk('same triple count in the three serialisations', [counts.join(', ')]);

const shapeFiles = [
  { file: 'shapes.ttl', name: 'mandatory', allowWarnings: false },
  { file: 'shapes_recommended.ttl', name: 'recommended', allowWarnings: false },
  { file: 'range.ttl', name: 'range', allowWarnings: false },
  { file: 'mdr-vocabularies.shape.ttl', name: 'vocabularies', allowWarnings: true },
];

for (const { file, name, allowWarnings } of shapeFiles) {
  const shapes = rdf.dataset(parseTurtle(fs.readFileSync(path.join(shapesDir, file), 'utf8')));
  for (const [format, quads] of Object.entries(graphs)) {
    if (!quads) continue;
    const validator = new SHACLValidator(shapes, { factory: rdf });
    const report = await validator.validate(rdf.dataset(quads));
    const bySeverity = {};
    const lines = [];
    for (const r of report.results) {
      const sev = r.severity ? r.severity.value.replace(/.*#/, '') : 'Violation';
      bySeverity[sev] = (bySeverity[sev] || 0) + 1;
      if (lines.length < 15) {
        const p = r.path ? r.path.value : '';
        const msg = r.message && r.message.length ? r.message.map((m) => m.value).join('; ') : '';
        lines.push(`${sev}: ${r.focusNode ? r.focusNode.value : '?'} ${p} ${msg}`.trim());
      }
    }
    const violations = bySeverity.Violation || 0;
    const others = report.results.length - violations;
    const summary = `${violations} violations, ${others} warnings`;
    const pass = violations === 0 && (allowWarnings || others === 0);
    const label = `shacl ${name} (${file}) on ${format}: ${summary}`;
    if (pass) {
      ok(label);
      if (others > 0 && format === 'turtle') for (const l of lines) console.log(`#   ${l}`);
    } else {
      notOk(label, lines);
    }
  }
}

// The validator itself is live: the same catalog without any
// dct:description must fail the mandatory shapes.
if (graphs.turtle) {
  const shapes = rdf.dataset(parseTurtle(fs.readFileSync(path.join(shapesDir, 'shapes.ttl'), 'utf8')));
  const stripped = graphs.turtle.filter((q) => q.predicate.value !== 'http://purl.org/dc/terms/description');
  const report = await new SHACLValidator(shapes, { factory: rdf }).validate(rdf.dataset(stripped));
  if (!report.conforms && report.results.length > 0)
    ok(`shacl rejects the catalog without dct:description (${report.results.length} violations)`);
  else notOk('shacl rejects the catalog without dct:description');
}

process.exit(failures === 0 ? 0 : 1);
