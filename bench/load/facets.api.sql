-- weight: 15
-- compare: [.facets[] | .name as $f | .facets[] | {facet: $f, value, count}] | sort
\set v random(0, 990)
SELECT opendata_api.facets('load', "where" => format('value > %s', :v::int));
