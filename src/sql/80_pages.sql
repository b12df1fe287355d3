-- The portal for people: HTML pages answered by the database (docs/portal.md).
--
-- Functions of opendata_api returning the domain "text/html", which
-- PostgREST serves as text/html to a browser (media type handler); nginx maps
-- pretty URLs onto them (deploy/nginx/locations/portal.conf).  They are
-- SECURITY INVOKER and STABLE: they read the API views and the catalog with
-- the caller's rights, so a page shows exactly what the API shows to the same
-- role, and they write nothing (a GET runs READ ONLY, also on a standby).
--
-- The helpers are PL/pgSQL, not SQL functions: every function of the
-- extension has its search_path set (99_finalize.sql), so no SQL function
-- would be inlined, and a SQL function's body is parsed and planned again
-- at every call site in every query (0.5 ms for the words' table), while
-- PL/pgSQL keeps its plans for the session.  A page makes hundreds of such
-- calls.
--
-- The pages run with JIT off (SET jit = off on each page function): they
-- are compositions of small catalog queries whose estimated cost exceeds
-- jit_above_cost (the catalog's views join tables too small to have been
-- analyzed), and JIT compiles them again at every call, 50 to 250 ms per
-- page for queries that run in a millisecond (bench/portal.sh).
--
-- Escaping: every value that does not come from this file goes through one
-- function, opendata._h(), before it is put into the page, in text and in
-- attributes alike; URLs of links first go through opendata._page_safe_url(),
-- which keeps http(s), mailto and same-site paths only.  Query strings are
-- built by opendata._page_href(), which percent-encodes every name and
-- value.  The fragments this file writes itself are the only unescaped text.

-- Upgrades run this again (scripts/replaceable.awk): it stays idempotent.
DO $domains$
BEGIN
  IF to_regtype('opendata_api."text/html"') IS NULL THEN
    CREATE DOMAIN opendata_api."text/html" AS text;
  END IF;
  IF to_regtype('opendata_api."text/css"') IS NULL THEN
    CREATE DOMAIN opendata_api."text/css" AS text;
  END IF;
END
$domains$;
COMMENT ON DOMAIN opendata_api."text/html" IS 'media type text/html: an HTML page';
COMMENT ON DOMAIN opendata_api."text/css" IS 'media type text/css: a style sheet';

-- HTML-escapes a value for text or a quoted attribute.  Control characters
-- and the bidirectional embedding, override and isolate marks are dropped,
-- so a title cannot reorder the text around it.  NULL gives ''.
CREATE FUNCTION opendata._h(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN coalesce(
    replace(replace(replace(replace(replace(
      regexp_replace(value, '[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]', '', 'g'),
      '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
    '');
END
$$;

-- A URL a link may point to, or NULL: absolute http(s) and mailto URLs
-- without blanks or control characters, and paths of this site ("/x", not
-- "//host").  javascript:, data:, vbscript: and the rest give NULL.
CREATE FUNCTION opendata._page_safe_url(url text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE
           WHEN url ~ '[\u0000-\u0020\u007F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]' THEN NULL
           WHEN url ~* '^(https?://[^/?#\\]|mailto:[^/])' THEN url
           WHEN url ~ '^/([^/\\]|$)' THEN url
         END;
END
$$;

-- Percent-encoding of a query string name or value (RFC 3986 unreserved
-- characters are kept; a value made of them only is returned as it is).
CREATE FUNCTION opendata._page_enc(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  out text := '';
  c text;
  b int;
BEGIN
  IF value IS NULL THEN
    RETURN '';
  ELSIF value ~ '^[A-Za-z0-9._~-]*$' THEN
    RETURN value;
  END IF;
  FOREACH c IN ARRAY regexp_split_to_array(value, '') LOOP
    b := ascii(c);
    IF b BETWEEN 48 AND 57 OR b BETWEEN 65 AND 90 OR b BETWEEN 97 AND 122 OR b IN (45, 46, 95, 126) THEN
      out := out || c;
    ELSE  -- each byte of its UTF-8 form
      out := out || upper(regexp_replace(encode(convert_to(c, 'UTF8'), 'hex'), '(..)', '%\1', 'g'));
    END IF;
  END LOOP;
  RETURN out;
END
$$;

-- path?name=value&... from pairs of names and values; pairs whose value is
-- NULL are left out.  The result is a URL, to be escaped with _h() in HTML.
CREATE FUNCTION opendata._page_href(path text, VARIADIC pairs text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  query text;
BEGIN
  FOR i IN 1 .. coalesce(array_length(pairs, 1), 0) BY 2 LOOP
    IF pairs[i + 1] IS NOT NULL THEN
      query := coalesce(query || '&', '') || opendata._page_enc(pairs[i]) || '=' || opendata._page_enc(pairs[i + 1]);
    END IF;
  END LOOP;
  RETURN path || coalesce('?' || query, '');
END
$$;

-- The lang argument of links: only English is carried, French is the default.
CREATE FUNCTION opendata._page_lang_arg(lang text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE WHEN lang = 'en' THEN 'en' END;
END
$$;

CREATE FUNCTION opendata._page_check_lang(lang text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF lang IS NULL OR lang NOT IN ('fr', 'en') THEN
    RAISE EXCEPTION 'unsupported lang "%"', lang
      USING ERRCODE = '22023', HINT = 'The pages speak fr (the default) and en.';
  END IF;
  RETURN lang;
END
$$;

-- The interface's words: key -> [French, English].  A jsonb constant in a
-- PL/pgSQL expression is parsed once per session; a lookup is a binary
-- search of its keys.
CREATE FUNCTION opendata._page_t(lang text, key text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN '{
    "skip": ["Aller au contenu", "Skip to content"],
    "menu": ["Menu principal", "Main menu"],
    "home": ["Accueil", "Home"],
    "datasets_nav": ["Jeux de données", "Datasets"],
    "reuses_nav": ["Réutilisations", "Reuses"],
    "other_lang": ["English", "Français"],
    "other_lang_code": ["en", "fr"],
    "search": ["Rechercher", "Search"],
    "search_label": ["Rechercher des données", "Search the data"],
    "search_site": ["Recherche sur le site", "Site search"],
    "search_placeholder": ["ex. arbres, budget, vélo", "e.g. trees, budget, bike"],
    "themes": ["Thèmes", "Themes"],
    "organizations": ["Producteurs", "Publishers"],
    "latest": ["Dernières mises à jour", "Latest updates"],
    "all_datasets": ["Tous les jeux de données", "All datasets"],
    "dataset_1": ["jeu de données", "dataset"],
    "dataset_n": ["jeux de données", "datasets"],
    "record_1": ["enregistrement", "record"],
    "record_n": ["enregistrements", "records"],
    "results": ["Résultats", "Results"],
    "no_results": ["Aucun jeu de données ne correspond.", "No dataset matches."],
    "filters": ["Filtres", "Filters"],
    "active_filters": ["Filtres actifs", "Active filters"],
    "remove": ["Retirer", "Remove"],
    "exclude": ["Exclure", "Exclude"],
    "excluded": ["exclu", "excluded"],
    "page": ["Page", "Page"],
    "of": ["sur", "of"],
    "pagination": ["Pagination", "Pagination"],
    "previous": ["Page précédente", "Previous page"],
    "next": ["Page suivante", "Next page"],
    "first_page": ["Première page", "First page"],
    "facet_theme": ["Thème", "Theme"],
    "facet_keyword": ["Mot-clé", "Keyword"],
    "facet_publisher": ["Producteur", "Publisher"],
    "facet_license": ["Licence", "Licence"],
    "facet_territory": ["Territoire", "Territory"],
    "facet_modified": ["Année de mise à jour", "Year updated"],
    "publisher": ["Producteur", "Publisher"],
    "license": ["Licence", "Licence"],
    "keywords": ["Mots-clés", "Keywords"],
    "issued": ["Publié le", "Published"],
    "modified": ["Mis à jour le", "Updated"],
    "frequency": ["Fréquence de mise à jour", "Update frequency"],
    "territory": ["Territoire", "Territory"],
    "period": ["Période couverte", "Period covered"],
    "contact": ["Contact", "Contact"],
    "landing_page": ["Page de référence", "Landing page"],
    "attributions": ["Attribution", "Attribution"],
    "version": ["Version", "Version"],
    "records_count": ["Nombre d''enregistrements", "Number of records"],
    "about": ["Informations", "About this dataset"],
    "fields": ["Dictionnaire des champs", "Field dictionary"],
    "field_name": ["Nom", "Name"],
    "field_label": ["Libellé", "Label"],
    "field_type": ["Type", "Type"],
    "field_unit": ["Unité", "Unit"],
    "field_description": ["Description", "Description"],
    "preview": ["Aperçu des données", "Data preview"],
    "filter_where": ["Filtre (ODSQL)", "Filter (ODSQL)"],
    "filter_help": ["ex. hauteur > 20 AND commune = \"Paris\"", "e.g. height > 20 AND city = \"Paris\""],
    "apply": ["Filtrer", "Filter"],
    "records_shown": ["enregistrements affichés sur", "records shown of"],
    "about": ["environ", "about"],
    "no_records": ["Aucun enregistrement ne correspond.", "No record matches."],
    "bad_filter": ["Filtre invalide", "Invalid filter"],
    "map": ["Carte", "Map"],
    "map_all": ["Tous les objets géographiques sont dessinés", "Every geographic feature is drawn"],
    "map_clustered": ["Objets regroupés par cellule de grille ; la taille des cercles suit le nombre d''objets", "Features grouped by grid cell; circle size follows the number of features"],
    "map_sampled": ["Carte limitée aux %s premiers objets lus sur %s.", "Map limited to the first %s features read out of %s."],
    "map_sample": ["Échantillon de %s objets sur environ %s, lus dans des blocs de la table tirés au hasard.", "A sample of %s features out of about %s, read from table blocks drawn at random."],
    "map_empty": ["Aucune géométrie à dessiner.", "No geometry to draw."],
    "map_title": ["Carte des objets du jeu de données", "Map of the dataset''s features"],
    "map_interactive": ["Carte interactive des objets du jeu de données", "Interactive map of the dataset''s features"],
    "feature_1": ["objet", "feature"],
    "features": ["objets", "features"],
    "cells": ["cellules", "cells"],
    "downloads": ["Téléchargements", "Downloads"],
    "api": ["API", "API"],
    "api_intro": ["Exemples d''appels à l''API :", "API call examples:"],
    "api_records": ["Enregistrements (ODSQL)", "Records (ODSQL)"],
    "api_view": ["Vue PostgREST", "PostgREST view"],
    "api_facets": ["Facettes", "Facets"],
    "api_dcat": ["Catalogue DCAT-AP", "DCAT-AP catalog"],
    "reuses": ["Réutilisations", "Reuses"],
    "no_reuses": ["Aucune réutilisation déclarée.", "No reuse declared."],
    "history": ["Historique", "History"],
    "usage": ["Utilisation", "Usage"],
    "usage_calls_1": ["appel à l’API", "API call"],
    "usage_calls_n": ["appels à l’API", "API calls"],
    "usage_downloads_1": ["téléchargement", "download"],
    "usage_downloads_n": ["téléchargements", "downloads"],
    "usage_period": ["ces 30 derniers jours", "in the last 30 days"],
    "usage_off": ["(comptage désactivé sur ce serveur)", "(counting is off on this server)"],
    "h_version": ["Version", "Version"],
    "h_action": ["Action", "Action"],
    "h_date": ["Date", "Date"],
    "h_rows": ["Enregistrements", "Records"],
    "h_changes": ["Ajoutés / supprimés / modifiés", "Added / removed / changed"],
    "action_publish": ["publication", "publication"],
    "action_unpublish": ["dépublication", "unpublication"],
    "action_import": ["import", "import"],
    "lineage": ["Lignage", "Lineage"],
    "derived_from": ["Dérivé de", "Derived from"],
    "derived_into": ["Jeux dérivés de celui-ci", "Datasets derived from this one"],
    "datasets_of": ["Jeux de données publiés", "Published datasets"],
    "website": ["Site web", "Website"],
    "by": ["par", "by"],
    "reuse_datasets": ["Données utilisées", "Data used"],
    "type_application": ["Application", "Application"],
    "type_visualisation": ["Visualisation", "Visualisation"],
    "type_article": ["Article", "Article"],
    "type_api": ["API", "API"],
    "not_found": ["Page introuvable", "Page not found"],
    "not_found_text": ["Cette page n''existe pas ou n''est pas publique.", "This page does not exist or is not public."],
    "back_home": ["Retour à l''accueil", "Back to the home page"],
    "powered": ["Portail servi par PostgreSQL (opendata).", "Portal served by PostgreSQL (opendata)."],
    "geometry": ["géométrie", "geometry"],
    "yes": ["oui", "yes"],
    "no": ["non", "no"]
  }'::jsonb -> key ->> CASE WHEN lang = 'en' THEN 1 ELSE 0 END;
END
$$;

-- A count in the page's language: 12 345 (narrow no-break spaces) or 12,345.
CREATE FUNCTION opendata._page_num(n bigint, lang text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN replace(to_char(n, 'FM999,999,999,999,999'), ',', CASE WHEN lang = 'en' THEN ',' ELSE U&'\202F' END);
END
$$;

CREATE FUNCTION opendata._page_count(n bigint, lang text, one text, many text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN opendata._page_num(n, lang) || ' ' || opendata._page_t(lang, CASE WHEN n <= 1 THEN one ELSE many END);
END
$$;

-- <time> of a timestamp, as its UTC date.
CREATE FUNCTION opendata._page_date(ts timestamptz) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE WHEN ts IS NOT NULL THEN
    format('<time datetime="%s">%s</time>', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD')) END;
END
$$;

-- A link, or the label alone when the URL is not one a page may link to.
CREATE FUNCTION opendata._page_link(url text, label text, rel text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE WHEN opendata._page_safe_url(url) IS NULL THEN opendata._h(label)
              ELSE format('<a href="%s"%s>%s</a>', opendata._h(opendata._page_safe_url(url)),
                          CASE WHEN rel IS NOT NULL THEN format(' rel="%s"', opendata._h(rel)) ELSE '' END,
                          opendata._h(label)) END;
END
$$;

-- Text in paragraphs: blank lines separate them, line breaks are kept.
CREATE FUNCTION opendata._page_paragraphs(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  SELECT coalesce(string_agg('<p>' || replace(opendata._h(btrim(p, E' \t\r\n')), E'\n', '<br>') || '</p>', '' ORDER BY i), '')
    FROM regexp_split_to_table(replace(coalesce(value, ''), E'\r\n', E'\n'), E'\n[ \t]*\n') WITH ORDINALITY AS s(p, i)
   WHERE btrim(p, E' \t\r\n') <> '');
END
$$;

-- The first sentence-ish of a description, for lists.
CREATE FUNCTION opendata._page_excerpt(value text, max_chars int DEFAULT 240) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  SELECT CASE WHEN length(v) <= max_chars THEN v ELSE rtrim(left(v, max_chars)) || '…' END
    FROM (SELECT regexp_replace(btrim(coalesce(value, '')), '\s+', ' ', 'g') AS v) s);
END
$$;

-- The security headers of every page, and its Content-Type with charset.
CREATE FUNCTION opendata._page_headers(status int DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM set_config('response.headers', json_build_array(
    json_build_object('Content-Type', 'text/html; charset=utf-8'),
    json_build_object('Content-Security-Policy',
      'default-src ''self''; script-src ''self''; style-src ''self''; img-src ''self'' data:; '
      'object-src ''none''; base-uri ''none''; form-action ''self''; frame-ancestors ''none'''),
    json_build_object('X-Content-Type-Options', 'nosniff'),
    json_build_object('Referrer-Policy', 'strict-origin-when-cross-origin'),
    json_build_object('X-Frame-Options', 'DENY'))::text, true);
  IF status IS NOT NULL THEN
    PERFORM set_config('response.status', status::text, true);
  END IF;
END
$$;

-- The whole document around a page's <main>.  self_path and self_pairs
-- give the page's own URL without lang (for the language switch);
-- head_extra holds <link>/<script type="application/ld+json"> built by the
-- caller from escaped parts; site_search puts a search form in the header.
CREATE FUNCTION opendata._page_document(lang text, title text, body text, self_path text,
                                        self_pairs text[] DEFAULT '{}', head_extra text DEFAULT '',
                                        site_search boolean DEFAULT true, status int DEFAULT NULL)
RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  cat record;
  l text := opendata._page_lang_arg(lang);
  other text := opendata._page_t(lang, 'other_lang_code');
BEGIN
  PERFORM opendata._page_headers(status);
  SELECT c.title, c.base_url INTO cat FROM opendata.catalog c;
  RETURN
    '<!DOCTYPE html>' || E'\n'
    || format('<html lang="%s" dir="ltr">', lang) || E'\n'
    || '<head>' || E'\n'
    || '<meta charset="utf-8">' || E'\n'
    || '<meta name="viewport" content="width=device-width, initial-scale=1">' || E'\n'
    || format('<title>%s</title>', opendata._h(CASE WHEN title IS NULL OR title = cat.title THEN cat.title
                                                     ELSE title || ' – ' || cat.title END)) || E'\n'
    || '<link rel="stylesheet" href="/assets/portal.css">' || E'\n'
    || format('<link rel="alternate" hreflang="%s" href="%s">', other,
              opendata._h(opendata._page_href(self_path, VARIADIC self_pairs || ARRAY['lang', CASE WHEN other = 'en' THEN 'en' END])))
    || E'\n' || coalesce(head_extra, '')
    || '</head>' || E'\n'
    || '<body>' || E'\n'
    || '<header class="site">' || E'\n'
    || format('<a class="skip" href="#main">%s</a>', opendata._page_t(lang, 'skip')) || E'\n'
    || format('<a class="brand" href="%s">%s</a>', opendata._h(opendata._page_href('/', 'lang', l)), opendata._h(cat.title)) || E'\n'
    || format('<nav aria-label="%s"><ul>', opendata._page_t(lang, 'menu'))
    || format('<li><a href="%s">%s</a></li>', opendata._h(opendata._page_href('/', 'lang', l)), opendata._page_t(lang, 'home'))
    || format('<li><a href="%s">%s</a></li>', opendata._h(opendata._page_href('/search', 'lang', l)), opendata._page_t(lang, 'datasets_nav'))
    || format('<li><a href="%s">%s</a></li>', opendata._h(opendata._page_href('/reuses', 'lang', l)), opendata._page_t(lang, 'reuses_nav'))
    || format('<li><a href="%s" lang="%s" hreflang="%s">%s</a></li>',
              opendata._h(opendata._page_href(self_path, VARIADIC self_pairs || ARRAY['lang', CASE WHEN other = 'en' THEN 'en' END])),
              other, other, opendata._page_t(lang, 'other_lang'))
    || '</ul></nav>' || E'\n'
    || CASE WHEN site_search THEN
         format('<form class="site-search" role="search" aria-label="%s" action="/search" method="get">',
                opendata._page_t(lang, 'search_site'))
         || format('<label for="site-q">%s</label> <input id="site-q" name="q" type="search">', opendata._page_t(lang, 'search_label'))
         || CASE WHEN l IS NOT NULL THEN '<input type="hidden" name="lang" value="en">' ELSE '' END
         || format(' <button type="submit">%s</button></form>', opendata._page_t(lang, 'search')) || E'\n'
       ELSE '' END
    || '</header>' || E'\n'
    || '<main id="main" tabindex="-1">' || E'\n' || body || E'\n' || '</main>' || E'\n'
    || '<footer class="site">' || E'\n'
    || format('<p>%s <a href="%s">%s</a></p>', opendata._page_t(lang, 'powered'),
              opendata._h(cat.base_url || '/rpc/catalog_turtle'), opendata._page_t(lang, 'api_dcat')) || E'\n'
    || '</footer>' || E'\n'
    || '</body>' || E'\n' || '</html>' || E'\n';
END
$$;

-- 404: the same page whatever was asked for (nothing about it is shown).
CREATE FUNCTION opendata._page_not_found(lang text) RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN opendata._page_document(lang, opendata._page_t(lang, 'not_found'),
           format('<h1>%s</h1><p>%s</p><p><a href="%s">%s</a></p>', opendata._page_t(lang, 'not_found'),
                  opendata._page_t(lang, 'not_found_text'),
                  opendata._h(opendata._page_href('/', 'lang', opendata._page_lang_arg(lang))),
                  opendata._page_t(lang, 'back_home')),
           '/', '{}', '', true, 404);
END
$$;

-- A list item of a dataset in lists (home, search, organization), from a
-- row of opendata_api.datasets as JSON (what search() returns too).
CREATE FUNCTION opendata._page_dataset_item(d jsonb, lang text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN '<li class="dataset">'
      || format('<h3><a href="%s">%s</a></h3>',
                opendata._h(opendata._page_href('/datasets/' || opendata._page_enc(d->>'dataset_id'), 'lang', opendata._page_lang_arg(lang))),
                opendata._h(coalesce(d->>'title', d->>'dataset_id')))
      || CASE WHEN coalesce(d->>'description', '') <> '' THEN format('<p>%s</p>', opendata._h(opendata._page_excerpt(d->>'description'))) ELSE '' END
      || '<p class="meta">'
      || CASE WHEN d->>'publisher_id' IS NOT NULL THEN
           format('<a href="%s">%s</a> · ', opendata._h(opendata._page_href('/organizations/' || opendata._page_enc(d->>'publisher_id'), 'lang', opendata._page_lang_arg(lang))),
                  opendata._h(d->>'publisher')) ELSE '' END
      || format('%s %s', opendata._page_t(lang, 'modified'), opendata._page_date((d->>'modified')::timestamptz))
      || CASE WHEN d->>'records_count' IS NOT NULL THEN ' · ' || opendata._page_count((d->>'records_count')::bigint, lang, 'record_1', 'record_n') ELSE '' END
      || '</p></li>';
END
$$;

-- The home page: the catalog's title and description, a search box, the
-- themes and publishers that have datasets, the latest updated datasets.
CREATE FUNCTION opendata_api.portal(lang text DEFAULT 'fr')
RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
  lg text := opendata._page_check_lang(lang);
  l text := opendata._page_lang_arg(lg);
  cat record;
  body text;
  themes text;
  orgs text;
  latest text;
  n bigint;
BEGIN
  SELECT c.title, c.description INTO cat FROM opendata.catalog c;
  SELECT count(*) INTO n FROM opendata_api.datasets d WHERE d.status = 'published';
  SELECT string_agg(format('<li><a href="%s">%s</a> <span class="count">(%s)</span></li>',
                           opendata._h(opendata._page_href('/search', 'refine', ARRAY['theme:' || t.theme_id]::text, 'lang', l)),
                           opendata._h(CASE WHEN lg = 'en' THEN t.label_en ELSE t.label_fr END),
                           opendata._page_num(t.datasets_count, lg)),
                    '' ORDER BY opendata._odsql_fold(CASE WHEN lg = 'en' THEN t.label_en ELSE t.label_fr END))
    INTO themes FROM opendata_api.themes t WHERE t.datasets_count > 0;
  SELECT string_agg(format('<li><a href="%s">%s</a> <span class="count">(%s)</span></li>',
                           opendata._h(opendata._page_href('/organizations/' || opendata._page_enc(o.organization_id), 'lang', l)),
                           opendata._h(o.name), opendata._page_num(o.datasets_count, lg)),
                    '' ORDER BY o.name)
    INTO orgs FROM opendata_api.organizations o WHERE o.datasets_count > 0;
  SELECT string_agg(opendata._page_dataset_item(to_jsonb(d), lg), '' ORDER BY d.modified DESC, d.dataset_id)
    INTO latest
    FROM (SELECT * FROM opendata_api.datasets d WHERE d.status = 'published'
           ORDER BY d.modified DESC, d.dataset_id LIMIT 6) d;
  body := format('<h1>%s</h1>', opendata._h(cat.title))
       || opendata._page_paragraphs(cat.description)
       || format('<form class="big-search" role="search" aria-label="%s" action="/search" method="get">', opendata._page_t(lg, 'search_label'))
       || format('<label for="q">%s</label> ', opendata._page_t(lg, 'search_label'))
       || format('<input id="q" name="q" type="search" placeholder="%s">', opendata._h(opendata._page_t(lg, 'search_placeholder')))
       || CASE WHEN l IS NOT NULL THEN '<input type="hidden" name="lang" value="en">' ELSE '' END
       || format(' <button type="submit">%s</button></form>', opendata._page_t(lg, 'search'))
       || format('<p><a href="%s">%s</a> (%s)</p>', opendata._h(opendata._page_href('/search', 'lang', l)),
                 opendata._page_t(lg, 'all_datasets'), opendata._page_count(n, lg, 'dataset_1', 'dataset_n'))
       || CASE WHEN themes IS NOT NULL THEN
            format('<section aria-labelledby="h-themes"><h2 id="h-themes">%s</h2><ul class="chips">%s</ul></section>',
                   opendata._page_t(lg, 'themes'), themes) ELSE '' END
       || CASE WHEN orgs IS NOT NULL THEN
            format('<section aria-labelledby="h-orgs"><h2 id="h-orgs">%s</h2><ul class="chips">%s</ul></section>',
                   opendata._page_t(lg, 'organizations'), orgs) ELSE '' END
       || CASE WHEN latest IS NOT NULL THEN
            format('<section aria-labelledby="h-latest"><h2 id="h-latest">%s</h2><ul class="datasets">%s</ul></section>',
                   opendata._page_t(lg, 'latest'), latest) ELSE '' END;
  RETURN opendata._page_document(lg, cat.title, body, '/', '{}', '', false);
END
$$;
COMMENT ON FUNCTION opendata_api.portal(text) IS 'the portal''s home page (HTML)';

-- One facet value as a list item with its refine / exclude / remove links.
-- base: the pairs of the current URL other than refine and exclude.
CREATE FUNCTION opendata._page_facet_item(path text, base text[], refine text[], exclude text[],
                                          item text, label text, cnt bigint, state text, lang text)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE
    WHEN state = 'refined' THEN
      format('<li class="refined"><span>%s</span> <span class="count">(%s)</span> <a href="%s">%s<span class="sr-only"> %s</span></a></li>',
             opendata._h(label), opendata._page_num(cnt, lang),
             opendata._h(opendata._page_href(path, VARIADIC base || ARRAY['refine', nullif(array_remove(refine, item), '{}')::text,
                                                                             'exclude', exclude::text])),
             opendata._page_t(lang, 'remove'), opendata._h(label))
    WHEN state = 'excluded' THEN
      format('<li class="excluded"><s>%s</s> <span class="count">(%s)</span> <a href="%s">%s<span class="sr-only"> %s</span></a></li>',
             opendata._h(label), opendata._page_t(lang, 'excluded'),
             opendata._h(opendata._page_href(path, VARIADIC base || ARRAY['refine', refine::text,
                                                                             'exclude', nullif(array_remove(exclude, item), '{}')::text])),
             opendata._page_t(lang, 'remove'), opendata._h(label))
    ELSE
      format('<li><a href="%s">%s</a> <span class="count">(%s)</span> <a class="exclude" href="%s">%s<span class="sr-only"> %s</span></a></li>',
             opendata._h(opendata._page_href(path, VARIADIC base || ARRAY['refine', (coalesce(refine, '{}') || item)::text,
                                                                             'exclude', exclude::text])),
             opendata._h(label), opendata._page_num(cnt, lang),
             opendata._h(opendata._page_href(path, VARIADIC base || ARRAY['refine', refine::text,
                                                                             'exclude', (coalesce(exclude, '{}') || item)::text])),
             opendata._page_t(lang, 'exclude'), opendata._h(label))
  END;
END
$$;

-- The active refine/exclude items, each with a link that removes it.
CREATE FUNCTION opendata._page_active_filters(path text, base text[], refine text[], exclude text[], lang text)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE WHEN cardinality(coalesce(refine, '{}')) + cardinality(coalesce(exclude, '{}')) = 0 THEN ''
    ELSE format('<section class="active-filters" aria-labelledby="h-active"><h2 id="h-active">%s</h2><ul>',
                opendata._page_t(lang, 'active_filters'))
      || coalesce((SELECT string_agg(format('<li>%s <a href="%s">%s<span class="sr-only"> %s</span></a></li>',
                        opendata._h(r), opendata._h(opendata._page_href(path, VARIADIC base || ARRAY[
                          'refine', nullif(array_remove(refine, r), '{}')::text, 'exclude', exclude::text])),
                        opendata._page_t(lang, 'remove'), opendata._h(r)), '' ORDER BY i)
                     FROM unnest(refine) WITH ORDINALITY AS u(r, i)), '')
      || coalesce((SELECT string_agg(format('<li><s>%s</s> (%s) <a href="%s">%s<span class="sr-only"> %s</span></a></li>',
                        opendata._h(x), opendata._page_t(lang, 'excluded'),
                        opendata._h(opendata._page_href(path, VARIADIC base || ARRAY[
                          'refine', refine::text, 'exclude', nullif(array_remove(exclude, x), '{}')::text])),
                        opendata._page_t(lang, 'remove'), opendata._h(x)), '' ORDER BY i)
                     FROM unnest(exclude) WITH ORDINALITY AS u(x, i)), '')
      || '</ul></section>' END;
END
$$;

-- The facet lists of a search() or facets() response.  label_of: the
-- interface name of a facet, by its name ('facet_' || name), or the facet's
-- own name when the dictionary has none (field facets take their label).
CREATE FUNCTION opendata._page_facets(facets json, path text, base text[], refine text[], exclude text[],
                                      lang text, labels jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  SELECT coalesce(string_agg(
           format('<section class="facet" aria-labelledby="%s"><h3 id="%s">%s</h3><ul>%s</ul></section>',
                  'facet-' || i, 'facet-' || i,
                  opendata._h(coalesce(labels->>(f->>'name'), opendata._page_t(lang, 'facet_' || (f->>'name')), f->>'name')),
                  (SELECT string_agg(opendata._page_facet_item(path, base, refine, exclude,
                                       (f->>'name') || ':' || (v->>'value'), coalesce(v->>'name', v->>'value'),
                                       (v->>'count')::bigint, v->>'state', lang), '' ORDER BY j)
                     FROM json_array_elements(f->'facets') WITH ORDINALITY AS vv(v, j))),
           '' ORDER BY i), '')
    FROM json_array_elements(facets) WITH ORDINALITY AS ff(f, i)
   WHERE json_array_length(f->'facets') > 0);
END
$$;

-- Previous / next links and "page x of y".
CREATE FUNCTION opendata._page_pager(path text, pairs text[], page int, pages int, lang text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE WHEN pages <= 1 THEN '' ELSE
    format('<nav class="pager" aria-label="%s"><ul>', opendata._page_t(lang, 'pagination'))
    || CASE WHEN page > 1 THEN format('<li><a rel="prev" href="%s">%s</a></li>',
              opendata._h(opendata._page_href(path, VARIADIC pairs || ARRAY['page', nullif(page - 1, 1)::text])),
              opendata._page_t(lang, 'previous')) ELSE '' END
    || format('<li aria-current="page">%s %s %s %s</li>', opendata._page_t(lang, 'page'), page,
              opendata._page_t(lang, 'of'), pages)
    || CASE WHEN page < pages THEN format('<li><a rel="next" href="%s">%s</a></li>',
              opendata._h(opendata._page_href(path, VARIADIC pairs || ARRAY['page', (page + 1)::text])),
              opendata._page_t(lang, 'next')) ELSE '' END
    || '</ul></nav>' END;
END
$$;

-- Search: opendata_api.search() as a page, its facets as refine and exclude
-- links, ten results a page.
CREATE FUNCTION opendata_api.search_page(q text DEFAULT NULL, refine opendata_api.facet_items DEFAULT NULL, exclude opendata_api.facet_items DEFAULT NULL,
                                         page int DEFAULT 1, lang text DEFAULT 'fr')
RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
  lg text := opendata._page_check_lang($5);
  l text := opendata._page_lang_arg(lg);
  v_q text := nullif(btrim($1), '');
  v_refine text[] := nullif($2::text[], '{}');
  v_exclude text[] := nullif($3::text[], '{}');
  v_page int := coalesce($4, 1);
  per_page constant int := 10;
  res json;
  total bigint;
  pages int;
  base text[];
  results text;
  body text;
  status int;
  msg text;
BEGIN
  IF v_page < 1 OR v_page > 10000 THEN
    RAISE EXCEPTION 'page must be between 1 and 10000, not %', v_page USING ERRCODE = '22023';
  END IF;
  base := ARRAY['q', v_q, 'lang', l];
  BEGIN
    res := opendata_api.search(q => v_q, refine => v_refine, exclude => v_exclude, rows => per_page,
                               start => (v_page - 1) * per_page, lang => lg);
  EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    status := 400;
  END;
  body := format('<h1>%s</h1>', opendata._page_t(lg, 'datasets_nav'))
       || format('<form class="big-search" role="search" aria-label="%s" action="/search" method="get">', opendata._page_t(lg, 'search_label'))
       || format('<label for="q">%s</label> ', opendata._page_t(lg, 'search_label'))
       || format('<input id="q" name="q" type="search" value="%s">', opendata._h(v_q))
       || coalesce((SELECT string_agg(format('<input type="hidden" name="refine" value="%s">', opendata._h(x::text)), '')
                      FROM (SELECT v_refine) s(x) WHERE x IS NOT NULL), '')
       || CASE WHEN l IS NOT NULL THEN '<input type="hidden" name="lang" value="en">' ELSE '' END
       || format(' <button type="submit">%s</button></form>', opendata._page_t(lg, 'search'));
  IF status = 400 THEN
    body := body || format('<div class="error" role="alert"><p>%s</p></div>', opendata._h(msg));
    RETURN opendata._page_document(lg, opendata._page_t(lg, 'datasets_nav'), body, '/search',
                                   ARRAY['q', v_q, 'refine', v_refine::text, 'exclude', v_exclude::text], '', false, 400);
  END IF;
  total := (res->>'total_count')::bigint;
  pages := greatest(1, ceil(total::numeric / per_page)::int);
  SELECT string_agg(opendata._page_dataset_item(r::jsonb, lg), '' ORDER BY i) INTO results
    FROM json_array_elements(res->'results') WITH ORDINALITY AS rr(r, i);
  body := body
       || '<div class="with-sidebar">'
       || format('<section class="results" aria-labelledby="h-results"><h2 id="h-results">%s</h2>', opendata._page_t(lg, 'results'))
       || format('<p class="total" role="status">%s</p>', opendata._page_count(total, lg, 'dataset_1', 'dataset_n'))
       || CASE WHEN results IS NULL THEN format('<p>%s</p>', opendata._page_t(lg, 'no_results'))
               ELSE '<ul class="datasets">' || results || '</ul>' END
       || opendata._page_pager('/search', base || ARRAY['refine', v_refine::text, 'exclude', v_exclude::text],
                               v_page, pages, lg)
       || '</section>'
       || format('<aside class="filters" aria-labelledby="h-filters"><h2 id="h-filters">%s</h2>', opendata._page_t(lg, 'filters'))
       || opendata._page_active_filters('/search', base, v_refine, v_exclude, lg)
       || opendata._page_facets(res->'facets', '/search', base, v_refine, v_exclude, lg)
       || '</aside></div>';
  RETURN opendata._page_document(lg, CASE WHEN v_q IS NULL THEN opendata._page_t(lg, 'datasets_nav')
                                          ELSE v_q || ' – ' || opendata._page_t(lg, 'search') END,
                                 body, '/search',
                                 ARRAY['q', v_q, 'refine', v_refine::text, 'exclude', v_exclude::text,
                                       'page', nullif(v_page, 1)::text], '', false);
END
$$;
COMMENT ON FUNCTION opendata_api.search_page(text, opendata_api.facet_items, opendata_api.facet_items, int, text) IS
  'catalog search as an HTML page: results of search(), facets as refine/exclude links, paging';

-- The map preview of a geographic dataset: an SVG drawn by PostGIS
-- (ST_AsSVG), as the caller reads the dataset.  Its cost is bounded
-- whatever the size of the dataset:
--
-- * a table or materialized view of more than map_sample_rows rows (by the
--   planner's statistics) is read through TABLESAMPLE SYSTEM, about
--   map_sample_rows rows from blocks drawn at random (REPEATABLE: the same
--   blocks on every call while the table does not change).  It is read as
--   the caller, with the column privileges and row-level security the API
--   view would apply (the view is SELECT of the visible columns FROM the
--   source, security_invoker; the geometry field is visible, checked by the
--   caller of this function), in WGS 84 as the view gives it.
-- * any other source is read through its API view, the first
--   map_scan_limit features (LIMIT, in the view's order, which is arbitrary).
--
-- The caption says which.  Up to map_detail_limit features are drawn one by
-- one (shapes simplified to the drawing's resolution); more are grouped on
-- a grid of about 100 x 100 cells, one circle per occupied cell, its area
-- following the cell's count.  Cells are grouped by their integer indices
-- (what ST_SnapToGrid would round to, without building and hashing a
-- geometry per feature).  Longitudes are scaled by the cosine of the middle
-- latitude (an equirectangular view), which never fails where Web Mercator
-- would (the poles).
CREATE FUNCTION opendata._page_map(slug text, geom name, lang text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  map_sample_rows constant bigint := 10000;
  map_scan_limit constant bigint := 100000;
  map_detail_limit constant bigint := 2000;
  ds record;
  estimated bigint;
  sampled boolean;
  src text;
  n bigint;
  ext box2d;
  k float8;
  x0 float8; y0 float8; w float8; h float8; pad float8;
  cell float8;
  r float8;
  shapes text;
  cells bigint;
  caption text;
  prec int;
BEGIN
  SELECT format('%I.%I', n.nspname, c.relname) AS source, coalesce(o.geometry_srid, 4326) AS srid, c.relkind,
         c.reltuples::bigint AS reltuples INTO ds
    FROM opendata.datasets o JOIN pg_catalog.pg_class c ON c.oid = o.source
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE o.slug = _page_map.slug;
  sampled := ds.relkind IN ('r', 'm', 'p') AND ds.reltuples > map_sample_rows;
  IF sampled THEN
    estimated := ds.reltuples;
    src := format('(SELECT %s AS g FROM %s TABLESAMPLE SYSTEM (%s) REPEATABLE (0) WHERE %I IS NOT NULL AND NOT ST_IsEmpty(%I))',
                  CASE WHEN ds.srid = 4326 THEN quote_ident(geom) ELSE format('ST_Transform(%I, 4326)', geom) END,
                  ds.source, round(100.0 * map_sample_rows / ds.reltuples, 6), geom, geom);
  ELSE
    src := format('(SELECT %1$I AS g FROM opendata_api.%2$I WHERE %1$I IS NOT NULL AND NOT ST_IsEmpty(%1$I) LIMIT %3$s)',
                  geom, slug, map_scan_limit);
  END IF;
  EXECUTE format('SELECT count(*), ST_Extent(g) FROM %s s', src) INTO n, ext;
  IF n = 0 OR ext IS NULL THEN
    RETURN format('<p>%s</p>', opendata._page_t(lang, 'map_empty'));
  END IF;
  k := greatest(cos(radians(least(greatest((ST_YMin(ext) + ST_YMax(ext)) / 2, -85), 85))), 0.05);
  w := (ST_XMax(ext) - ST_XMin(ext)) * k;
  h := ST_YMax(ext) - ST_YMin(ext);
  pad := greatest(w, h, 0.002) * 0.05;
  x0 := ST_XMin(ext) * k - pad;
  y0 := -ST_YMax(ext) - pad;          -- ST_AsSVG writes -y
  w := greatest(w, 0.001) + 2 * pad;
  h := greatest(h, 0.001) + 2 * pad;
  r := greatest(w, h) / 160;
  prec := least(greatest(ceil(-log(greatest(w, h) / 2000))::int, 0), 9);
  IF n <= map_detail_limit THEN
    EXECUTE format($q$
      SELECT string_agg(CASE WHEN GeometryType(p) = 'POINT'
                               THEN format('<circle %%s r="%s"/>', ST_AsSVG(p, 0, %s))
                             ELSE format('<path d="%%s"/>', ST_AsSVG(ST_Simplify(p, %s), 0, %s)) END, '')
        FROM (SELECT ST_Scale((ST_Dump(g)).geom, %s, 1) AS p FROM %s s) d
       WHERE NOT ST_IsEmpty(p)$q$, round(r::numeric, prec + 2), prec, greatest(w, h) / 1000, prec, k, src) INTO shapes;
    caption := opendata._page_count(n, lang, 'feature_1', 'features') || '. ' || opendata._page_t(lang, 'map_all') || '.';
  ELSE
    cell := greatest(w, h) / 100;
    EXECUTE format($q$
      WITH c AS (SELECT round(ST_X(p) * %1$s / %2$s)::bigint AS i, round(ST_Y(p) / %2$s)::bigint AS j, count(*) AS n
                   FROM (SELECT CASE WHEN GeometryType(g) = 'POINT' THEN g ELSE ST_PointOnSurface(g) END AS p FROM %3$s s) s
                  GROUP BY 1, 2)
      SELECT string_agg(format('<circle cx="%%s" cy="%%s" r="%%s"/>', trim_scale(round((c.i * %2$s)::numeric, %4$s)),
                               trim_scale(round((-c.j * %2$s)::numeric, %4$s)),
                               round((%5$s * sqrt(c.n::float8 / m.mx))::numeric, %6$s)), ''), count(*)
        FROM c CROSS JOIN (SELECT max(n) AS mx FROM c) m$q$, k, cell, src, prec, cell * 1.2, prec + 1)
      INTO shapes, cells;
    caption := opendata._page_num(n, lang) || ' ' || opendata._page_t(lang, 'features') || ', '
            || opendata._page_num(cells, lang) || ' ' || opendata._page_t(lang, 'cells') || '. '
            || opendata._page_t(lang, 'map_clustered') || '.';
  END IF;
  IF sampled THEN
    caption := format(opendata._page_t(lang, 'map_sample'), opendata._page_num(n, lang), opendata._page_num(estimated, lang))
            || ' ' || caption;
  ELSIF n >= map_scan_limit THEN
    EXECUTE format('SELECT count(*) FROM opendata_api.%I WHERE %I IS NOT NULL', slug, geom) INTO n;
    caption := caption || ' ' || format(opendata._page_t(lang, 'map_sampled'), opendata._page_num(map_scan_limit, lang),
                                        opendata._page_num(n, lang));
  END IF;
  RETURN format('<figure class="map"><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="map-title" '
                'viewBox="%s %s %s %s" preserveAspectRatio="xMidYMid meet">'
                '<title id="map-title">%s</title>'
                '<rect x="%s" y="%s" width="%s" height="%s" fill="#f4f7f6"/>'
                '<g fill="#0b6e4f" fill-opacity="0.45" stroke="#064a35" stroke-width="%s">%s</g>'
                '</svg><figcaption>%s</figcaption></figure>',
                round(x0::numeric, prec + 1), round(y0::numeric, prec + 1), round(w::numeric, prec + 1), round(h::numeric, prec + 1),
                opendata._page_t(lang, 'map_title'),
                round(x0::numeric, prec + 1), round(y0::numeric, prec + 1), round(w::numeric, prec + 1), round(h::numeric, prec + 1),
                round((greatest(w, h) / 600)::numeric, prec + 2), coalesce(shapes, ''), opendata._h(caption));
END
$$;

-- A cell of the records preview: geometries by their type, objects as JSON.
CREATE FUNCTION opendata._page_cell(value json, field_type text, lang text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE
    WHEN value IS NULL OR json_typeof(value) = 'null' THEN ''
    WHEN field_type IN ('geo_point_2d', 'geo_shape') THEN
      opendata._h(coalesce(value->>'type', opendata._page_t(lang, 'geometry')))
      || CASE WHEN value->>'type' = 'Point' THEN
           format(' (%s, %s)', opendata._h(value->'coordinates'->>1), opendata._h(value->'coordinates'->>0)) ELSE '' END
    WHEN json_typeof(value) = 'boolean' THEN opendata._page_t(lang, CASE WHEN value::text = 'true' THEN 'yes' ELSE 'no' END)
    WHEN json_typeof(value) IN ('object', 'array') THEN opendata._h(value::text)
    ELSE opendata._h(value #>> '{}') END;
END
$$;

-- A <dt>/<dd> pair, or nothing when the value is empty.  value_html is
-- already escaped.
CREATE FUNCTION opendata._page_dd(label text, value_html text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN CASE WHEN coalesce(value_html, '') = '' THEN '' ELSE format('<dt>%s</dt><dd>%s</dd>', label, value_html) END;
END
$$;

-- JSON for a <script type="application/ld+json"> block: '<', '>' and '&'
-- written as \u escapes (valid JSON), so nothing in it can close the
-- element or open a comment; the bidirectional controls _h() drops are
-- kept, as escapes too.
CREATE FUNCTION opendata._page_json_script(doc text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  c text;
BEGIN
  FOREACH c IN ARRAY ARRAY['<', '>', '&', U&'\200E', U&'\200F', U&'\061C', U&'\202A', U&'\202B', U&'\202C', U&'\202D',
                           U&'\202E', U&'\2066', U&'\2067', U&'\2068', U&'\2069'] LOOP
    doc := replace(doc, c, '\u' || lpad(to_hex(ascii(c)), 4, '0'));
  END LOOP;
  RETURN doc;
END
$$;

-- A dataset's page: metadata, field dictionary, a page of records (keyset
-- paging through `after`, filters through `where` and `refine`), facets, a
-- map for geographic datasets, downloads and API URLs, reuses, history,
-- lineage, schema.org JSON-LD and alternate links.  A dataset that is not
-- published, or that the caller may not read, or that does not exist, is
-- the same 404 page.
CREATE FUNCTION opendata_api.dataset_page(dataset text, "where" text DEFAULT NULL, refine opendata_api.facet_items DEFAULT NULL,
                                          exclude opendata_api.facet_items DEFAULT NULL, after text DEFAULT NULL, lang text DEFAULT 'fr')
RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE SET jit = off AS $$
#variable_conflict use_column
DECLARE
  lg text := opendata._page_check_lang($6);
  l text := opendata._page_lang_arg(lg);
  v_slug text := $1;
  v_where text := nullif(btrim($2), '');
  v_refine text[] := nullif($3::text[], '{}');
  v_exclude text[] := nullif($4::text[], '{}');
  v_after text := nullif($5, '');
  per_page constant int := 20;
  d record;
  dj jsonb;
  internal record;
  base_url text;
  path text;
  base text[];
  body text := '';
  head text := '';
  recs json;
  facets json;
  labels jsonb;
  status int;
  msg text;
  total bigint;
  shown int;
  frag text;
  api text;
BEGIN
  SELECT * INTO d FROM opendata_api.datasets v WHERE v.dataset_id = v_slug AND v.status = 'published';
  IF NOT FOUND THEN
    RETURN opendata._page_not_found(lg);
  END IF;
  dj := (SELECT to_jsonb(v) FROM opendata_api.datasets v WHERE v.dataset_id = v_slug);
  SELECT o.id, o.geometry_field, o.was_derived_from, o.access INTO internal FROM opendata.datasets o WHERE o.slug = v_slug;
  SELECT c.base_url INTO base_url FROM opendata.catalog c;
  path := '/datasets/' || opendata._page_enc(v_slug);
  base := ARRAY['where', v_where, 'lang', l];
  SELECT jsonb_object_agg(f->>'name', coalesce(f->>'label', f->>'name')) INTO labels
    FROM jsonb_array_elements(d.fields) f;

  -- Head: JSON-LD, alternates.
  head := format('<script type="application/ld+json">%s</script>', opendata._page_json_script(
              opendata_api.dataset_schema_org(v_slug)::text)) || E'\n'
       || format('<link rel="alternate" type="text/turtle" title="DCAT-AP" href="%s">',
                 opendata._h(base_url || '/rpc/catalog_turtle')) || E'\n'
       || format('<link rel="alternate" type="application/ld+json" title="DCAT-AP JSON-LD" href="%s">',
                 opendata._h(base_url || '/rpc/catalog_jsonld')) || E'\n'
       || coalesce((SELECT string_agg(format('<link rel="alternate" type="%s" title="%s" href="%s">',
                                             opendata._h(x->>'media_type'), opendata._h(x->>'format'),
                                             opendata._h(opendata._page_safe_url(x->>'url'))), E'\n' ORDER BY x->>'format')
                      FROM jsonb_array_elements(d.links->'distributions') x
                     WHERE x->>'format' IN ('CSV', 'GEOJSON') AND opendata._page_safe_url(x->>'url') IS NOT NULL), '') || E'\n';

  -- Title, description, metadata.
  body := format('<h1>%s</h1>', opendata._h(coalesce(d.title, d.dataset_id)))
       || opendata._page_paragraphs(d.description)
       || format('<section aria-labelledby="h-about"><h2 id="h-about">%s</h2><dl class="meta">', opendata._page_t(lg, 'about'))
       || opendata._page_dd(opendata._page_t(lg, 'publisher'),
            CASE WHEN d.publisher_id IS NOT NULL THEN format('<a href="%s">%s</a>',
              opendata._h(opendata._page_href('/organizations/' || opendata._page_enc(d.publisher_id), 'lang', l)), opendata._h(d.publisher)) END)
       || opendata._page_dd(opendata._page_t(lg, 'license'),
            CASE WHEN d.license IS NOT NULL THEN opendata._page_link(d.license_url, coalesce(
              (SELECT li.title FROM opendata_api.licenses li WHERE li.license_id = d.license), d.license), 'license') END)
       || opendata._page_dd(opendata._page_t(lg, 'themes'),
            (SELECT string_agg(format('<a href="%s">%s</a>',
                      opendata._h(opendata._page_href('/search', 'refine', ARRAY['theme:' || t.theme_id]::text, 'lang', l)),
                      opendata._h(CASE WHEN lg = 'en' THEN t.label_en ELSE t.label_fr END)), ', ' ORDER BY t.theme_id)
               FROM opendata_api.themes t WHERE d.themes ? t.theme_id))
       || opendata._page_dd(opendata._page_t(lg, 'keywords'),
            (SELECT string_agg(format('<a href="%s">%s</a>',
                      opendata._h(opendata._page_href('/search', 'refine', ARRAY['keyword:' || lower(k)]::text, 'lang', l)),
                      opendata._h(k)), ', ' ORDER BY i)
               FROM jsonb_array_elements_text(d.keywords) WITH ORDINALITY AS kk(k, i)))
       || opendata._page_dd(opendata._page_t(lg, 'issued'), opendata._page_date(d.issued))
       || opendata._page_dd(opendata._page_t(lg, 'modified'), opendata._page_date(d.modified))
       || opendata._page_dd(opendata._page_t(lg, 'version'), d.version::text)
       || opendata._page_dd(opendata._page_t(lg, 'records_count'), opendata._page_num(d.records_count, lg))
       || opendata._page_dd(opendata._page_t(lg, 'frequency'), opendata._h(d.accrual_periodicity))
       || opendata._page_dd(opendata._page_t(lg, 'territory'), opendata._h(d.spatial->>'label'))
       || opendata._page_dd(opendata._page_t(lg, 'period'),
            CASE WHEN d.temporal IS NOT NULL THEN opendata._h(concat_ws(' – ', d.temporal->>'start', d.temporal->>'end')) END)
       || opendata._page_dd(opendata._page_t(lg, 'contact'),
            CASE WHEN d.contact_point IS NOT NULL THEN concat_ws(' · ', opendata._h(d.contact_point->>'name'),
              CASE WHEN d.contact_point->>'email' IS NOT NULL THEN opendata._page_link('mailto:' || (d.contact_point->>'email'), d.contact_point->>'email') END,
              CASE WHEN d.contact_point->>'url' IS NOT NULL THEN opendata._page_link(d.contact_point->>'url', d.contact_point->>'url') END) END)
       || opendata._page_dd(opendata._page_t(lg, 'landing_page'),
            CASE WHEN d.landing_page IS NOT NULL THEN opendata._page_link(d.landing_page, d.landing_page) END)
       || opendata._page_dd(opendata._page_t(lg, 'attributions'), opendata._h(d.attributions))
       || '</dl></section>';

  -- Field dictionary.
  body := body
       || format('<section><h2 id="h-fields">%s</h2>', opendata._page_t(lg, 'fields'))
       || format('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="h-fields"><table><thead><tr><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th></tr></thead><tbody>',
                 opendata._page_t(lg, 'field_name'), opendata._page_t(lg, 'field_label'), opendata._page_t(lg, 'field_type'),
                 opendata._page_t(lg, 'field_unit'), opendata._page_t(lg, 'field_description'))
       || coalesce((SELECT string_agg(format('<tr><th scope="row"><code>%s</code></th><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                                             opendata._h(f->>'name'), opendata._h(f->>'label'), opendata._h(f->>'type'),
                                             opendata._h(f->>'unit'), opendata._h(f->>'description')), '' ORDER BY i)
                      FROM jsonb_array_elements(d.fields) WITH ORDINALITY AS ff(f, i)), '')
       || '</tbody></table></div></section>';

  -- Records preview, with its filter form and facets.
  BEGIN
    recs := opendata_api.records(dataset => v_slug, "where" => v_where, refine => v_refine, exclude => v_exclude, rows => per_page,
                                 lang => lg, after => v_after);
    facets := opendata_api.facets(dataset => v_slug, "where" => v_where, refine => v_refine, exclude => v_exclude, lang => lg);
  EXCEPTION WHEN invalid_parameter_value OR syntax_error OR undefined_column OR invalid_text_representation
                 OR invalid_datetime_format OR numeric_value_out_of_range OR datatype_mismatch
                 OR undefined_function THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    status := 400;
  END;
  body := body
       || format('<section><h2 id="h-preview">%s</h2>', opendata._page_t(lg, 'preview'))
       || format('<form class="filter" action="%s" method="get">', opendata._h(path))
       || format('<label for="where">%s</label> ', opendata._page_t(lg, 'filter_where'))
       || format('<input id="where" name="where" type="text" value="%s" placeholder="%s">', opendata._h(v_where),
                 opendata._h(opendata._page_t(lg, 'filter_help')))
       || CASE WHEN v_refine IS NOT NULL THEN format('<input type="hidden" name="refine" value="%s">', opendata._h(v_refine::text)) ELSE '' END
       || CASE WHEN v_exclude IS NOT NULL THEN format('<input type="hidden" name="exclude" value="%s">', opendata._h(v_exclude::text)) ELSE '' END
       || CASE WHEN l IS NOT NULL THEN '<input type="hidden" name="lang" value="en">' ELSE '' END
       || format(' <button type="submit">%s</button></form>', opendata._page_t(lg, 'apply'));
  IF status = 400 THEN
    body := body || format('<div class="error" role="alert"><p>%s : %s</p></div>', opendata._page_t(lg, 'bad_filter'), opendata._h(msg))
         || '</section>';
  ELSE
    total := (recs->>'total_count')::bigint;
    shown := json_array_length(recs->'results');
    body := body
         || '<div class="with-sidebar">'
         || '<div class="records">'
         || format('<p class="total" role="status">%s %s %s%s</p>', opendata._page_num(shown, lg), opendata._page_t(lg, 'records_shown'),
                   -- Above opendata.exact_count_threshold a filtered total is the planner's estimate.
                   CASE WHEN (recs->>'total_count_estimated')::boolean THEN opendata._page_t(lg, 'about') || ' ' ELSE '' END,
                   opendata._page_count(total, lg, 'record_1', 'record_n'));
    IF shown = 0 THEN
      body := body || format('<p>%s</p>', opendata._page_t(lg, 'no_records'));
    ELSE
      body := body
           || format('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="h-preview"><table><thead><tr>%s</tr></thead><tbody>',
                     (SELECT string_agg(format('<th scope="col">%s</th>', opendata._h(coalesce(f->>'label', f->>'name'))), '' ORDER BY i)
                        FROM jsonb_array_elements(d.fields) WITH ORDINALITY AS ff(f, i)))
           || (SELECT string_agg('<tr>' || (SELECT string_agg(format('<td>%s</td>', opendata._page_cell(r->(f->>'name'), f->>'type', lg)), '' ORDER BY i)
                                              FROM jsonb_array_elements(d.fields) WITH ORDINALITY AS ff(f, i)) || '</tr>', '' ORDER BY j)
                 FROM json_array_elements(recs->'results') WITH ORDINALITY AS rr(r, j))
           || '</tbody></table></div>';
    END IF;
    IF v_after IS NOT NULL OR recs->>'next_after' IS NOT NULL THEN
      body := body || format('<nav class="pager" aria-label="%s"><ul>', opendata._page_t(lg, 'pagination'))
           || CASE WHEN v_after IS NOT NULL THEN format('<li><a href="%s">%s</a></li>',
                opendata._h(opendata._page_href(path, VARIADIC base || ARRAY['refine', v_refine::text, 'exclude', v_exclude::text])), opendata._page_t(lg, 'first_page')) ELSE '' END
           || CASE WHEN recs->>'next_after' IS NOT NULL AND shown = per_page THEN format('<li><a rel="next" href="%s">%s</a></li>',
                opendata._h(opendata._page_href(path, VARIADIC base || ARRAY['refine', v_refine::text, 'exclude', v_exclude::text,
                                                                       'after', recs->>'next_after'])),
                opendata._page_t(lg, 'next')) ELSE '' END
           || '</ul></nav>';
    END IF;
    body := body || '</div>'
         || CASE WHEN json_array_length(facets->'facets') > 0 OR v_refine IS NOT NULL OR v_exclude IS NOT NULL THEN
              format('<aside class="filters" aria-labelledby="h-filters"><h2 id="h-filters" class="h3">%s</h2>', opendata._page_t(lg, 'filters'))
              || opendata._page_active_filters(path, base, v_refine, v_exclude, lg)
              || opendata._page_facets(facets->'facets', path, base, v_refine, v_exclude, lg, labels)
              || '</aside>' ELSE '' END
         || '</div></section>';
  END IF;

  -- Map: the SVG preview, which /assets/map/dataset-map.mjs turns into an
  -- interactive MapLibre map of the dataset's vector tiles when the browser
  -- runs JavaScript (docs/maps.md; the files come from deploy/web, served
  -- by nginx from this origin).
  IF internal.geometry_field IS NOT NULL AND labels ? internal.geometry_field THEN
    head := head || '<link rel="stylesheet" href="/assets/map/maplibre-gl.css">' || E'\n'
         || '<script type="module" src="/assets/map/dataset-map.mjs"></script>' || E'\n';
    body := body || format('<section aria-labelledby="h-map"><h2 id="h-map">%s</h2>', opendata._page_t(lg, 'map'))
         || format('<div class="map" data-dataset="%s" data-map-label="%s">', opendata._h(v_slug), opendata._page_t(lg, 'map_interactive'))
         || opendata._page_map(v_slug, internal.geometry_field, lg) || '</div></section>';
  END IF;

  -- Downloads and API.
  api := base_url || '/rpc/records?' || 'dataset=' || opendata._page_enc(v_slug) || '&rows=10';
  body := body
       || format('<section aria-labelledby="h-downloads"><h2 id="h-downloads">%s</h2><ul class="downloads">', opendata._page_t(lg, 'downloads'))
       || coalesce((SELECT string_agg(format('<li>%s <span class="media">%s</span></li>',
                                             opendata._page_link(x->>'url', (x->>'format') || ' – ' || coalesce(v_slug, '')),
                                             opendata._h(x->>'media_type')), '' ORDER BY x->>'format')
                      FROM jsonb_array_elements(d.links->'distributions') x WHERE x->>'format' <> 'JSON'), '')
       || '</ul>'
       || format('<h3>%s</h3><p>%s</p><ul class="api">', opendata._page_t(lg, 'api'), opendata._page_t(lg, 'api_intro'))
       || format('<li>%s : <a href="%s"><code>%s</code></a></li>', opendata._page_t(lg, 'api_records'), opendata._h(api), opendata._h(api))
       || format('<li>%s : <a href="%s"><code>%s</code></a></li>', opendata._page_t(lg, 'api_view'),
                 opendata._h(base_url || '/' || opendata._page_enc(v_slug) || '?limit=10'),
                 opendata._h(base_url || '/' || opendata._page_enc(v_slug) || '?limit=10'))
       || format('<li>%s : <a href="%s"><code>%s</code></a></li>', opendata._page_t(lg, 'api_facets'),
                 opendata._h(base_url || '/rpc/facets?dataset=' || opendata._page_enc(v_slug)),
                 opendata._h(base_url || '/rpc/facets?dataset=' || opendata._page_enc(v_slug)))
       || '</ul></section>';

  -- Reuses.
  frag := (SELECT string_agg(format('<li>%s <span class="meta">(%s%s)</span></li>', opendata._page_link(r.url, r.title),
                                 opendata._page_t(lg, 'type_' || r.type),
                                 CASE WHEN r.author IS NOT NULL THEN ', ' || opendata._page_t(lg, 'by') || ' ' || opendata._h(r.author) ELSE '' END),
                          '' ORDER BY r.created DESC, r.reuse_id)
          FROM opendata_api.reuses r WHERE r.datasets ? v_slug);
  body := body
       || format('<section aria-labelledby="h-reuses"><h2 id="h-reuses">%s</h2>', opendata._page_t(lg, 'reuses'))
       || coalesce('<ul>' || frag || '</ul>', format('<p>%s</p>', opendata._page_t(lg, 'no_reuses'))) || '</section>';

  -- Usage: the public statistics of the last 30 days (dataset_stats(),
  -- which only public datasets have).
  IF internal.access = 'public' THEN
    frag := (SELECT format('<section aria-labelledby="h-usage"><h2 id="h-usage">%s</h2><p class="usage">%s, %s %s%s</p></section>',
                           opendata._page_t(lg, 'usage'),
                           opendata._page_count(coalesce(sum((d ->> 'calls')::bigint), 0)::bigint, lg, 'usage_calls_1', 'usage_calls_n'),
                           opendata._page_count(coalesce(sum(dl.n), 0)::bigint, lg, 'usage_downloads_1', 'usage_downloads_n'),
                           opendata._page_t(lg, 'usage_period'),
                           CASE WHEN s.stats ->> 'usage' = 'off' THEN ' ' || opendata._page_t(lg, 'usage_off') ELSE '' END)
               FROM (SELECT opendata_api.dataset_stats(v_slug, 30) AS stats) s
               LEFT JOIN LATERAL json_array_elements(s.stats -> 'days') d ON true
               LEFT JOIN LATERAL (SELECT sum(v::bigint) AS n FROM json_each_text(d -> 'downloads') AS x(k, v)) dl ON true
              GROUP BY s.stats ->> 'usage');
    body := body || frag;
  END IF;

  -- History.
  frag := (SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                                 h.version, opendata._page_t(lg, 'action_' || h.action), opendata._page_date(h.at),
                                 coalesce(opendata._page_num(h.row_count, lg), ''),
                                 CASE WHEN h.rows_added IS NOT NULL THEN
                                   format('+%s / −%s / ~%s', opendata._page_num(h.rows_added, lg), opendata._page_num(h.rows_removed, lg),
                                          opendata._page_num(h.rows_changed, lg)) ELSE '' END),
                          '' ORDER BY h.version DESC, h.id DESC)
          FROM (SELECT * FROM opendata.history h WHERE h.dataset_id = internal.id ORDER BY h.version DESC, h.id DESC LIMIT 20) h);
  IF frag IS NOT NULL THEN
    body := body
         || format('<section><h2 id="h-history">%s</h2>', opendata._page_t(lg, 'history'))
         || format('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="h-history"><table><thead><tr><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th><th scope="col">%s</th></tr></thead><tbody>',
                   opendata._page_t(lg, 'h_version'), opendata._page_t(lg, 'h_action'), opendata._page_t(lg, 'h_date'),
                   opendata._page_t(lg, 'h_rows'), opendata._page_t(lg, 'h_changes'))
         || frag || '</tbody></table></div></section>';
  END IF;

  -- Lineage: the sources of a derived dataset, and what was derived from it
  -- (only what the caller can see).
  frag := concat(
         (SELECT format('<h3>%s</h3><ul>', opendata._page_t(lg, 'derived_from'))
                 || string_agg(format('<li><a href="%s">%s</a></li>',
                                      opendata._h(opendata._page_href('/datasets/' || opendata._page_enc(s.dataset_id), 'lang', l)),
                                      opendata._h(coalesce(s.title, s.dataset_id))), '' ORDER BY s.dataset_id) || '</ul>'
            FROM opendata_api.datasets s
           WHERE s.status = 'published'
             AND s.dataset_id IN (SELECT jsonb_array_elements_text(CASE
                     WHEN jsonb_typeof(internal.was_derived_from) = 'array' THEN internal.was_derived_from
                     WHEN jsonb_typeof(internal.was_derived_from->'datasets') = 'array' THEN internal.was_derived_from->'datasets'
                     ELSE '[]' END))
          HAVING count(*) > 0),
         (SELECT format('<h3>%s</h3><ul>', opendata._page_t(lg, 'derived_into'))
                 || string_agg(format('<li><a href="%s">%s</a></li>',
                                      opendata._h(opendata._page_href('/datasets/' || opendata._page_enc(s.dataset_id), 'lang', l)),
                                      opendata._h(coalesce(s.title, s.dataset_id))), '' ORDER BY s.dataset_id) || '</ul>'
            FROM opendata_api.datasets s JOIN opendata.datasets o ON o.slug = s.dataset_id
           WHERE s.status = 'published'
             AND (o.was_derived_from->'datasets' ? v_slug OR o.was_derived_from ? v_slug)
          HAVING count(*) > 0));
  IF frag <> '' THEN
    body := body || format('<section aria-labelledby="h-lineage"><h2 id="h-lineage">%s</h2>%s</section>', opendata._page_t(lg, 'lineage'), frag);
  END IF;

  PERFORM opendata._count_call('pages', v_slug, NULL, NULL);
  RETURN opendata._page_document(lg, coalesce(d.title, d.dataset_id), body, path,
                                 ARRAY['where', v_where, 'refine', v_refine::text, 'exclude', v_exclude::text, 'after', v_after],
                                 head, true, status);
END
$$;
COMMENT ON FUNCTION opendata_api.dataset_page(text, text, opendata_api.facet_items, opendata_api.facet_items, text, text) IS
  'a published dataset''s page (HTML): metadata, fields, records preview, map, downloads, API, reuses, history, lineage';

-- An organization's page: its description, website and published datasets.
CREATE FUNCTION opendata_api.organization_page(id text, lang text DEFAULT 'fr')
RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
  lg text := opendata._page_check_lang($2);
  l text := opendata._page_lang_arg(lg);
  v_id text := $1;
  o record;
  items text;
  n bigint;
  body text;
BEGIN
  SELECT * INTO o FROM opendata_api.organizations v WHERE v.organization_id = v_id;
  IF NOT FOUND THEN
    RETURN opendata._page_not_found(lg);
  END IF;
  SELECT string_agg(opendata._page_dataset_item(to_jsonb(d), lg), '' ORDER BY d.title, d.dataset_id), count(*)
    INTO items, n
    FROM opendata_api.datasets d WHERE d.publisher_id = v_id AND d.status = 'published';
  body := format('<h1>%s</h1>', opendata._h(o.name))
       || opendata._page_paragraphs(o.description)
       || CASE WHEN opendata._page_safe_url(o.homepage) IS NOT NULL THEN
            format('<p>%s : %s</p>', opendata._page_t(lg, 'website'), opendata._page_link(o.homepage, o.homepage)) ELSE '' END
       || format('<section aria-labelledby="h-datasets"><h2 id="h-datasets">%s</h2>', opendata._page_t(lg, 'datasets_of'))
       || format('<p>%s · <a href="%s">%s</a></p>', opendata._page_count(n, lg, 'dataset_1', 'dataset_n'),
                 opendata._h(opendata._page_href('/search', 'refine', ARRAY['publisher:' || v_id]::text, 'lang', l)),
                 opendata._page_t(lg, 'search'))
       || coalesce('<ul class="datasets">' || items || '</ul>', '')
       || '</section>';
  RETURN opendata._page_document(lg, o.name, body, '/organizations/' || opendata._page_enc(v_id));
END
$$;
COMMENT ON FUNCTION opendata_api.organization_page(text, text) IS 'an organization''s page (HTML) with its published datasets';

-- The declared reuses, newest first, with the datasets they use.
CREATE FUNCTION opendata_api.reuses_page(lang text DEFAULT 'fr')
RETURNS opendata_api."text/html"
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
  lg text := opendata._page_check_lang($1);
  l text := opendata._page_lang_arg(lg);
  items text;
BEGIN
  SELECT string_agg(
           format('<li class="reuse"><h2 class="h3">%s</h2><p class="meta">%s%s</p>%s%s</li>',
                  opendata._page_link(r.url, r.title), opendata._page_t(lg, 'type_' || r.type),
                  CASE WHEN r.author IS NOT NULL THEN ', ' || opendata._page_t(lg, 'by') || ' ' || opendata._h(r.author) ELSE '' END,
                  opendata._page_paragraphs(r.description),
                  coalesce((SELECT format('<p>%s : ', opendata._page_t(lg, 'reuse_datasets'))
                                   || string_agg(format('<a href="%s">%s</a>',
                                        opendata._h(opendata._page_href('/datasets/' || opendata._page_enc(d.dataset_id), 'lang', l)),
                                        opendata._h(coalesce(d.title, d.dataset_id))), ', ' ORDER BY d.title) || '</p>'
                              FROM opendata_api.datasets d
                             WHERE r.datasets ? d.dataset_id AND d.status = 'published'
                            HAVING count(*) > 0), '')),
           '' ORDER BY r.created DESC, r.reuse_id)
    INTO items
    FROM opendata_api.reuses r;
  RETURN opendata._page_document(lg, opendata._page_t(lg, 'reuses'),
           format('<h1>%s</h1>', opendata._page_t(lg, 'reuses'))
           || coalesce('<ul class="reuses">' || items || '</ul>', format('<p>%s</p>', opendata._page_t(lg, 'no_reuses'))),
           '/reuses');
END
$$;
COMMENT ON FUNCTION opendata_api.reuses_page(text) IS 'the declared reuses (HTML)';

-- The pages' one stylesheet, served at /assets/portal.css (CSP: style-src
-- 'self').  Colours pass WCAG AA contrast on their backgrounds.
CREATE FUNCTION opendata_api.portal_css() RETURNS opendata_api."text/css"
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM set_config('response.headers', json_build_array(
    json_build_object('Content-Type', 'text/css; charset=utf-8'),
    json_build_object('X-Content-Type-Options', 'nosniff'),
    json_build_object('Cache-Control', 'public, max-age=3600'))::text, true);
  RETURN $css$
:root { --ink: #1b1f23; --muted: #4a5560; --accent: #0b5c42; --line: #cfd8dc; --bg: #ffffff; --soft: #f2f5f4; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, [tabindex]:focus { outline: 3px solid #b35c00; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header.site { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1.5rem; background: var(--accent); color: #fff; }
header.site a { color: #fff; }
header.site .brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; }
header.site nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; }
header.site form { margin-left: auto; }
header.site label { position: absolute; left: -9999px; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer.site { border-top: 1px solid var(--line); padding: 1rem 1.5rem; color: var(--muted); }
h1 { font-size: 2rem; line-height: 1.2; margin: 1rem 0; overflow-wrap: anywhere; }
h2, .h3 { margin-top: 2rem; }
h2.h3, .h3 { font-size: 1.15rem; }
input[type=search], input[type=text] { font: inherit; padding: .4rem .6rem; border: 1px solid #6b7780; border-radius: 4px; min-width: 12rem; max-width: 100%; }
button { font: inherit; padding: .4rem 1rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
header.site button { background: #fff; color: var(--accent); }
.big-search { margin: 1.5rem 0; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.big-search label { width: 100%; font-weight: 600; }
.big-search input { flex: 1 1 20rem; }
ul.chips { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
ul.chips li { background: var(--soft); border-radius: 1rem; padding: .2rem .8rem; }
ul.datasets, ul.reuses { list-style: none; padding: 0; }
li.dataset, li.reuse { border-bottom: 1px solid var(--line); padding: .5rem 0 1rem; }
li.dataset h3, li.reuse h2 { margin: .5rem 0 .25rem; overflow-wrap: anywhere; }
.meta, .count, .media { color: var(--muted); }
.with-sidebar { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; }
.with-sidebar > aside { flex: 1 1 14rem; max-width: 20rem; }
.with-sidebar > section, .with-sidebar > .records { flex: 3 1 30rem; min-width: 0; }
.facet ul, .active-filters ul { list-style: none; padding: 0; margin: 0; }
.facet li, .active-filters li { padding: .15rem 0; overflow-wrap: anywhere; }
.facet h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
a.exclude { font-size: .85rem; margin-left: .25rem; }
li.refined span:first-child { font-weight: 700; }
.pager ul { list-style: none; display: flex; gap: 1.5rem; padding: 0; flex-wrap: wrap; }
dl.meta { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .3rem 1rem; color: var(--ink); }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--soft); }
figure.map { margin: 1rem 0; }
figure.map svg { width: 100%; max-height: 28rem; border: 1px solid var(--line); }
figure.map .map-canvas { width: 100%; height: 28rem; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .9rem; }
.error { border-left: 4px solid #a4161a; background: #fdeced; padding: .5rem 1rem; }
code { overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  header.site form { margin-left: 0; width: 100%; }
  dl.meta { grid-template-columns: 1fr; }
  h1 { font-size: 1.6rem; }
}
$css$;
END
$$;
COMMENT ON FUNCTION opendata_api.portal_css() IS 'the stylesheet of the pages';
