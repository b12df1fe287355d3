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

}  // namespace

Compiled compile_records(const std::vector<FieldInfo>& fields, const Request& req) {
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

  // group_by keys.
  std::vector<Output> keys;
  std::vector<Alias> group_aliases;
  std::vector<std::string> key_sqls;
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
    if (!g.alias.empty()) group_aliases.push_back(Alias{g.alias, e});
    key_sqls.push_back(e.sql);
    keys.push_back(std::move(o));
  }
  const bool grouped = !keys.empty();

  // select.
  Translator st(schema, params, ssel, Clause::Select);
  st.allow_aggregates(true);
  if (grouped) st.set_aliases(&group_aliases);
  std::vector<Output> outs;
  std::vector<const SelectItem*> excludes;
  bool has_base = false;
  for (const SelectItem& item : select) {
    if (item.kind == SelectItem::AllFields || item.kind == SelectItem::Include) has_base = true;
  }
  bool any_expr = false;
  for (const SelectItem& item : select) {
    if (item.kind == SelectItem::Expr) any_expr = true;
  }
  if (grouped && select.empty()) outs = keys;
  // Only exclude() items: they apply to all fields.
  if (!grouped && !select.empty() && !has_base && !any_expr) {
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
      case SelectItem::Expr: {
        Output o;
        o.expr = st.value(*item.expr);
        o.src = &ssel;
        o.pos = item.alias.empty() ? item.begin : item.alias_pos;
        if (!item.alias.empty()) {
          o.name = item.alias;
        } else if (item.expr->kind == NodeKind::Field) {
          const FieldInfo* f = schema.find(ssel, item.begin, item.expr->text);
          o.name = f != nullptr && o.expr.sql == quote_ident(f->name) ? f->name : item.expr->text;
          o.plain_field = f != nullptr && o.expr.sql == quote_ident(f->name);
        } else {
          o.name = expr_text(ssel, item.begin, item.end);
        }
        outs.push_back(std::move(o));
        break;
      }
    }
  }
  for (const SelectItem* ex : excludes) {
    std::vector<Output> kept;
    for (Output& o : outs) {
      bool drop = false;
      for (const std::string& p : ex->patterns)
        drop = drop || (o.plain_field && matches(p, o.name));
      if (!drop) kept.push_back(std::move(o));
    }
    outs = std::move(kept);
  }
  if (select.empty() && !grouped) {
    for (const FieldInfo& f : fields) outs.push_back(field_output(f));
  }

  bool aggregated = grouped;
  for (const Output& o : outs) aggregated = aggregated || o.expr.aggregate;
  if (aggregated) {
    for (const SelectItem& item : select) {
      if (item.kind == SelectItem::Expr) {
        st.check_grouping(*item.expr, key_sqls);
      } else if (item.kind != SelectItem::Exclude) {
        // "*, count(*)": the fields are neither grouped nor aggregated.
        source_error(sqlstate::kGroupingError, ssel, item.begin,
                     "all fields cannot be selected together with aggregate functions",
                     "Select the fields to group by with group_by, e.g. group_by=city.");
      }
    }
  }

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

  // order_by.
  std::vector<Alias> order_aliases = group_aliases;
  for (const SelectItem& item : select) {
    if (item.kind != SelectItem::Expr || item.alias.empty()) continue;
    for (const Output& o : outs) {
      if (o.name == item.alias) order_aliases.push_back(Alias{item.alias, o.expr});
    }
  }
  Translator ot(schema, params, sord, Clause::OrderBy);
  ot.allow_aggregates(aggregated);
  ot.set_aliases(&order_aliases);
  struct OrderKey {
    std::string sql;
    bool descending;
  };
  std::vector<OrderKey> order;
  for (const OrderItem& item : orders) {
    const Expr e = ot.value(*item.expr);
    if (e.type == Type::Geo && e.sort_sql.empty()) {  // geo_cluster() sorts by its cell
      source_error(sqlstate::kDatatypeMismatch, sord, item.begin, "cannot order by a geo value",
                   "Order by distance(field, geom'POINT(lon lat)') instead.");
    }
    if (aggregated) ot.check_grouping(*item.expr, key_sqls);
    order.push_back(OrderKey{e.sort_sql.empty() ? e.sql : e.sort_sql, item.descending});
  }
  if (orders.empty() && grouped) {
    // Groups come in key order, which makes pages stable.
    for (const Output& k : keys) {
      order.push_back(OrderKey{k.expr.sort_sql.empty() ? k.expr.sql : k.expr.sort_sql, false});
    }
  }

  // Keyset paging (keyset.cpp): the dataset's key completes the order, and
  // a token from an earlier page starts this one after its last row.
  std::vector<SortKey> sort_keys;
  for (const OrderKey& k : order) sort_keys.push_back(SortKey{k.sql, k.descending});
  const KeysetPlan keyset = plan_keyset(req, sort_keys, aggregated, params);
  for (const SortKey& k : keyset.added) order.push_back(OrderKey{k.sql, k.descending});

  std::string group_sql;
  std::string where = filter;
  if (grouped) {
    std::string by, having;
    for (const Output& k : keys) {
      // A key whose value is computed per group (geo_cluster()) groups by
      // its sort key alone.
      const std::string& key = k.expr.aggregate ? k.expr.sort_sql : k.expr.sql;
      by += (by.empty() ? "" : ", ") + key;
      if (!k.expr.aggregate && !k.expr.sort_sql.empty()) by += ", " + k.expr.sort_sql;
      // Records without a value for a key form no group.
      if (k.row_not_null.empty()) {
        having += (having.empty() ? "" : " AND ") + ("(" + key + ") IS NOT NULL");
      } else if (k.row_not_null != "true") {
        where += (where.empty() ? "" : " AND ") + k.row_not_null;
      }
    }
    group_sql = " GROUP BY " + by + (having.empty() ? "" : " HAVING " + having);
  }
  const std::string where_sql = where.empty() ? "" : " WHERE " + where;
  const std::string from = " FROM " + req.relation + where_sql;

  const std::string prefix = column_prefix(fields);
  std::string inner = "SELECT ";
  std::string json_cols;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const std::string col = quote_ident(prefix + "c" + std::to_string(i));
    inner += (i == 0 ? "" : ", ") + outs[i].expr.sql + " AS " + col;
    json_cols += (i == 0 ? "" : ", ") + output_sql(outs[i].expr.type, "p." + col) + " AS " +
                 quote_ident(outs[i].name);
  }
  // A sort key that is also an output travels as that output's column.  A
  // second copy would be computed again for every row, and for a group key
  // PostgreSQL would carry the key's fields through the grouping to compute
  // it (the copy is not the grouped expression).
  std::string order_by, keys_out, agg_order;
  std::vector<std::string> key_cols;
  bool any_column = !outs.empty();
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::string col;
    for (std::size_t j = 0; j < outs.size() && col.empty(); ++j) {
      if (outs[j].expr.sql == order[i].sql) col = quote_ident(prefix + "c" + std::to_string(j));
    }
    if (col.empty()) {
      col = quote_ident(prefix + "k" + std::to_string(i));
      inner += (any_column ? ", " : "") + order[i].sql + " AS " + col;
      any_column = true;
    }
    if (std::find(key_cols.begin(), key_cols.end(), col) == key_cols.end())
      keys_out += ", p." + col;
    const std::string dir = sort_direction(fields, order[i].sql, order[i].descending);
    order_by += (i == 0 ? "" : ", ") + order[i].sql + dir;
    agg_order += (i == 0 ? " ORDER BY q." : ", q.") + col + dir;
    key_cols.push_back(col);
  }
  if (keyset.condition.empty()) {
    inner += from + group_sql;
  } else {  // the count is of every matching record; the page starts after the token
    inner += " FROM " + req.relation + " WHERE " + (where.empty() ? "" : "(" + where + ") AND ") +
             keyset.condition + group_sql;
  }
  if (!order.empty()) inner += " ORDER BY " + order_by;
  std::string limit_param;
  if (req.limit >= 0) {
    limit_param = params.add(ParamType::Int8, std::to_string(req.limit));
    inner += " LIMIT " + limit_param;
  }
  if (req.offset > 0) inner += " OFFSET " + params.add(ParamType::Int8, std::to_string(req.offset));

  // For the next token: the last row's sort values.
  std::string last_row;
  if (!keyset.kinds.empty()) {
    for (const std::string& col : key_cols) {
      last_row += ", (array_agg(q." + col + agg_order + "))[count(*)]";
    }
  }

  Compiled out;
  out.page_scan_counts = keyset.condition.empty();
  out.counts_every_record = !grouped && !aggregated && where.empty();
  out.keyset = keyset.kinds;
  out.keyset_fingerprint = keyset.fingerprint;
  // r.* (not a bare r): a bare name would resolve to an output column
  // labelled "r" before the sub-select's alias.
  // The page's row count comes along: a short page tells its total, and a
  // full one ends with the sort values of its last row for the next token
  // (see Compiled::results_sql).
  out.results_sql = "SELECT coalesce(json_agg(q.j" + agg_order + "), '[]'::json), count(*)" +
                    last_row + " FROM (SELECT (SELECT row_to_json(r.*) FROM (SELECT " + json_cols +
                    ") r) AS j" + keys_out + " FROM (" + inner + ") p) q";
  if (grouped) {
    out.count_sql = "SELECT count(*) FROM (SELECT 1" + from + group_sql + ") g";
  } else if (aggregated) {
    out.count_sql = "SELECT 1::bigint";
  } else {
    out.count_sql = "SELECT count(*)" + from;
  }
  // The page and its count in one statement (see Compiled::page_count_sql).
  // The count's sub-select runs only if the last parameter says so and the
  // page does not tell its total: a page shorter than the limit ends the
  // result, unless it starts after a token or is empty beyond `start`
  // (the rule of records(), pg/records.cpp).
  std::string page_tells = "false";
  if (keyset.condition.empty() && !limit_param.empty()) {
    page_tells = "count(*) < " + limit_param;
    if (req.offset > 0) page_tells += " AND count(*) > 0";
  }
  const std::string count_flag =
      "$" + std::to_string(params.size() + 1) + "::" + param_type_name(ParamType::Bool);
  out.page_count_sql = "SELECT coalesce(json_agg(q.j" + agg_order + "), '[]'::json), count(*)" +
                       last_row + ", CASE WHEN " + count_flag + " AND NOT (" + page_tells +
                       ") THEN (" + out.count_sql + ") END FROM (SELECT (SELECT row_to_json(r.*) FROM (SELECT " +
                       json_cols + ") r) AS j" + keys_out + " FROM (" + inner + ") p) q";
  std::string row_cols;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const std::string col = "p." + quote_ident(prefix + "c" + std::to_string(i));
    const Type t = outs[i].expr.type;
    row_cols += (i == 0 ? "" : ", ") + (t == Type::DateTime ? output_sql(t, col) : col) + " AS " +
                quote_ident(outs[i].name);
    out.columns.push_back(OutputColumn{outs[i].name, field_type_of(t)});
  }
  out.rows_sql = "SELECT " + row_cols + " FROM (" + inner + ") p";
  if (!order.empty()) {
    out.rows_sql += " ORDER BY ";
    for (std::size_t i = 0; i < order.size(); ++i) {
      out.rows_sql += (i == 0 ? "p." : ", p.") + key_cols[i] +
                      sort_direction(fields, order[i].sql, order[i].descending);
    }
  }
  out.params = params.take();
  out.rows_sql = reference_all_params(out.rows_sql, out.params);
  out.results_sql = reference_all_params(out.results_sql, out.params);
  out.count_sql = reference_all_params(out.count_sql, out.params);
  std::vector<Param> page_count_params = out.params;
  page_count_params.push_back(Param{ParamType::Bool, "false"});
  out.page_count_sql = reference_all_params(out.page_count_sql, page_count_params);
  return out;
}

}  // namespace opendata::odsql
