-- Reuses and attachments.

CREATE FUNCTION opendata.add_reuse(title text, url text, type text, datasets text[] DEFAULT '{}',
                                   author text DEFAULT NULL, description text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  who name := opendata._require_role('opendata_publisher', 'declare reuses');
  new_id bigint;
  unknown text[];
BEGIN
  IF title IS NULL OR btrim(title) = '' THEN
    RAISE EXCEPTION 'a reuse needs a title' USING ERRCODE = '22023';
  END IF;
  PERFORM opendata._url('url', to_jsonb(url));
  IF url IS NULL THEN
    RAISE EXCEPTION 'a reuse needs a url' USING ERRCODE = '22023';
  END IF;
  IF type IS NULL OR type NOT IN ('application', 'visualisation', 'article', 'api') THEN
    RAISE EXCEPTION 'invalid reuse type "%"', type
      USING ERRCODE = '22023', HINT = 'Use application, visualisation, article or api.';
  END IF;
  SELECT array_agg(s) INTO unknown FROM unnest(coalesce(datasets, '{}')) s
   WHERE NOT EXISTS (SELECT FROM opendata.datasets d WHERE d.slug = s);
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'dataset "%" does not exist', unknown[1] USING ERRCODE = '42P01';
  END IF;
  INSERT INTO opendata.reuses (title, url, type, author, description)
  VALUES (btrim(title), url, type, author, description) RETURNING reuses.id INTO new_id;
  INSERT INTO opendata.reuse_datasets (reuse_id, dataset_id)
  SELECT DISTINCT new_id, d.id FROM opendata.datasets d WHERE d.slug = ANY (datasets);
  RETURN new_id;
END
$$;
COMMENT ON FUNCTION opendata.add_reuse(text, text, text, text[], text, text) IS
  'declare a reuse (application, visualisation, article or api) of one or more datasets';

CREATE FUNCTION opendata.add_attachment(slug text, title text, url text,
                                        media_type text DEFAULT NULL, description text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ds opendata.datasets := opendata._dataset_for_update(slug);
  new_id bigint;
BEGIN
  IF title IS NULL OR btrim(title) = '' THEN
    RAISE EXCEPTION 'an attachment needs a title' USING ERRCODE = '22023';
  END IF;
  IF url IS NULL THEN
    RAISE EXCEPTION 'an attachment needs a url' USING ERRCODE = '22023';
  END IF;
  PERFORM opendata._url('url', to_jsonb(url));
  IF media_type IS NOT NULL AND media_type !~ '^[a-z]+/[A-Za-z0-9.+_-]+$' THEN
    RAISE EXCEPTION 'invalid media type "%"', media_type USING ERRCODE = '22023';
  END IF;
  INSERT INTO opendata.attachments (dataset_id, title, url, media_type, description)
  VALUES (ds.id, btrim(title), url, media_type, description) RETURNING attachments.id INTO new_id;
  UPDATE opendata.datasets SET modified = now() WHERE datasets.id = ds.id;
  RETURN new_id;
END
$$;
