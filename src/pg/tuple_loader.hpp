// Loading a table created in this transaction by building its tuples
// directly from the values the ingest core converted: each value goes
// through its type's input function once, and the tuples go to the table
// access method's bulk insert (table_multi_insert with a BulkInsertState),
// frozen on COPY ... FREEZE's conditions (see insert_options()).  No text format is written and
// parsed again, which is what a load through COPY FROM costs.
//
// Only for a new table: it has no index, trigger, constraint, default,
// partition or row-level security, which COPY FROM would otherwise handle
// (replace and append go through pg/copy_loader.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/ingest/row_sink.hpp"
#include "pg/guard.hpp"

namespace opendata::pg {

// Fills the sink (in RowForm::Cells) with the next rows; returns false when
// there are no more.  May throw.
using RowProducer = std::function<bool(ingest::RowSink& rows)>;

// Inserts every row `next` produces into `relation` (its OID), a table
// created in the current subtransaction with the producer's columns in
// order, and returns the number of rows inserted; shows in
// pg_stat_progress_copy like a COPY FROM.  Returns nullopt, having asked
// `next` for nothing, when the table is no longer plain: an event trigger
// gave it a trigger, index, check, NOT NULL column, rule or row-level
// security, which the bulk insert would bypass (load it through COPY FROM).
std::optional<std::uint64_t> insert_into_new_table(Oid relation, const RowProducer& next);

}  // namespace opendata::pg
