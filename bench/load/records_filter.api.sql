-- weight: 30
-- compare: {total_count, results}
\set c random(0, 19)
\set v random(0, 990)
SELECT opendata_api.records('load', fields => 'id, category, value',
         "where" => format('category = "c%s" and value > %s', :c::int, :v::int),
         order_by => 'value desc, id', rows => 10);
