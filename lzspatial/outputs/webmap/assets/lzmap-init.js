  /** Fit the map to `bounds`, keeping clear of the side panels when the window is wide enough. */
  Runtime.prototype.fit = function (bounds) {
    var box = this.map.getContainer(), W = box.clientWidth;
    function widest(sel) {
      var w = 0, nodes = box.querySelectorAll(sel);
      for (var i = 0; i < nodes.length; i++) { w = Math.max(w, nodes[i].offsetWidth); }
      return w;
    }
    var left = widest(".leaflet-left .lz-panel"), right = widest(".leaflet-right .lz-panel"), m = FIT_MARGIN;
    if (this.narrow() || left + right > 0.6 * W) {
      // a phone: the folded panels sit above and below the district, never beside it
      var cr = box.getBoundingClientRect(), top = 0, bottom = 0;
      var nodes = box.querySelectorAll(".leaflet-control");
      for (var i = 0; i < nodes.length; i++) {
        var r = nodes[i].getBoundingClientRect();
        if (r.height === 0) { continue; }
        if (r.top - cr.top < cr.height / 2) { top = Math.max(top, r.bottom - cr.top); } else { bottom = Math.max(bottom, cr.bottom - r.top); }
      }
      this.map.fitBounds(bounds, { paddingTopLeft: [m / 2, top + m / 2], paddingBottomRight: [m / 2, bottom + m / 2], animate: false });
      return;
    }
    // the right-hand panels (search, layers) sit at the top: keep the whole top-right corner free of
    // the bounds, so a symbol at the edge (the Shenyang centre star) and its label stay uncovered
    this.map.fitBounds(bounds, { paddingTopLeft: [left + m, m], paddingBottomRight: [right + m, m], animate: false });
  };

  /* ---- counts for tests and notebooks ---- */
  Runtime.prototype.counts = function () {
    var out = {}, map = this.map, self = this;
    this.order.forEach(function (id) {
      var entry = self.layers[id], n = 0;
      entry.classes.forEach(function (ce) { if (map.hasLayer(ce.group)) { n += ce.feats.length; } });
      out[id] = n;
    });
    return out;
  };

  Runtime.prototype.run = function () {
    var self = this, cfg = this.cfg, map = this.map;
    this.styles();
    this.tiles = null;
    if (cfg.tiles && cfg.tiles.length) {
      this.tiles = cfg.tiles.map(function (t) { return L.tileLayer(t.url, t.options).addTo(map); });
    }
    var byId = {};
    cfg.layers.forEach(function (lc) { byId[lc.id] = lc; self.order.push(lc.id); });
    cfg.draw.forEach(function (id) { self.draw(byId[id]); });  // build layers (not on the map yet)
    this.titlePanel();
    L.control.zoom({ position: "topleft" }).addTo(map);
    this.tools();
    this.langSwitch();
    this.searchBox();
    this.layerControl();
    // bottom-left corner, bottom up: the scale bar with the ratio scale, then the legend above it
    this.ratioScale(L.control.scale({ imperial: false, position: "bottomleft", maxWidth: 160 }).addTo(map));
    this.legend();
    this.northArrow();
    this.layout(true);
    map.on("resize", function () { self.layout(false); });
    if (cfg.bounds) { this.fit(cfg.bounds); }  // set the view first: features are projected once
    cfg.draw.forEach(function (id) { if (self.layers[id].cfg.on !== false) { self.layers[id].group.addTo(map); } });
    if (this.points) { this.points.addTo(map); }  // above the vector layers
    this.fillLayerControl();  // the boxes show what is on
    this.ready = true;
    this.sync();  // legend rows of what is on, then the labels
    map.on("moveend resize", function () { self.placeLabels(); });
    this.readyMs = window.performance ? performance.now() : null;  // ms since navigation start
    map.getContainer().setAttribute("data-lz-ready", "1");
  };

  window.lzspatial = {
    init: function (map, cfg) {
      var rt = new Runtime(map, cfg);
      rt.run();
      window.lzmap = {
        runtime: rt,
        counts: function () { return rt.counts(); },
        search: function (q) { return rt.search(q).map(function (e) { return { layer: e.lc.id, zh: e.n.zh, en: e.n.en }; }); },
        select: function (q) { var h = rt.search(q); return h.length ? !!rt.select(h[0]) : false; },
        setVisible: function (id, cls, on) { rt.setVisible(id, cls === undefined ? null : cls, on); },
        setLang: function (lang) { rt.setLang(lang); },
        lang: function () { return rt.lang; },
        labels: function () { return rt.labelInfo(); },
        ratio: function () { return rt.ratio(); },
        measured: function () { return rt.measured; },
        readyMs: function () { return rt.readyMs; },
        pointsDrawn: function () { return rt.points ? rt.points.drawn : 0; }
      };
      return rt;
    }
  };
})();
