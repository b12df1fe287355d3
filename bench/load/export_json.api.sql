-- weight: 10
-- compare: .
\set c random(0, 19)
SELECT opendata_api.export_json('load', fields => 'id, category, value',
         "where" => format('category = "c%s"', :c::int), order_by => 'id', rows => 50);
