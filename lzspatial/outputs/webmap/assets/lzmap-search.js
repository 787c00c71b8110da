  /* ---- search by Chinese name, English name or pinyin; zooms to and highlights the feature ---- */
  Runtime.prototype.buildIndex = function () {
    var self = this;
    this.order.forEach(function (id) {
      var entry = self.layers[id], lc = entry.cfg;
      if (!lc.search) { return; }
      entry.classes.forEach(function (ce) {
        ce.feats.forEach(function (f, i) {
          var row = ce.cfg.p[i], n = self.name(lc, row), py = lc.py >= 0 ? row[lc.py] : "";
          // pinyin initials too: "yang shi gang" -> "ysg"
          var initials = py ? String(py).trim().split(/\s+/).map(function (w) { return w.charAt(0); }).join("") : "";
          var keys = [n.zh, n.en, py, initials].filter(Boolean).map(norm);
          if (keys.length) { self.index.push({ f: f, n: n, keys: keys, lc: lc }); }
        });
      });
    });
  };

  Runtime.prototype.search = function (q) {
    var nq = norm(q), hits = [];
    if (!nq) { return hits; }
    if (!this.indexed) { this.buildIndex(); this.indexed = true; }  // built on first use
    this.index.forEach(function (e) {
      var best = 9;
      e.keys.forEach(function (k) {
        var p = k.indexOf(nq);
        if (p === 0) { best = Math.min(best, k.length === nq.length ? 0 : 1); } else if (p > 0) { best = Math.min(best, 2); }
      });
      if (best < 9) { hits.push({ e: e, rank: best }); }
    });
    hits.sort(function (a, b) { return a.rank - b.rank; });
    return hits.slice(0, 10).map(function (h) { return h.e; });
  };

  Runtime.prototype.select = function (e) {
    var f = e.f, info = f.lzf, map = this.map;
    if (!map.hasLayer(info.entry.group)) { this.setVisible(info.layer.id, null, true); }
    var ce = info.entry.classes[info.ci];
    if (!info.entry.group.hasLayer(ce.group)) { this.setVisible(info.layer.id, ce.cfg.id, true); }
    this.highlight.clearLayers();
    var hl = { color: "#00b8d4", weight: 6, opacity: 0.9, fill: false, interactive: false, className: "lz-highlight" };
    if (f.getLatLng) {
      var ll = f.getLatLng();
      this.highlight.addLayer(L.circleMarker(ll, Object.assign({ radius: 16 }, hl)));
      map.setView(ll, Math.max(map.getZoom(), 13));
    } else {
      this.highlight.addLayer(L.GeoJSON.geometryToLayer(f.toGeoJSON(6).geometry, hl));
      map.fitBounds(f.getBounds(), { maxZoom: 14, padding: [40, 40] });
    }
    this.selected = f;
    // its popup, at the point or at the middle of the shape, without panning the view again
    this.popup({ layer: f, latlng: f.getLatLng ? f.getLatLng() : f.getBounds().getCenter(), autoPan: false });
    return f;
  };

  Runtime.prototype.searchBox = function () {
    var self = this, d = panel("lz-search"), inp = el("input", null, null, d), ul = el("ul", null, null, d);
    inp.type = "search";
    this.searchInput = inp;
    inp.placeholder = this.t("search");
    inp.setAttribute("aria-label", this.t("search"));
    var current = [];
    function show() {
      ul.textContent = "";
      current = self.search(inp.value);
      if (!current.length && norm(inp.value)) { el("li", "lz-sr-none", self.t("noHits"), ul); }
      current.forEach(function (e, i) {
        var li = el("li", i === 0 ? "lz-active" : null, null, ul);
        el("span", "lz-sr-name", bi(self.lang, e.n), li);
        el("span", "lz-sr-layer", bi(self.lang, e.lc.title), li);
        li.addEventListener("click", function () { self.select(e); });
      });
    }
    inp.addEventListener("input", show);
    inp.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && current.length) { self.select(current[0]); }
      if (ev.key === "Escape") { inp.value = ""; show(); self.highlight.clearLayers(); }
    });
    control("topright", d).addTo(this.map);
  };

