// opendata.import_csv(), sniff_csv() and their server-file variants: a file
// analysed by src/core/ingest, loaded with COPY FROM into a table of schema
// opendata_data, registered as a draft dataset, in one transaction.  Any
// error, or a cancel, rolls everything back: no table, no catalog row.
//
// The functions are SECURITY INVOKER: the caller owns the table it imports
// and loads it with its own INSERT privilege, and the registration (what
// register() does) checks what the caller may publish.  The catalog is
// reached through the internal functions (pg/internal_call.hpp), which
// check that the caller manages the dataset before anything of it is read.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ingest/geojson.hpp"
#include "core/ingest/normalise.hpp"
#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"
#include "core/ingest/sniff.hpp"
#include "core/odsql/schema.hpp"
#include "pg/args.hpp"
#include "pg/as_role.hpp"
#include "pg/copy_loader.hpp"
#include "pg/internal_call.hpp"
#include "pg/spi.hpp"
#include "pg/tuple_loader.hpp"

extern "C" {
#include "catalog/pg_authid_d.h"
#include "catalog/pg_type_d.h"
#include "storage/fd.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/acl.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(opendata_import_csv);
PG_FUNCTION_INFO_V1(opendata_import_geojson);
PG_FUNCTION_INFO_V1(opendata_import_csv_file);
PG_FUNCTION_INFO_V1(opendata_import_geojson_file);
PG_FUNCTION_INFO_V1(opendata_sniff_csv);
}

namespace opendata::pg {
namespace {

using odsql::quote_ident;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Keys of the options object that belong to the import itself; the rest
// describe the file and go to the ingest core, which rejects unknown keys.
struct ImportRequest {
  std::string mode = "create";  // or "replace", "append"
  // With replace or append: the one partition of the dataset's table to
  // load (replace empties it alone); nullopt: the whole table.
  std::optional<std::string> partition;
  nlohmann::json metadata = nlohmann::json::object();
  nlohmann::json file_options = nlohmann::json::object();
};

ImportRequest parse_request(const std::string& options_text) {
  ImportRequest r;
  nlohmann::json options = nlohmann::json::parse(options_text.empty() ? "{}" : options_text,
                                                 nullptr, false);
  if (!options.is_object()) throw UserError(sqlstate::kInvalidParameterValue, "import options must be a JSON object");
  if (options.contains("mode")) {
    const auto& m = options["mode"];
    if (!m.is_string() || (m != "create" && m != "replace" && m != "append"))
      throw UserError(sqlstate::kInvalidParameterValue, "invalid value for import option \"mode\"",
                      "Expected \"create\" (the default), \"replace\" or \"append\".");
    r.mode = m.get<std::string>();
    options.erase("mode");
  }
  if (options.contains("partition")) {
    if (!options["partition"].is_string() || options["partition"].get<std::string>().empty())
      throw UserError(sqlstate::kInvalidParameterValue, "invalid value for import option \"partition\"",
                      "Expected the name of one partition of the dataset's table.");
    if (r.mode == "create")
      throw UserError(sqlstate::kInvalidParameterValue, "import option \"partition\" needs mode \"replace\" or \"append\"",
                      "", "A new dataset is created whole: create its partitioned table, register "
                      "it, then import each partition with {\"mode\": \"replace\", \"partition\": ...}.");
    r.partition = options["partition"].get<std::string>();
    options.erase("partition");
  }
  if (options.contains("metadata")) {
    if (!options["metadata"].is_object())
      throw UserError(sqlstate::kInvalidParameterValue, "invalid value for import option \"metadata\"",
                      "Expected an object of dataset metadata, as for set_metadata().");
    r.metadata = options["metadata"];
    options.erase("metadata");
  }
  r.file_options = std::move(options);
  return r;
}

std::string table_of(const std::string& slug) { return "opendata_data." + quote_ident(slug); }

std::string one_value(const std::string& sql, const std::vector<spi::TextParam>& params) {
  uint64 n = spi::execute_text_params(sql, params, false);
  return n == 0 ? std::string() : spi::value(0, 1).value_or("");
}

// mode create: a new table shaped by the report.
Oid create_table(const std::string& slug, const ingest::SniffReport& report) {
  call_internal("opendata._check_slug(text)", {slug});
  if (!one_value("SELECT 1 FROM opendata.datasets WHERE slug = $1", {{TEXTOID, slug}}).empty())
    throw UserError(sqlstate::kUniqueViolation, "dataset \"" + slug + "\" already exists", "",
                    "Import with {\"mode\": \"replace\"} to load new data into it, or "
                    "{\"mode\": \"append\"} to add rows to it.");
  std::string ddl = "CREATE TABLE " + table_of(slug) + " (";
  for (std::size_t i = 0; i < report.columns.size(); i++) {
    const auto& c = report.columns[i];
    ddl += (i ? ", " : "") + quote_ident(c.name) + " " + ingest::pg_type_of(c);
  }
  ddl += ")";
  spi::execute(ddl.c_str(), false);
  return static_cast<Oid>(std::stoul(
      one_value("SELECT to_regclass($1)::oid::text", {{TEXTOID, table_of(slug)}})));
}

// A type as format_type() writes it, modifiers included: the table's
// geometry(Point,4326) compares equal to the file's.
std::string type_display_name(const std::string& type_text) {
  const char* text = type_text.c_str();
  return std::string(call([text] {
    Oid typid = InvalidOid;
    int32 typmod = -1;
    parseTypeString(text, &typid, &typmod, false);
    return format_type_with_typemod(typid, typmod);
  }));
}

std::string column_list(const std::vector<std::pair<std::string, std::string>>& columns) {
  std::string out;
  for (const auto& [name, type] : columns) out += (out.empty() ? "" : ", ") + name + " " + type;
  return out;
}

// A column of only 0 and 1 is imported as boolean (docs/import.md): the
// exact option that keeps it integer, when the two files differ that way.
std::string boolean_integer_hint(const std::vector<std::pair<std::string, std::string>>& dataset,
                                 const std::vector<std::pair<std::string, std::string>>& file) {
  std::string hint;
  for (const auto& [name, type] : file) {
    for (const auto& [ds_name, ds_type] : dataset) {
      if (name != ds_name) continue;
      const std::string option =
          "{\"columns\": {\"" + name + "\": {\"type\": \"" + ds_type + "\"}}}";
      if (type == "boolean" && (ds_type == "integer" || ds_type == "bigint"))
        hint += "Column \"" + name + "\" holds only 0 and 1 in this file: import it with " +
                option + " to keep it " + ds_type + ". ";
      if (ds_type == "boolean" && (type == "integer" || type == "bigint"))
        hint += "Column \"" + name +
                "\" is boolean in the dataset (its first file held only 0 and 1) and cannot "
                "hold this file's numbers: drop the dataset and import it again with "
                "{\"columns\": {\"" + name + "\": {\"type\": \"integer\"}}}, which keeps it integer. ";
    }
  }
  return hint;
}

// modes replace and append: the dataset's table (emptied for replace), if
// the file has the same columns; anything else would silently break the
// published API.
Oid reuse_table(const std::string& slug, const std::optional<std::string>& partition,
                const ingest::SniffReport& report, bool empty) {
  // Locked, and checked to be the caller's to manage, before its columns
  // are compared (the message lists them, hidden ones included).
  std::string source =
      call_internal("opendata._import_target(text,text)", {slug, partition}).value_or("");
  uint64 n = spi::execute_text_params(
      "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute "
      "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      {{TEXTOID, source}}, false);
  std::vector<std::pair<std::string, std::string>> dataset_columns, file_columns;
  for (uint64 row = 0; row < n; row++)
    dataset_columns.emplace_back(*spi::value(row, 1), *spi::value(row, 2));
  for (const auto& c : report.columns)
    file_columns.emplace_back(c.name, type_display_name(ingest::pg_type_of(c)));
  if (dataset_columns != file_columns)
    throw UserError(sqlstate::kInvalidParameterValue, "the file does not have the columns of dataset \"" + slug + "\"",
                    "Dataset: " + column_list(dataset_columns) + ".\nFile: " +
                        column_list(file_columns) + ".",
                    boolean_integer_hint(dataset_columns, file_columns) +
                        "Force types and names with the \"columns\" option, or drop the dataset "
                        "and import it again.");
  if (empty) call_internal("opendata._empty_for_import(text,text)", {slug, partition});
  return static_cast<Oid>(std::stoul(source));
}

// The normaliser of either input format, behind one interface.
struct Normaliser {
  std::unique_ptr<ingest::CsvNormaliser> csv;
  std::unique_ptr<ingest::GeoJsonNormaliser> geojson;
  bool next_chunk(std::string& out) { return csv ? csv->next_chunk(out) : geojson->next_chunk(out); }
  bool next_rows(ingest::RowSink& rows) { return csv ? csv->next_rows(rows) : geojson->next_rows(rows); }
  std::uint64_t rows_rejected() const { return csv ? csv->rows_rejected() : geojson->rows_rejected(); }
  const std::vector<ingest::RejectedRow>& rejected() const {
    return csv ? csv->rejected() : geojson->rejected();
  }
};

// A new table is the caller's own and loaded as the caller.  An existing
// one is loaded as the role that acts on it (its owner when the caller may
// act as the owner, else the caller): its triggers, defaults and checks run
// with that role's rights, never with those of a superuser replacing a
// publisher's data, and INSERT is checked for that role.
//
// A new table is loaded by building its tuples from the converted values
// (pg/tuple_loader.hpp); an existing one through COPY FROM, which runs its
// triggers, checks its constraints, routes rows to partitions and updates
// its indexes.  So is a new table that an event trigger gave any of those.
std::uint64_t load(const std::string& slug, Oid table, const ImportRequest& req,
                   Normaliser& normaliser) {
  const ChunkProducer next = [&](std::string& out) { return normaliser.next_chunk(out); };
  if (req.mode == "create") {
    std::optional<std::uint64_t> inserted =
        insert_into_new_table(table, [&](ingest::RowSink& rows) { return normaliser.next_rows(rows); });
    return inserted ? *inserted : copy_into(table, next);
  }
  // Asked of a definer: this function runs as its caller, who may not call
  // the internal _acting_role() (nor the _caller() it calls) itself.
  ActingAs as(role_of(call_internal("opendata._import_role(text,text)", {slug, req.partition})), "");
  std::uint64_t loaded = copy_into(table, next);
  as.finish();
  return loaded;
}

// The new table registered as register() registers it, its fields labelled
// with the file's original headers: one call, which writes the dataset's
// row and its fields in one statement, so that the catalog's search index
// computes the dataset's search row once (not once for the row, once for
// the fields and once more for their labels).
void register_table(const std::string& table_name, const std::string& slug,
                    const nlohmann::json& metadata, const ingest::SniffReport& report) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& c : report.columns)
    if (!c.label.empty() && c.label != c.name) labels[c.name] = c.label;
  call_internal("opendata._register_import(regclass,text,jsonb,jsonb)",
                {table_name, slug, metadata.dump(), labels.dump()});
}


// Where an import's time goes, step by step, for its report (timings_ms):
// each step's milliseconds, in the order they ran.
class StepTimer {
 public:
  StepTimer() : started_(Clock::now()), step_(started_) {}
  // Ends the running step, named `name`, and starts the next.
  void done(const char* name) {
    auto now = Clock::now();
    steps_.emplace_back(name, std::chrono::duration<double, std::milli>(now - step_).count());
    step_ = now;
  }
  nlohmann::json to_json() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, ms] : steps_) out[name] = ms;
    out["total"] = ms_since(started_);
    return out;
  }

 private:
  Clock::time_point started_, step_;
  std::vector<std::pair<const char*, double>> steps_;
};

// `timer` started when the call did (the file's reading is its first step).
nlohmann::json import_file(const std::string& slug, std::string_view data,
                           const std::string& options_text, ingest::InputFormat format,
                           StepTimer& timer) {
  ImportRequest req = parse_request(options_text);
  ingest::CsvOptions options = ingest::parse_options(req.file_options, format);

  spi::connect();
  // A GeoJSON document is decoded, validated and its features located once,
  // for the sniff and the load.
  std::unique_ptr<ingest::GeoJsonDocument> geojson;
  if (format == ingest::InputFormat::GeoJson)
    geojson = std::make_unique<ingest::GeoJsonDocument>(data, options.encoding);
  ingest::SniffReport report =
      geojson ? ingest::read_geojson(*geojson, options) : ingest::sniff_csv(data, options);
  timer.done("sniff");

  Oid table = req.mode == "create" ? create_table(slug, report)
                                   : reuse_table(slug, req.partition, report, req.mode == "replace");
  timer.done("table");
  Normaliser normaliser;
  if (format == ingest::InputFormat::Csv)
    normaliser.csv = std::make_unique<ingest::CsvNormaliser>(data, options, report);
  else
    normaliser.geojson = std::make_unique<ingest::GeoJsonNormaliser>(*geojson, options, report);
  std::uint64_t loaded = load(slug, table, req, normaliser);
  timer.done("load");

  std::string table_name = table_of(slug);
  if (req.mode == "create") {
    if (!report.geometry_column.empty()) {
      std::string index = "CREATE INDEX ON " + table_name + " USING gist (" +
                          quote_ident(report.geometry_column) + ")";
      spi::execute(index.c_str(), false);
    }
    timer.done("index");
    register_table(table_name, slug, req.metadata, report);
  } else if (!req.metadata.empty()) {
    spi::execute_text_params("SELECT opendata.set_metadata($1, $2::jsonb)",
                             {{TEXTOID, slug}, {TEXTOID, req.metadata.dump()}}, false);
  }
  timer.done("register");
  // Fresh statistics: the planner (and estimated counts) see the new data;
  // of the loaded partition only, when one was named.
  std::string partition_name =
      req.partition ? one_value("SELECT $1::oid::regclass::text", {{OIDOID, std::to_string(table)}})
                    : "";
  std::string analyze = "ANALYZE " + (req.partition ? partition_name : table_name);
  spi::execute(analyze.c_str(), false);
  timer.done("analyze");
  std::string version = call_internal("opendata._record_import(text,bigint,text)",
                                      {slug, std::to_string(loaded), req.mode})
                            .value_or("null");
  spi::finish();
  timer.done("history");

  nlohmann::json out = ingest::to_json(report);
  out["slug"] = slug;
  out["table"] = "opendata_data." + slug;
  out["mode"] = req.mode;
  if (req.partition) out["partition"] = partition_name;
  out["rows_loaded"] = loaded;
  out["rows_rejected"] = normaliser.rows_rejected();
  out["rejected"] = ingest::to_json(normaliser.rejected());
  out["version"] = nlohmann::json::parse(version, nullptr, false);
  out["timings_ms"] = timer.to_json();
  return out;
}

}  // namespace
}  // namespace opendata::pg

using namespace opendata;

namespace opendata::pg {
namespace {

std::string options_arg(const Args& args) {
  if (!args.given("options")) return "{}";
  Datum d = args.datum("options");
  return std::string(call([d] { return DatumGetCString(DirectFunctionCall1(jsonb_out, d)); }));
}

// The options are jsonb since 0.2.0.  0.1.0 bound the same symbols to
// internal functions taking and returning text (_import_csv(text, bytea,
// text)): between installing a newer library and ALTER EXTENSION opendata
// UPDATE, such a call would read text as jsonb.  It is refused instead
// (docs/upgrades.md).  No call expression (a direct call): nothing to check.
void require_current_definition(const Args& args) {
  const int options = args.position("options");
  FmgrInfo* flinfo = args.fcinfo()->flinfo;
  Oid type = call([flinfo, options] { return get_fn_expr_argtype(flinfo, options); });
  if (type != InvalidOid && type != JSONBOID)
    throw UserError(sqlstate::kObjectNotInPrerequisiteState, "the SQL definitions of opendata are older than its library",
                    "This function was declared by an earlier version of the extension.",
                    "Run ALTER EXTENSION opendata UPDATE.");
}

Datum jsonb_result(const nlohmann::json& value) {
  std::string text = value.dump();
  const char* s = text.c_str();
  return call([s] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(s)); });
}

// A server file's bytes, in anonymous memory mapped and populated by one
// mmap(MAP_POPULATE) call rather than faulted in page by page as a
// palloc'd buffer is on its first write: a large file's thousands of page
// faults took longer than reading it (0.8 s for 74 MB under load, 0.12 s
// populated).  Unmapped when the import ends, on error too.
class FileBytes {
 public:
  // Runs inside call(): PostgreSQL's out-of-memory error.
  static void* map(std::size_t capacity) {
    if (capacity == 0) return MAP_FAILED;
    void* base = mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (base == MAP_FAILED)
      ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory"),
                      errdetail("Failed on request of size %zu.", capacity)));
    return base;
  }
  // `base`: from map(capacity).
  FileBytes(void* base, std::size_t capacity) : base_(base), capacity_(capacity) {}
  FileBytes(FileBytes&& other) noexcept
      : base_(std::exchange(other.base_, MAP_FAILED)), capacity_(other.capacity_), size_(other.size_) {}
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  FileBytes& operator=(FileBytes&&) = delete;
  ~FileBytes() {
    if (base_ != MAP_FAILED) munmap(base_, capacity_);
  }
  char* data() { return static_cast<char*>(base_); }
  std::string_view view() const {
    return size_ == 0 ? std::string_view() : std::string_view(static_cast<const char*>(base_), size_);
  }
  void set_size(std::size_t size) { size_ = size; }

 private:
  void* base_ = MAP_FAILED;
  std::size_t capacity_;
  std::size_t size_ = 0;
};

// A file on the database server, for roles allowed to read server files
// (superusers and members of pg_read_server_files), whatever the grants on
// pg_read_binary_file.  Read as pg_read_binary_file() reads it (the same
// path rules and errors, 1 GB at most), in one read of its size.
FileBytes server_file(Datum path) {
  bool allowed = call([] { return has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
  if (!allowed)
    throw UserError(sqlstate::kInsufficientPrivilege, "permission denied to import a server file",
                    "Only superusers and members of pg_read_server_files may.",
                    "Pass the file's content to import_csv(slug, data) instead.");
  char* filename = call([path] {
    char* name = text_to_cstring(DatumGetTextPP(path));
    canonicalize_path(name);
    return name;
  });
  // A file left open by an error is closed with the transaction.
  int fd = call([filename] {
    int f = OpenTransientFile(filename, O_RDONLY | PG_BINARY);
    if (f < 0)
      ereport(ERROR, (errcode_for_file_access(),
                      errmsg("could not open file \"%s\" for reading: %m", filename)));
    return f;
  });
  off_t size = call([fd, filename] {
    struct stat st;
    if (fstat(fd, &st) < 0)
      ereport(ERROR, (errcode_for_file_access(), errmsg("could not stat file \"%s\": %m", filename)));
    if (st.st_size > static_cast<off_t>(MaxAllocSize - VARHDRSZ))
      ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                      errmsg("file \"%s\" is too large to import", filename),
                      errdetail("At most %zu bytes can be read at once.", MaxAllocSize - VARHDRSZ)));
    return st.st_size;
  });
  const auto capacity = static_cast<std::size_t>(size);
  FileBytes bytes(call([capacity] { return FileBytes::map(capacity); }), capacity);
  char* buffer = bytes.data();
  std::size_t done = call([fd, filename, buffer, size] {
    off_t read_so_far = 0;
    while (read_so_far < size) {  // a file that shrinks meanwhile ends early
      ssize_t n = read(fd, buffer + read_so_far, size - read_so_far);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not read file \"%s\": %m", filename)));
      if (n == 0) break;
      read_so_far += n;
    }
    CloseTransientFile(fd);
    return static_cast<std::size_t>(read_so_far);
  });
  bytes.set_size(done);
  return bytes;
}

// import_csv / import_geojson(slug text, data bytea, options jsonb) and
// their _file(slug text, path text, options jsonb) forms -> jsonb report.
Datum import_entry(FunctionCallInfo fcinfo, const Signature& signature, ingest::InputFormat format,
                   bool from_file) {
  return boundary([&] {
    const Args args(fcinfo, signature);
    require_current_definition(args);
    const char* source = from_file ? "path" : "data";
    if (!args.given("slug")) throw UserError(sqlstate::kInvalidParameterValue, "slug must be given");
    if (!args.given(source))
      throw UserError(sqlstate::kInvalidParameterValue, std::string(source) + " must be given");
    std::string slug = args.text("slug");
    StepTimer timer;
    std::optional<FileBytes> file;
    if (from_file) {
      file.emplace(server_file(args.datum(source)));
      timer.done("read");
    }
    std::string_view data = file ? file->view() : text_view(args.datum(source));
    return jsonb_result(import_file(slug, data, options_arg(args), format, timer));
  });
}
}  // namespace
}  // namespace opendata::pg

Datum opendata_import_csv(PG_FUNCTION_ARGS) {
  return pg::import_entry(fcinfo, pg::signature::kImportCsv, ingest::InputFormat::Csv, false);
}

Datum opendata_import_geojson(PG_FUNCTION_ARGS) {
  return pg::import_entry(fcinfo, pg::signature::kImportGeoJson, ingest::InputFormat::GeoJson, false);
}

Datum opendata_import_csv_file(PG_FUNCTION_ARGS) {
  return pg::import_entry(fcinfo, pg::signature::kImportCsvFile, ingest::InputFormat::Csv, true);
}

Datum opendata_import_geojson_file(PG_FUNCTION_ARGS) {
  return pg::import_entry(fcinfo, pg::signature::kImportGeoJsonFile, ingest::InputFormat::GeoJson, true);
}

// sniff_csv(data bytea, options jsonb) -> jsonb report
Datum opendata_sniff_csv(PG_FUNCTION_ARGS) {
  return pg::boundary([&] {
    const pg::Args args(fcinfo, pg::signature::kSniffCsv);
    pg::require_current_definition(args);
    if (!args.given("data")) throw UserError(sqlstate::kInvalidParameterValue, "data must be given");
    std::string_view data = pg::text_view(args.datum("data"));
    pg::ImportRequest req = pg::parse_request(pg::options_arg(args));
    ingest::CsvOptions options = ingest::parse_options(req.file_options);
    return pg::jsonb_result(ingest::to_json(ingest::sniff_csv(data, options)));
  });
}
