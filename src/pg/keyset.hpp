// Keyset paging in records(): what the dataset offers for it (its key, the
// SQL types and NOT NULL constraints of its columns) and the token of the
// next page, made from the last row of this one.  The rules are in
// src/core/odsql/keyset.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "pg/args.hpp"
#include "pg/dataset_query.hpp"

namespace opendata::pg {

// Sets req.key and req.keyset_columns from the dataset, and req.after from
// the argument `after` of the call (if the function has it).
void add_keyset(const Args& args, const PublishedDataset& ds, odsql::Request& req);

// The dataset's key (its fields, in order) when every key field is a
// field of its view; empty otherwise.
std::vector<std::string> dataset_key(const PublishedDataset& ds);

// Sets req.key and req.keyset_columns only: the dataset's key then
// completes the query's order (the one default order of records(), the
// exports and download, issue #24), with no token to read.
void add_key(const PublishedDataset& ds, odsql::Request& req);

// From the row of compiled.results_sql (or page_count_sql): the token of
// the next page, or "" when the page is not full (it is the last) or the
// query cannot be continued by token.
std::string next_token(const odsql::Compiled& compiled, std::int64_t rows, const spi::Row& page);

}  // namespace opendata::pg
