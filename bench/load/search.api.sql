-- weight: 10
-- compare: {total_count, results: [.results[] | {dataset_id, title}]}
\set t random(1, 4)
SELECT opendata_api.search(q => (ARRAY['arbres', 'parkings', 'piscines', 'gares'])[:t::int], facet => '{}',
                           order_by => 'title', rows => 5);
