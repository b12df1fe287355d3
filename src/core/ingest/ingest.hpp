// The file-ingest core, in one include for the PostgreSQL layer.
//
//   CsvOptions o = parse_options(json_or_null, InputFormat::Csv);   // 22023
//   SniffReport r = sniff_csv(bytes, o);        // or read_geojson(bytes, o)
//   nlohmann::json shown = to_json(r);          // for the publisher
//   // CREATE TABLE with r.columns[i].name / .pg_type, in order, then COPY:
//   CsvNormaliser n(bytes, o, r);               // or GeoJsonNormaliser
//   std::string chunk;
//   while (n.next_chunk(chunk)) feed_copy(chunk);   // COPY text format
//   to_json(n.rejected());                      // with on_error = "skip"
//
// `bytes` must stay alive and unchanged for the normaliser's lifetime.  All
// errors are opendata::UserError with a SQLSTATE (see docs/import.md).
#pragma once

#include "core/ingest/geojson.hpp"
#include "core/ingest/normalise.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"
#include "core/ingest/sniff.hpp"
