  /* ---- title header: the title is its summary; source and disclaimer unfold on a tap ---- */
  Runtime.prototype.titlePanel = function () {
    var d = panel("lz-title"), det = el("details", null, null, d);
    det.open = !this.narrow();
    this.titleDetails = det;
    this.fillTitle();
    control("topleft", d).addTo(this.map);
  };

  /** A phone-sized map: panels start folded. */
  Runtime.prototype.narrow = function () { return this.map.getSize().x <= NARROW; };

  Runtime.prototype.fillTitle = function () {
    var cfg = this.cfg, lang = this.lang, det = this.titleDetails, open = det.open;
    det.textContent = "";
    var sum = el("summary", null, null, det), h = el("h1", null, null, sum);
    if (lang === "both") { el("span", null, cfg.title.zh, h); el("span", "lz-en", cfg.title.en, h); }
    else { h.textContent = bi(lang, cfg.title); }
    var s = cfg.source || {};
    var src = el("div", "lz-src", this.t("source") + ": " + [s.publisher, s.date].filter(Boolean).join(", "), det);
    if (s.title) { src.title = s.title; }
    var disc = bi(lang, cfg.disclaimer, "\n");
    if (disc) { var dd = el("div", "lz-disc", null, det); disc.split("\n").forEach(function (line) { el("div", null, line, dd); }); }
    if (cfg.shift) { el("div", "lz-shift", this.t("shifted"), det); }
    det.open = open;
    document.title = bi(lang, cfg.title, " | ");
  };

  /* ---- legend: one, bilingual, grouped by element, follows visibility ---- */
  Runtime.prototype.swatch = function (c, lc) {
    var st = this.cfg.styles[c.s], s = svgEl("svg", { width: 30, height: 18, viewBox: "0 0 30 18" });
    var dash = st.dashArray || null;
    if (c.gk === "pt") {
      var g = svgEl("g", { transform: "translate(8,2)" }, s);
      g.appendChild(symbolSvg(st, Math.min(2 * st.radius, 14)));
    } else if (c.gk === "ln") {
      svgEl("line", { x1: 2, y1: 9, x2: lc.arrows ? 22 : 28, y2: 9, stroke: st.color,
        "stroke-width": Math.min(st.weight, 5), "stroke-dasharray": dash }, s);
      if (lc.arrows) { svgEl("polygon", { points: "29,9 20,3.5 20,14.5", fill: st.color }, s); }
    } else {
      var fill = st.fill ? (st.hatchId ? "url(#" + st.hatchId + ")" : st.fillColor) : "none";
      svgEl("rect", { x: 2, y: 2, width: 26, height: 14, fill: fill, "fill-opacity": st.fill ? Math.max(st.fillOpacity, 0.25) : 0,
        stroke: st.color, "stroke-width": Math.min(st.weight, 3), "stroke-dasharray": dash }, s);
    }
    return s;
  };

  Runtime.prototype.legend = function () {
    var d = panel("lz-legend"), det = el("details", null, null, d);
    det.open = !this.narrow();
    this.legendPanel = d;
    this.legendDetails = det;
    this.fillLegend();
    control("bottomleft", d).addTo(this.map);
  };

  Runtime.prototype.fillLegend = function () {
    var self = this, det = this.legendDetails;
    det.textContent = "";
    el("summary", null, this.t("legend"), det);
    this.legendRows = [];
    this.order.forEach(function (id) {
      var entry = self.layers[id], lc = entry.cfg, grp = el("div", "lz-lg-group", null, det);
      grp.setAttribute("data-layer", id);
      el("div", "lz-lg-head", bi(self.lang, lc.title), grp);
      entry.classes.forEach(function (ce) {
        var row = el("div", "lz-lg-row", null, grp), c = ce.cfg;
        row.setAttribute("data-layer", id);
        row.setAttribute("data-cls", c.id);
        row.appendChild(self.swatch(c, lc));
        el("span", null, self.schMark(bi(self.lang, c.label), c.sch) + " · " + c.p.length, row);
        self.legendRows.push({ node: row, entry: entry, ce: ce });
      });
      self.legendRows.push({ node: grp, entry: entry, ce: null });
    });
    el("div", "lz-lg-note", this.t("schematicNote"), det);
  };

  /** Keep the legend (bottom left) clear of the title, zoom and tool buttons (top left): cap its
   *  height to the room between them, so it scrolls instead; on a short map it starts collapsed. */
  Runtime.prototype.layout = function (first) {
    var d = this.legendPanel, box = this.map.getContainer();
    if (!d) { return; }
    var top = box.getBoundingClientRect().top, above = 0;
    var nodes = box.querySelectorAll(".leaflet-top.leaflet-left .leaflet-control");
    for (var i = 0; i < nodes.length; i++) {
      var r = nodes[i].getBoundingClientRect();
      if (r.height > 0) { above = Math.max(above, r.bottom - top); }
    }
    // the legend is anchored at its bottom, which does not move when its height changes
    var room = Math.floor(d.getBoundingClientRect().bottom - top - above - 10);
    d.style.maxHeight = Math.max(room, 0) + "px";
    if (first && room < LEGEND_OPEN_FROM) { this.legendDetails.open = false; }
  };

  Runtime.prototype.sync = function () {
    var map = this.map;
    (this.legendRows || []).forEach(function (r) {
      var on = map.hasLayer(r.entry.group) && (r.ce ? map.hasLayer(r.ce.group) && r.ce.feats.length > 0 : true);
      r.node.classList.toggle("lz-hidden", !on);
    });
    if (this.ready) { this.placeLabels(); }
  };

  Runtime.prototype.setVisible = function (id, cls, on) {
    var entry = this.layers[id];
    if (!entry) { return; }
    var target = entry.group;
    if (cls !== null && cls !== undefined) {
      entry.classes.forEach(function (ce) { if (ce.cfg.id === cls) { target = ce.group; } });
      if (target === entry.group) { return; }
      if (on) { entry.group.addLayer(target); } else { entry.group.removeLayer(target); }
    } else if (on) { this.map.addLayer(target); } else { this.map.removeLayer(target); }
    var boxes = document.querySelectorAll(".lz-layers input");
    for (var i = 0; i < boxes.length; i++) {
      var b = boxes[i];
      if (b.lzLayer === id && (b.lzCls === cls || (b.lzCls === null && (cls === null || cls === undefined)))) { b.checked = on; }
    }
    this.sync();
  };

  /* ---- layer control grouped by element (element checkbox, then one checkbox per class) ---- */
  Runtime.prototype.layerControl = function () {
    var d = panel("lz-layers"), det = el("details", null, null, d);
    det.open = false;  // the legend shows what is on; the control opens on demand
    this.layersDetails = det;
    this.fillLayerControl();
    control("topright", d).addTo(this.map);
  };

  Runtime.prototype.fillLayerControl = function () {
    var self = this, det = this.layersDetails, map = this.map;
    det.textContent = "";
    el("summary", null, this.t("layers"), det);
    function box(parent, text, id, cls, swatch) {
      var lab = el("label", null, null, parent), inp = el("input", null, null, lab);
      inp.type = "checkbox";
      var entry = self.layers[id], target = entry.group;
      entry.classes.forEach(function (ce) { if (ce.cfg.id === cls) { target = ce.group; } });
      inp.checked = cls === null ? map.hasLayer(entry.group) : entry.group.hasLayer(target);
      inp.lzLayer = id;
      inp.lzCls = cls;
      inp.setAttribute("data-layer", id);
      if (cls !== null) { inp.setAttribute("data-cls", cls); }
      inp.addEventListener("change", function () { self.setVisible(id, cls, inp.checked); });
      if (swatch) { lab.appendChild(swatch); }
      el("span", null, text, lab);
    }
    if (this.tiles) {
      var tl = el("label", null, null, det), ti = el("input", null, null, tl);
      ti.type = "checkbox";
      ti.checked = self.map.hasLayer(self.tiles[0]);
      ti.addEventListener("change", function () {
        self.tiles.forEach(function (t) { if (ti.checked) { t.addTo(self.map); } else { self.map.removeLayer(t); } });
      });
      el("span", null, this.t("basemap"), tl);
    }
    this.order.forEach(function (id) {
      var entry = self.layers[id], many = entry.classes.length > 1;
      var g = el(many ? "details" : "div", "lz-lc-group", null, det);
      g.setAttribute("data-layer", id);
      box(many ? el("summary", null, null, g) : g, bi(self.lang, entry.cfg.title), id, null,
        many ? null : self.swatch(entry.classes[0].cfg, entry.cfg));
      if (many) {
        var sub = el("div", "lz-lc-classes", null, g);
        entry.classes.forEach(function (ce) {
          box(sub, self.schMark(bi(self.lang, ce.cfg.label), ce.cfg.sch), id, ce.cfg.id,
            self.swatch(ce.cfg, entry.cfg));
        });
      }
    });
  };

