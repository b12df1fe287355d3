-- weight: 20
-- compare: {total_count, results: [.results[] | {id, category, city, value, label: .label, d: (.distance_m * 1000 | round), at: (.geom.coordinates | map(. * 10000000 | round))}]}
\set x random(0, 2000)
\set y random(0, 1000)
SELECT opendata_api.near('load', 2.2 + :x::int / 10000.0, 48.8 + :y::int / 10000.0, distance_m => 300, rows => 10);
