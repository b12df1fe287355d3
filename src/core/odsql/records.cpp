// compile_records(): the page of records (or groups) and its count.
//
// Statement shape (results_sql):
//   SELECT coalesce(json_agg(q.j ORDER BY q.k0 DESC, ...), '[]'::json), count(*) FROM (
//     SELECT (SELECT row_to_json(r.*) FROM (SELECT <json form of p.c0> AS "name0", ...) r) AS j,
//            p.k0, ...
//     FROM (SELECT <expr0> AS c0, ..., <order key0> AS k0, ...
//           FROM <relation> WHERE <filter> [GROUP BY .. HAVING ..]
//           ORDER BY <keys> LIMIT .. OFFSET ..) p
//   ) q
// The innermost query filters, sorts and cuts the page, so PostgreSQL can use
// a top-N sort or an index; GeoJSON and date formatting only run on the page's
// rows.  The order keys travel with the page so that json_agg re-sorts those
// few rows explicitly (a window function would defeat the top-N sort); a key
// that is also an output is that output's column, not a k column.
// row_to_json over a sub-select (rather than json_build_object) has no
// 100-argument limit on wide datasets.
#include <algorithm>
#include <vector>

#include "core/odsql/functions.hpp"
#include "core/odsql/keyset.hpp"
#include "core/odsql/lexer.hpp"
#include "core/odsql/parser.hpp"
#include "core/odsql/query.hpp"

namespace opendata::odsql {
namespace {

// PostgreSQL truncates identifiers (our JSON keys) beyond this many bytes.
constexpr std::size_t kMaxNameBytes = 63;

struct Output {
  std::string name;
  Expr expr;
  // group_by keys: "key IS NOT NULL" as a row filter on the key's field, so
  // that PostgreSQL does not compute the key twice per row; "true" when the
  // field is NOT NULL, empty when the key has no such form.
  std::string row_not_null;
  bool plain_field = false;  // an unlabelled field: subject to exclude()
  std::size_t pos = 0;
  const Source* src = nullptr;
};

bool matches(const std::string& pattern, const std::string& name) {
  const std::string p = lower_ascii(pattern), n = lower_ascii(name);
  if (!p.empty() && p.back() == '*') return n.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0;
  return p == n;
}

// The field type an output column has, for the exports' cell kinds.
FieldType field_type_of(Type t) {
  switch (t) {
    case Type::Int: return FieldType::Integer;
    case Type::Float: return FieldType::Double;
    case Type::Date: return FieldType::Date;
    case Type::DateTime: return FieldType::DateTime;
    case Type::Bool: return FieldType::Boolean;
    case Type::Geo: return FieldType::GeoShape;
    default: return FieldType::Text;
  }
}

Output field_output(const FieldInfo& f) {
  Output o;
  o.name = f.name;
  o.expr = Expr{quote_ident(f.name), expr_type(f.type), false, {}};
  o.plain_field = true;
  return o;
}

bool has_output(const std::vector<Output>& outs, const std::string& name) {
  for (const Output& o : outs) {
    if (o.plain_field && o.name == name) return true;
  }
  return false;
}

// Output column aliases must not collide with a field name: ORDER BY resolves
// a bare name to an output column first.
std::string column_prefix(const std::vector<FieldInfo>& fields) {
  std::string prefix = "__o";
  for (bool clash = true; clash;) {
    clash = false;
    for (const FieldInfo& f : fields) {
      if (f.name.compare(0, prefix.size(), prefix) == 0) clash = true;
    }
    if (clash) prefix += "_";
  }
  return prefix;
}

std::string expr_text(const Source& src, std::size_t b, std::size_t e) {
  return src.text.substr(b, e - b);
}

// See Output::row_not_null: a field, or a date part of a field.
std::string row_not_null(const Schema& schema, const Source& src, const Node& key) {
  const Node* field = &key;
  if (key.kind == NodeKind::Call && is_date_part(key.text) && key.kids.size() == 1)
    field = key.kids[0].get();
  if (field->kind != NodeKind::Field) return {};
  const FieldInfo& f = schema.resolve(src, field->begin, field->text);
  return f.not_null ? "true" : "(" + quote_ident(f.name) + " IS NOT NULL)";
}

// The direction of a sort key.  Nulls sort last both ways (documented); on
// a NOT NULL field the placement is moot and left out, because a B-tree
// index read backwards returns DESC NULLS FIRST, so "DESC NULLS LAST" would
// make PostgreSQL sort what the index already has in order.
std::string sort_direction(const std::vector<FieldInfo>& fields, const std::string& key_sql,
                           bool descending) {
  for (const FieldInfo& f : fields) {
    if (f.not_null && key_sql == quote_ident(f.name)) return descending ? " DESC" : " ASC";
  }
  return descending ? " DESC NULLS LAST" : " ASC NULLS LAST";
}

// The group_by keys: outputs of a grouped query, and names the select and
// order_by may use.
struct GroupKeys {
  std::vector<Output> keys;
  std::vector<Alias> aliases;
  std::vector<std::string> sqls;  // what the select and order_by may use ungrouped
};

GroupKeys compile_group_by(const Schema& schema, Params& params, const Source& sgrp,
                           const std::vector<GroupItem>& groups) {
  GroupKeys out;
  Translator gt(schema, params, sgrp, Clause::GroupBy);
  for (const GroupItem& g : groups) {
    const bool cluster = g.expr->kind == NodeKind::Call && g.expr->text == "geo_cluster";
    if (!cluster && mentions_function(*g.expr, "geo_cluster")) {
      source_error(sqlstate::kGroupingError, sgrp, g.begin,
                   "geo_cluster() must be a group_by key by itself",
                   "Group by geo_cluster(geo, precision) and compute on it in the select.");
    }
    Expr e = gt.value(*g.expr);
    Output o;
    o.plain_field = false;
    o.name = !g.alias.empty() ? g.alias
             : g.expr->kind == NodeKind::Field
                 ? schema.resolve(sgrp, g.expr->begin, g.expr->text).name
                 : expr_text(sgrp, g.begin, g.end);
    o.pos = g.alias.empty() ? g.begin : g.alias_pos;
    o.src = &sgrp;
    o.expr = e;
    o.row_not_null = row_not_null(schema, sgrp, *g.expr);
    if (!g.alias.empty()) out.aliases.push_back(Alias{g.alias, e});
    out.sqls.push_back(e.sql);
    out.keys.push_back(std::move(o));
  }
  return out;
}

// An expression of the select: its output, named by its label, its field
// or its text.
Output select_expr_output(const Schema& schema, Translator& st, const Source& ssel,
                          const SelectItem& item) {
  Output o;
  o.expr = st.value(*item.expr);
  o.src = &ssel;
  o.pos = item.alias.empty() ? item.begin : item.alias_pos;
  if (!item.alias.empty()) {
    o.name = item.alias;
  } else if (item.expr->kind == NodeKind::Field) {
    const FieldInfo* f = schema.find(ssel, item.begin, item.expr->text);
    o.plain_field = f != nullptr && o.expr.sql == quote_ident(f->name);
    o.name = o.plain_field ? f->name : item.expr->text;
  } else {
    o.name = expr_text(ssel, item.begin, item.end);
  }
  return o;
}

// Drops the plain fields that an exclude() item names.
void apply_exclude(const SelectItem& ex, std::vector<Output>& outs) {
  std::vector<Output> kept;
  for (Output& o : outs) {
    bool drop = false;
    for (const std::string& p : ex.patterns) drop = drop || (o.plain_field && matches(p, o.name));
    if (!drop) kept.push_back(std::move(o));
  }
  outs = std::move(kept);
}

struct Selected {
  std::vector<Output> outs;
  bool aggregated = false;  // grouped, or an aggregate in the select
};

// The select ("fields" in the API): the page's output columns, in order.
Selected compile_select(const Schema& schema, Params& params, const Source& ssel,
                        const std::vector<SelectItem>& select, const GroupKeys& groups) {
  const std::vector<FieldInfo>& fields = schema.fields();
  const bool grouped = !groups.keys.empty();
  Translator st(schema, params, ssel, Clause::Select);
  st.allow_aggregates(true);
  if (grouped) st.set_aliases(&groups.aliases);
  bool has_base = false, any_expr = false;
  for (const SelectItem& item : select) {
    has_base = has_base || item.kind == SelectItem::AllFields || item.kind == SelectItem::Include;
    any_expr = any_expr || item.kind == SelectItem::Expr;
  }
  Selected out;
  std::vector<Output>& outs = out.outs;
  std::vector<const SelectItem*> excludes;
  if (grouped && select.empty()) outs = groups.keys;
  // No select, or only exclude() items: they apply to all fields.
  if (!grouped && !has_base && !any_expr) {
    for (const FieldInfo& f : fields) outs.push_back(field_output(f));
  }
  for (const SelectItem& item : select) {
    if (item.kind != SelectItem::Expr && grouped && item.kind != SelectItem::Exclude) {
      source_error(sqlstate::kGroupingError, ssel, item.begin,
                   "all fields cannot be selected together with group_by",
                   "Select the group_by keys and aggregates, e.g. select=city, count(*).");
    }
    switch (item.kind) {
      case SelectItem::AllFields:
        for (const FieldInfo& f : fields) {
          if (!has_output(outs, f.name)) outs.push_back(field_output(f));
        }
        break;
      case SelectItem::Include:
        for (const std::string& p : item.patterns) {
          if (p.back() != '*') schema.resolve(ssel, item.begin, p);  // unknown names are errors
          for (const FieldInfo& f : fields) {
            if (matches(p, f.name) && !has_output(outs, f.name)) outs.push_back(field_output(f));
          }
        }
        break;
      case SelectItem::Exclude:
        for (const std::string& p : item.patterns) {
          if (p.back() != '*') schema.resolve(ssel, item.begin, p);
        }
        excludes.push_back(&item);
        break;
      case SelectItem::Expr: outs.push_back(select_expr_output(schema, st, ssel, item)); break;
    }
  }
  for (const SelectItem* ex : excludes) apply_exclude(*ex, outs);

  out.aggregated = grouped;
  for (const Output& o : outs) out.aggregated = out.aggregated || o.expr.aggregate;
  if (!out.aggregated) return out;
  for (const SelectItem& item : select) {
    if (item.kind == SelectItem::Expr) {
      st.check_grouping(*item.expr, groups.sqls);
    } else if (item.kind != SelectItem::Exclude) {
      // "*, count(*)": the fields are neither grouped nor aggregated.
      source_error(sqlstate::kGroupingError, ssel, item.begin,
                   "all fields cannot be selected together with aggregate functions",
                   "Select the fields to group by with group_by, e.g. group_by=city.");
    }
  }
  return out;
}

// Output names become JSON keys and SQL labels: short enough, and distinct.
void check_output_names(const std::vector<Output>& outs, const Source& ssel) {
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const Output& o = outs[i];
    const Source& src = o.src != nullptr ? *o.src : ssel;
    if (o.name.size() > kMaxNameBytes) {
      source_error(sqlstate::kNameTooLong, src, o.pos,
                   "output name \"" + excerpt(o.name) + "\" is too long",
                   "Give the expression a shorter label with AS (at most 63 bytes).");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (outs[j].name == o.name) {
        source_error(sqlstate::kDuplicateColumn, src, o.pos,
                     "duplicate output name \"" + excerpt(o.name) + "\"",
                     "Give each expression a distinct label with AS.");
      }
    }
  }
}

// The page's sort keys: order_by, or the group keys when it is empty.
std::vector<SortKey> compile_order_by(const Schema& schema, Params& params, const Source& sord,
                                      const std::vector<OrderItem>& orders,
                                      const std::vector<SelectItem>& select,
                                      const GroupKeys& groups, const Selected& selected) {
  std::vector<Alias> order_aliases = groups.aliases;
  for (const SelectItem& item : select) {
    if (item.kind != SelectItem::Expr || item.alias.empty()) continue;
    for (const Output& o : selected.outs) {
      if (o.name == item.alias) order_aliases.push_back(Alias{item.alias, o.expr});
    }
  }
  Translator ot(schema, params, sord, Clause::OrderBy);
  ot.allow_aggregates(selected.aggregated);
  ot.set_aliases(&order_aliases);
  std::vector<SortKey> order;
  for (const OrderItem& item : orders) {
    const Expr e = ot.value(*item.expr);
    if (e.type == Type::Geo && e.sort_sql.empty()) {  // geo_cluster() sorts by its cell
      source_error(sqlstate::kDatatypeMismatch, sord, item.begin, "cannot order by a geo value",
                   "Order by distance(field, geom'POINT(lon lat)') instead.");
    }
    if (selected.aggregated) ot.check_grouping(*item.expr, groups.sqls);
    order.push_back(SortKey{e.sort_sql.empty() ? e.sql : e.sort_sql, item.descending});
  }
  if (orders.empty()) {
    // Groups come in key order, which makes pages stable.
    for (const Output& k : groups.keys) {
      order.push_back(SortKey{k.expr.sort_sql.empty() ? k.expr.sql : k.expr.sort_sql, false});
    }
  }
  return order;
}

// One description of the page's SELECT: every statement of Compiled is
// written from it (page_statement, count_statement, rows_statement).
struct Page {
  std::string from;       // " FROM <relation>[ WHERE ..]": the records the count counts
  std::string group_sql;  // " GROUP BY ..[ HAVING ..]", or ""
  std::string group_keys;  // the GROUP BY list alone
  // Filters, groups, sorts and cuts the page: SELECT <outputs> AS c.., <keys>
  // AS k.. FROM .. [after the token] ORDER BY .. LIMIT .. OFFSET ..
  std::string inner;
  std::string json_cols;  // the members of a row's JSON object, from p.c..
  std::string keys_out;   // ", p.<key column>": the sort keys carried up to json_agg
  std::string agg_order;  // " ORDER BY q.<key column> <direction>, ..", or ""
  std::vector<std::string> key_cols;  // the column of each sort key
  std::vector<std::string> key_dirs;  // and its direction
  std::string last_row;   // the last row's sort values, for the next token
  std::string limit_param, offset_param;  // "" when not given
  bool after_token = false;
  std::vector<std::string> out_cols;  // "p.c..", one per output
};

// " GROUP BY .. HAVING ..": records without a value for a key form no group.
// A key that can say so on the row ("key IS NOT NULL" on its field) goes
// into `where` instead, so that PostgreSQL computes the key once per row.
std::string group_clause(const std::vector<Output>& keys, std::string& where, std::string& by) {
  if (keys.empty()) return {};
  std::string having;
  for (const Output& k : keys) {
    // A key whose value is computed per group (geo_cluster()) groups by
    // its sort key alone.
    const std::string& key = k.expr.aggregate         ? k.expr.sort_sql
                             : k.expr.group_sql.empty() ? k.expr.sql
                                                        : k.expr.group_sql;
    by += (by.empty() ? "" : ", ") + key;
    if (!k.expr.aggregate && !k.expr.sort_sql.empty()) by += ", " + k.expr.sort_sql;
    if (k.row_not_null.empty()) {
      having += (having.empty() ? "" : " AND ") + ("(" + key + ") IS NOT NULL");
    } else if (k.row_not_null != "true") {
      where += (where.empty() ? "" : " AND ") + k.row_not_null;
    }
  }
  return " GROUP BY " + by + (having.empty() ? "" : " HAVING " + having);
}

Page describe_page(const std::vector<FieldInfo>& fields, const Request& req, Params& params,
                   std::string where, const std::vector<Output>& keys,
                   const std::vector<Output>& outs, const std::vector<SortKey>& order,
                   const KeysetPlan& keyset) {
  Page page;
  page.group_sql = group_clause(keys, where, page.group_keys);
  page.from = " FROM " + req.relation + (where.empty() ? "" : " WHERE " + where);
  page.after_token = !keyset.condition.empty();

  const std::string prefix = column_prefix(fields);
  page.inner = "SELECT ";
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const std::string col = quote_ident(prefix + "c" + std::to_string(i));
    page.out_cols.push_back("p." + col);
    page.inner += (i == 0 ? "" : ", ") + outs[i].expr.sql + " AS " + col;
    page.json_cols += (i == 0 ? "" : ", ") + output_sql(outs[i].expr.type, "p." + col) + " AS " +
                      quote_ident(outs[i].name);
  }
  // A sort key that is also an output travels as that output's column.  A
  // second copy would be computed again for every row, and for a group key
  // PostgreSQL would carry the key's fields through the grouping to compute
  // it (the copy is not the grouped expression).
  std::string order_by;
  bool any_column = !outs.empty();
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::string col;
    for (std::size_t j = 0; j < outs.size() && col.empty(); ++j) {
      if (outs[j].expr.sql == order[i].sql) col = quote_ident(prefix + "c" + std::to_string(j));
    }
    if (col.empty()) {
      col = quote_ident(prefix + "k" + std::to_string(i));
      page.inner += (any_column ? ", " : "") + order[i].sql + " AS " + col;
      any_column = true;
    }
    if (std::find(page.key_cols.begin(), page.key_cols.end(), col) == page.key_cols.end())
      page.keys_out += ", p." + col;
    const std::string dir = sort_direction(fields, order[i].sql, order[i].descending);
    order_by += (i == 0 ? "" : ", ") + order[i].sql + dir;
    page.agg_order += (i == 0 ? " ORDER BY q." : ", q.") + col + dir;
    page.key_cols.push_back(col);
    page.key_dirs.push_back(dir);
  }
  if (!page.after_token) {
    page.inner += page.from + page.group_sql;
  } else {  // the count is of every matching record; the page starts after the token
    page.inner += " FROM " + req.relation + " WHERE " + (where.empty() ? "" : "(" + where + ") AND ") +
                  keyset.condition + page.group_sql;
  }
  if (!order.empty()) page.inner += " ORDER BY " + order_by;
  if (req.limit >= 0) {
    page.limit_param = params.add(ParamType::Int8, std::to_string(req.limit));
    page.inner += " LIMIT " + page.limit_param;
  }
  if (req.offset > 0) {
    page.offset_param = params.add(ParamType::Int8, std::to_string(req.offset));
    page.inner += " OFFSET " + page.offset_param;
  }
  if (!keyset.kinds.empty()) {
    for (const std::string& col : page.key_cols) {
      page.last_row += ", (array_agg(q." + col + page.agg_order + "))[count(*)]";
    }
  }
  return page;
}

// The page as one row: its JSON array, its number of rows, the last row's
// sort values when a token can continue it, then `extra` columns.
// r.* (not a bare r): a bare name would resolve to an output column
// labelled "r" before the sub-select's alias.
std::string page_statement(const Page& page, const std::string& extra) {
  return "SELECT coalesce(json_agg(q.j" + page.agg_order + "), '[]'::json), count(*)" +
         page.last_row + extra + " FROM (SELECT (SELECT row_to_json(r.*) FROM (SELECT " +
         page.json_cols + ") r) AS j" + page.keys_out + " FROM (" + page.inner + ") p) q";
}

// The number of records (or groups) the request matches.
std::string count_statement(const Page& page, bool grouped, bool aggregated) {
  if (grouped) return "SELECT count(*) FROM (SELECT 1" + page.from + page.group_sql + ") g";
  if (aggregated) return "SELECT 1::bigint";
  return "SELECT count(*)" + page.from;
}

// The count of groups as a sub-select of the page's statement: count_statement()
// with its groups in key order, so that PostgreSQL groups them by sorting,
// not hashing.  A hashed aggregate allocates its table, sized by the
// estimated number of groups, when the statement starts, even when the
// count does not run because the page tells its total (and an estimate of
// a computed key, as year(), is the number of rows): with 100,000 rows,
// more time than the whole page of groups.  Sorting allocates nothing
// before it runs.
std::string count_subselect(const Page& page, const std::string& count_sql) {
  if (page.group_keys.empty()) return count_sql;
  return "SELECT count(*) FROM (SELECT 1" + page.from + page.group_sql + " ORDER BY " +
         page.group_keys + ") g";
}

// The last column of page_count_sql: the total, or NULL when nobody knows it
// yet (see Compiled::page_count_sql).  The one place of the rule "a short
// page tells its total": a page shorter than asked for ends the result, so
// the total is start plus its rows, unless it is empty beyond the start (the
// total is then only known to be at most start) or it starts after a token
// (the rows before it are not on the page).  Otherwise the count runs when
// `count_flag` says so.
// Without `count_sql` (page_sql): the total the page tells, else NULL.
std::string total_column(const Page& page, const std::string& count_sql,
                         const std::string& count_flag) {
  const std::string counted =
      count_sql.empty() ? "" : "WHEN " + count_flag + " THEN (" + count_sql + ")";
  if (page.after_token || page.limit_param.empty())
    return counted.empty() ? ", NULL::int8" : ", CASE " + counted + " END";
  std::string tells = "count(*) < " + page.limit_param;
  std::string total = "count(*)";
  if (!page.offset_param.empty()) {
    tells += " AND count(*) > 0";
    total = page.offset_param + " + count(*)";
  }
  return ", CASE WHEN " + tells + " THEN " + total + (counted.empty() ? "" : " " + counted) + " END";
}

// The page as rows, one SQL column per output, for the streaming exports.
std::string rows_statement(const Page& page, const std::vector<Output>& outs) {
  std::string cols;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const Type t = outs[i].expr.type;
    const std::string& col = page.out_cols[i];
    cols += (i == 0 ? "" : ", ") + (t == Type::DateTime ? output_sql(t, col) : col) + " AS " +
            quote_ident(outs[i].name);
  }
  std::string sql = "SELECT " + cols + " FROM (" + page.inner + ") p";
  for (std::size_t i = 0; i < page.key_cols.size(); ++i)
    sql += (i == 0 ? " ORDER BY p." : ", p.") + page.key_cols[i] + page.key_dirs[i];
  return sql;
}

}  // namespace

Compiled compile_records(const std::vector<FieldInfo>& fields, const Request& req) {
  // Parameters are numbered in the order the clauses are compiled: time
  // zone, filter, group_by, select, order_by, token, limit, offset.
  Params params;
  start_request(req, params);
  const Schema schema(fields);
  const std::string filter = build_filter(schema, params, req);

  const Source ssel{"fields", req.select};  // the API names the select clause "fields"
  const Source sgrp{"group_by", req.group_by};
  const Source sord{"order_by", req.order_by};
  const std::vector<SelectItem> select = parse_select(ssel);
  const std::vector<GroupItem> groups = parse_group_by(sgrp);
  const std::vector<OrderItem> orders = parse_order_by(sord);

  const GroupKeys keys = compile_group_by(schema, params, sgrp, groups);
  const bool grouped = !keys.keys.empty();
  const Selected selected = compile_select(schema, params, ssel, select, keys);
  check_output_names(selected.outs, ssel);
  std::vector<SortKey> order =
      compile_order_by(schema, params, sord, orders, select, keys, selected);
  // Keyset paging (keyset.cpp): the dataset's key completes the order, and
  // a token from an earlier page starts this one after its last row.
  const KeysetPlan keyset = plan_keyset(req, order, selected.aggregated, params);
  order.insert(order.end(), keyset.added.begin(), keyset.added.end());
  const Page page =
      describe_page(fields, req, params, filter, keys.keys, selected.outs, order, keyset);

  Compiled out;
  out.page_scan_counts = !page.after_token;
  out.counts_every_record = !grouped && !selected.aggregated && filter.empty();
  out.keyset = keyset.kinds;
  out.keyset_fingerprint = keyset.fingerprint;
  out.results_sql = page_statement(page, "");
  out.count_sql = count_statement(page, grouped, selected.aggregated);
  const std::string count_flag =
      "$" + std::to_string(params.size() + 1) + "::" + param_type_name(ParamType::Bool);
  out.page_count_sql =
      page_statement(page, total_column(page, count_subselect(page, out.count_sql), count_flag));
  out.page_sql = page_statement(page, total_column(page, "", count_flag));
  out.rows_sql = rows_statement(page, selected.outs);
  for (const Output& o : selected.outs)
    out.columns.push_back(OutputColumn{o.name, field_type_of(o.expr.type)});

  out.params = params.take();
  out.rows_sql = reference_all_params(out.rows_sql, out.params);
  out.results_sql = reference_all_params(out.results_sql, out.params);
  out.count_sql = reference_all_params(out.count_sql, out.params);
  std::vector<Param> page_count_params = out.params;
  page_count_params.push_back(Param{ParamType::Bool, "false", {}});
  out.page_count_sql = reference_all_params(out.page_count_sql, page_count_params);
  out.page_sql = reference_all_params(out.page_sql, page_count_params);
  return out;
}

}  // namespace opendata::odsql
