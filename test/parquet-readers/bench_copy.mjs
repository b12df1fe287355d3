// For bench/export_files.sh, DuckDB's side:
//   node bench_copy.mjs ROWS.csv OUT.parquet   loads the rows (not timed), then
//                                              prints the milliseconds of COPY ... TO OUT.parquet
//   node bench_copy.mjs --sums FILE.parquet    prints [rows, sum(id), sum(valeur)]
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const q = (s) => "'" + s.replace(/'/g, "''") + "'";
if (process.argv[2] === '--sums') {
  const r = await con.runAndReadAll(`SELECT count(*)::DOUBLE, sum(id)::DOUBLE, round(sum(valeur), 3)::DOUBLE FROM read_parquet(${q(process.argv[3])})`);
  process.stdout.write(JSON.stringify(r.getRows()[0].map(Number)) + '\n');
} else {
  await con.run(`CREATE TABLE t AS SELECT id::INTEGER AS id, nom, categorie, valeur::DOUBLE AS valeur, jour::DATE AS jour,
                 from_hex(geom) AS geom FROM read_csv(${q(process.argv[2])}, header = true, all_varchar = true)`);
  const start = process.hrtime.bigint();
  await con.run(`COPY t TO ${q(process.argv[3])} (FORMAT parquet)`);
  process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6) + '\n');
}
