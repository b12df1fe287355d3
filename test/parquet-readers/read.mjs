// Reads a Parquet file with two independent readers and prints what each
// found, normalised to JSON, for test/shell/export_files.sh to compare with
// the database:
//   node read.mjs FILE
// prints {"duckdb": {"types": {...}, "rows": [...]}, "hyparquet": {"rows": [...], "geo": {...}}}
// Values: integers as decimal strings, doubles as numbers, dates as
// YYYY-MM-DD, timestamps as ISO 8601 UTC with microseconds, geometries (WKB)
// as lower-case hex, NULL as null.  Rows in file order.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';

const file = process.argv[2];

function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

function isoMicros(us) {
  // BigInt microseconds since the epoch -> 2024-01-31T09:00:00.000000Z
  const ms = Number(us / 1000n);
  const rest = String(((us % 1000000n) + 1000000n) % 1000000n).padStart(6, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + rest + 'Z';
}

async function duckdb() {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
  const types = {};
  for (const row of described.getRowObjects()) types[row.column_name] = row.column_type;
  // Normalised in SQL: epoch microseconds for timestamps, hex for blobs.
  const select = Object.entries(types).map(([name, type]) => {
    const q = '"' + name.replace(/"/g, '""') + '"';
    if (type.startsWith('TIMESTAMP')) return `epoch_us(${q})::VARCHAR AS ${q}`;
    if (type === 'BLOB') return `lower(hex(${q})) AS ${q}`;
    if (type.startsWith('GEOMETRY')) return `lower(hex(ST_AsWKB(${q}))) AS ${q}`;
    if (type === 'DATE') return `strftime(${q}, '%Y-%m-%d') AS ${q}`;
    if (type === 'BIGINT' || type === 'INTEGER') return `${q}::VARCHAR AS ${q}`;
    return q;
  }).join(', ');
  const reader = await con.runAndReadAll(`SELECT ${select} FROM read_parquet('${file.replace(/'/g, "''")}')`);
  const rows = reader.getRowObjectsJson().map((r) => {
    const out = {};
    for (const [name, type] of Object.entries(types)) {
      let v = r[name];
      if (v !== null && type.startsWith('TIMESTAMP')) v = isoMicros(BigInt(v));
      if (v !== null && type === 'DOUBLE') v = Number(v);
      out[name] = v;
    }
    return out;
  });
  return { types, rows };
}

async function hyparquet() {
  const buf = readFileSync(file);
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const compressors = { GZIP: (input) => new Uint8Array(gunzipSync(input)) };
  const metadata = parquetMetadata(arrayBuffer);
  const geo = (metadata.key_value_metadata || []).find((kv) => kv.key === 'geo');
  const objects = await parquetReadObjects({ file: arrayBuffer, compressors, utf8: true });
  const schema = metadata.schema.slice(1).map((s) => ({
    name: s.name, type: s.type, logical: s.logical_type ? s.logical_type.type : (s.converted_type || null),
  }));
  const logical = Object.fromEntries(schema.map((s) => [s.name, s.logical]));
  // Dates come as Date objects at midnight UTC, timestamps as Date objects
  // (milliseconds: the comparison truncates the database's microseconds).
  const rows = objects.map((o) => {
    const out = {};
    for (const [name, v] of Object.entries(o)) {
      if (v === null || v === undefined) out[name] = null;
      else if (typeof v === 'bigint') out[name] = v.toString();
      else if (v instanceof Date) out[name] = logical[name] === 'DATE' ? v.toISOString().slice(0, 10) : v.toISOString();
      else if (v instanceof Uint8Array) out[name] = hex(v);
      else if (typeof v === 'object') out[name] = JSON.stringify(v);
      else out[name] = v;
    }
    return out;
  });
  return { rows, schema, geo: geo ? JSON.parse(geo.value) : null };
}

const result = { duckdb: await duckdb(), hyparquet: await hyparquet() };
process.stdout.write(JSON.stringify(result) + '\n');
