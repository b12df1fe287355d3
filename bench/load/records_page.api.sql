-- weight: 15
-- compare: {total_count, results}
\set k random(1, 8)
\set p random(0, 50)
SELECT opendata_api.records('load', fields => 'id, city, value',
         "where" => format('city = "%s"', (ARRAY['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux', 'Lille', 'Rennes'])[:k::int]),
         order_by => 'id', rows => 20, start => :p::int * 20);
