/* lzspatial big point layers: one canvas for every large point class, each class painted in ONE
 * constant style, hit-tested on a screen grid. The canvas ignores the pointer (pointer-events: none),
 * so the vector layers under it stay interactive; hovering and clicking are answered from the map's
 * own mouse events. Leaflet's canvas renderer, by contrast, swallows or loses events when it is
 * mixed with SVG layers, and spends ~30 µs per point on bookkeeping.
 */
(function () {
  "use strict";
  var CELL = 16;  // px, hit-test grid

  /** One feature of a big point class: enough of a Leaflet layer for popups, tooltips and search. */
  function PointFeature(info, i) { this.lzf = info; this.lzi = i; }
  PointFeature.prototype.getLatLng = function () {
    var xy = this.lzf.cls.xy;
    return L.latLng(xy[2 * this.lzi + 1], xy[2 * this.lzi]);
  };

  var PointCanvas = L.Layer.extend({
    initialize: function (handlers) {
      this.sets = [];        // {info, st, on, u: Float64Array, v: Float64Array, feats}
      this.handlers = handlers;
      this.drawn = 0;
    },

    /** Register the points of one class (flat [x0, y0, x1, y1, ...] lon/lat); return its features. */
    addSet: function (info, st) {
      var xy = info.cls.xy, n = xy.length / 2, u = new Float64Array(n), v = new Float64Array(n), feats = [];
      var MAXLAT = 85.0511287798, d2r = Math.PI / 180;
      for (var i = 0; i < n; i++) {  // Web Mercator in [0, 1] (times 256 * 2^zoom = pixels)
        var lat = Math.max(Math.min(xy[2 * i + 1], MAXLAT), -MAXLAT), s = Math.sin(lat * d2r);
        u[i] = (xy[2 * i] + 180) / 360;
        v[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
        feats.push(new PointFeature(info, i));
      }
      var set = { info: info, st: st, on: false, u: u, v: v, feats: feats };
      this.sets.push(set);
      return set;
    },

    /** A layer standing for one class in layer groups: adding it shows the class, removing hides it. */
    toggle: function (set) {
      var pc = this;
      var T = L.Layer.extend({
        onAdd: function () { set.on = true; pc.schedule(); },
        onRemove: function () { set.on = false; pc.schedule(); }
      });
      return new T();
    },

    onAdd: function (map) {
      // own pane above the vector layers (overlay pane 400; Leaflet puts canvases under SVG there)
      // and below markers, labels and popups
      var pane = map.getPane("lzPoints") || map.createPane("lzPoints");
      pane.style.zIndex = 450;
      pane.style.pointerEvents = "none";
      this.canvas = L.DomUtil.create("canvas", "lz-points leaflet-zoom-animated", pane);
      this.canvas.style.pointerEvents = "none";
      this.ctx = this.canvas.getContext("2d");
      this.redraw();
    },

    onRemove: function () { L.DomUtil.remove(this.canvas); this.canvas = null; },

    getEvents: function () {
      return { moveend: this.redraw, resize: this.redraw, zoomanim: this.animate, mousemove: this.hover,
        click: this.click, mouseout: this.out };
    },

    schedule: function () {
      var self = this;
      if (!this._map || this._pending) { return; }
      this._pending = L.Util.requestAnimFrame(function () { self._pending = null; self.redraw(); });
    },

    animate: function (e) {  // scale the last frame during zoom animations, like Leaflet's image overlays
      if (!this._bounds) { return; }
      var map = this._map, scale = map.getZoomScale(e.zoom),
        offset = map._latLngBoundsToNewLayerBounds(this._bounds, e.zoom, e.center).min;
      L.DomUtil.setTransform(this.canvas, offset, scale);
    },

    redraw: function () {
      var map = this._map;
      if (!map || !this.canvas) { return; }
      var size = map.getSize(), dpr = window.devicePixelRatio || 1, topLeft = map.containerPointToLayerPoint([0, 0]);
      var c = this.canvas, ctx = this.ctx;
      L.DomUtil.setPosition(c, topLeft);
      c.width = Math.round(size.x * dpr);
      c.height = Math.round(size.y * dpr);
      c.style.width = size.x + "px";
      c.style.height = size.y + "px";
      this._bounds = map.getBounds();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      var ox = origin.x + topLeft.x, oy = origin.y + topLeft.y;
      var total = 0;
      this.sets.forEach(function (st) { if (st.on) { total += st.u.length; } });
      this.grid = new Map();  // cell -> indices into the hit arrays below
      this.hx = new Float32Array(total);
      this.hy = new Float32Array(total);
      this.hk = new Uint16Array(total);
      this.hi = new Uint32Array(total);
      this.drawn = 0;
      for (var k = 0; k < this.sets.length; k++) {
        var set = this.sets[k];
        if (!set.on) { continue; }
        this.drawSet(ctx, set, k, scale, ox, oy, size);
      }
    },

    /** The symbol of a class, drawn once; points are stamped with drawImage (one huge path rasterises slowly). */
    sprite: function (st, dpr) {
      var half = st.radius + st.weight, px = Math.ceil(2 * half * dpr) + 2, c = document.createElement("canvas");
      c.width = c.height = px;
      var g = c.getContext("2d");
      g.setTransform(dpr, 0, 0, dpr, px / 2, px / 2);
      g.beginPath();
      g.arc(0, 0, st.radius, 0, 2 * Math.PI);
      if (st.fill && st.fillOpacity > 0) {
        g.globalAlpha = st.fillOpacity;
        g.fillStyle = st.fillColor;
        g.fill();
      }
      g.globalAlpha = st.opacity;
      g.strokeStyle = st.color;
      g.lineWidth = st.weight;
      g.setLineDash(st.dashArray ? st.dashArray.split(/[ ,]+/).map(Number) : []);
      g.stroke();
      return { canvas: c, size: px / dpr };
    },

    drawSet: function (ctx, set, k, scale, ox, oy, size) {
      var st = set.st, r = st.radius, u = set.u, v = set.v, grid = this.grid, n = this.drawn;
      var hx = this.hx, hy = this.hy, hk = this.hk, hi = this.hi, dpr = window.devicePixelRatio || 1;
      if (!set.sprite || set.dpr !== dpr) { set.sprite = this.sprite(st, dpr); set.dpr = dpr; }
      var img = set.sprite.canvas, w = set.sprite.size, h = w / 2;
      for (var i = 0; i < u.length; i++) {
        var x = u[i] * scale - ox, y = v[i] * scale - oy;
        if (x < -r || y < -r || x > size.x + r || y > size.y + r) { continue; }
        ctx.drawImage(img, Math.round((x - h) * dpr) / dpr, Math.round((y - h) * dpr) / dpr, w, w);
        var key = Math.floor(x / CELL) * 65536 + Math.floor(y / CELL), cell = grid.get(key);
        if (cell === undefined) { grid.set(key, cell = []); }
        cell.push(n);
        hx[n] = x;
        hy[n] = y;
        hk[n] = k;
        hi[n] = i;
        n++;
      }
      this.drawn = n;
    },

    /** The topmost point under container point p (within its radius + 3 px), or null. */
    hit: function (p) {
      if (!this.grid) { return null; }
      var best = -1, bestD = Infinity, cx = Math.floor(p.x / CELL), cy = Math.floor(p.y / CELL);
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var cell = this.grid.get((cx + dx) * 65536 + cy + dy);
          if (!cell) { continue; }
          for (var j = 0; j < cell.length; j++) {  // later points are drawn on top: prefer them on ties
            var q = cell[j], d = Math.hypot(this.hx[q] - p.x, this.hy[q] - p.y);
            if (d <= this.sets[this.hk[q]].st.radius + 3 && (d < bestD || (d === bestD && q > best))) { best = q; bestD = d; }
          }
        }
      }
      return best >= 0 ? this.sets[this.hk[best]].feats[this.hi[best]] : null;
    },

    hover: function (e) {
      var map = this._map;
      if (!map || map.dragging && map.dragging.moving() || map._animatingZoom) { return; }
      var f = this.hit(e.containerPoint);
      if (f === this.hovered) { return; }
      this.hovered = f;
      map.getContainer().style.cursor = f ? "pointer" : "";
      map.getContainer().classList.toggle("lz-on-point", !!f);  // hides the tooltips of features below
      if (!f) { if (this.tip) { map.closeTooltip(this.tip); } return; }
      this.tip = this.tip || L.tooltip({ direction: "top", className: "lz-tip lz-tip-point" });
      this.tip.options.offset = [0, -f.lzf.st.radius];
      this.tip.setLatLng(f.getLatLng()).setContent(this.handlers.tooltip(f));
      map.openTooltip(this.tip);
    },

    out: function () {
      this.hovered = null;
      if (this._map) { this._map.getContainer().classList.remove("lz-on-point"); }
      if (this._map && this.tip) { this._map.closeTooltip(this.tip); }
    },

    click: function (e) {
      var f = this.hit(e.containerPoint);
      if (f) { this.handlers.popup({ layer: f, latlng: f.getLatLng() }); }
    }
  });

  window.lzspatialPoints = { PointCanvas: PointCanvas };
})();
