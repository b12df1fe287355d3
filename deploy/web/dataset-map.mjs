// The dataset page's interactive map (docs/maps.md, "The dataset page's
// map").  The page (opendata_api.dataset_page) draws its map as an SVG in
// <div class="map" data-dataset="..." data-map-label="..."><figure
// class="map">...</figure></div> and loads this module; with
// JavaScript and WebGL, the SVG gives way to a MapLibre GL JS map of the
// dataset's vector tiles, from this same origin (/tiles/<dataset>.json and
// /tiles/<dataset>/{z}/{x}/{y}.mvt, deploy/nginx/locations/tiles.conf).
// Without either, the SVG stays.
//
// No base map: the portal asks no third party for anything.  The div
// reports how far it got in data-map-state (loading, ready, unavailable)
// and, once the first tiles are drawn, data-map-features (the features
// drawn), which the browser test reads.
import { Map, NavigationControl } from './maplibre-gl.mjs';

const ACCENT = '#0b5c42';

// The style of any dataset: polygons filled, lines stroked, points as
// circles whose size follows point_count when the tile clustered them.
function style(tiles, layer, bounds, attribution) {
  const isType = (...types) => ['match', ['geometry-type'], types, true, false];
  return {
    version: 8,
    sources: {
      data: { type: 'vector', tiles: [tiles], minzoom: 0, maxzoom: 22, bounds, attribution },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f2f5f4' } },
      { id: 'fill', type: 'fill', source: 'data', 'source-layer': layer,
        filter: isType('Polygon', 'MultiPolygon'),
        paint: { 'fill-color': ACCENT, 'fill-opacity': 0.25 } },
      { id: 'line', type: 'line', source: 'data', 'source-layer': layer,
        filter: isType('Polygon', 'MultiPolygon', 'LineString', 'MultiLineString'),
        paint: { 'line-color': ACCENT, 'line-width': 1.2 } },
      { id: 'point', type: 'circle', source: 'data', 'source-layer': layer,
        filter: isType('Point', 'MultiPoint'),
        paint: {
          'circle-color': ACCENT,
          'circle-opacity': 0.8,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
          'circle-radius': ['case', ['has', 'point_count'],
            ['interpolate', ['linear'], ['sqrt', ['get', 'point_count']], 1, 4, 100, 22], 4],
        } },
    ],
  };
}

async function start(box, figure) {
  const dataset = box.dataset.dataset;
  const label = box.dataset.mapLabel || 'Map';
  const svg = figure.querySelector('svg');
  box.dataset.mapState = 'loading';
  // The TileJSON gives the data's bounds and attribution; the tiles are
  // asked for at this page's origin whatever base_url the catalog has.
  const root = window.location.origin + '/tiles/' + encodeURIComponent(dataset);
  const response = await fetch(root + '.json');
  if (!response.ok) throw new Error(`TileJSON: HTTP ${response.status}`);
  const tilejson = await response.json();
  const holder = document.createElement('div');
  holder.className = 'map-canvas';
  figure.insertBefore(holder, figure.firstChild);
  let map;
  try {
    map = new Map({
      container: holder,
      style: style(root + '/{z}/{x}/{y}.mvt', tilejson.vector_layers[0].id, tilejson.bounds,
                   tilejson.attribution || undefined),
      bounds: tilejson.bounds,
      fitBoundsOptions: { padding: 24, maxZoom: 16 },
      attributionControl: { compact: false },
    });
  } catch (e) {
    // No WebGL: the SVG stays.
    holder.remove();
    box.dataset.mapState = 'unavailable';
    return;
  }
  // The map's own label, in the page's language (MapLibre's default is
  // English "Map").
  map.getCanvas().setAttribute('aria-label', label);
  map.addControl(new NavigationControl({ showCompass: false }));
  map.once('load', () => {
    if (svg) svg.style.display = 'none';
  });
  map.once('idle', () => {
    box.dataset.mapFeatures = String(map.queryRenderedFeatures().length);
    box.dataset.mapState = 'ready';
  });
}

const box = document.querySelector('div.map[data-dataset]');
const figure = box && box.querySelector('figure.map');
if (figure) {
  start(box, figure).catch((e) => {
    box.dataset.mapState = 'unavailable';
    console.error('dataset map:', e);
  });
}
