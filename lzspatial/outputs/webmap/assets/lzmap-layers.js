  /* ---- symbols: circle markers for circles, DOM-built SVG divIcons for star/square/diamond ---- */
  function starPoints(r, n, inner) {
    var pts = [];
    for (var i = 0; i < 2 * n; i++) {
      var a = Math.PI * i / n - Math.PI / 2, rr = i % 2 ? r * inner : r;
      pts.push((rr * Math.cos(a)).toFixed(2) + "," + (rr * Math.sin(a)).toFixed(2));
    }
    return pts.join(" ");
  }
  function symbolSvg(st, size) {
    var r = size / 2, s = svgEl("svg", { width: size + 4, height: size + 4,
      viewBox: (-r - 2) + " " + (-r - 2) + " " + (size + 4) + " " + (size + 4) });
    var a = { fill: st.fillOpacity > 0 ? st.fillColor : "none", "fill-opacity": st.fillOpacity, stroke: st.color,
      "stroke-width": Math.min(st.weight, 2.5), "stroke-dasharray": st.dashArray || null };
    var shape = st.marker;
    if (shape === "star") { a.points = starPoints(r, 5, 0.45); svgEl("polygon", a, s); }
    else if (shape === "diamond") { a.points = "0," + (-r) + " " + r + ",0 0," + r + " " + (-r) + ",0"; svgEl("polygon", a, s); }
    else if (shape === "square") { a.x = -r * 0.8; a.y = -r * 0.8; a.width = r * 1.6; a.height = r * 1.6; svgEl("rect", a, s); }
    else { a.r = r; svgEl("circle", a, s); }
    return s;
  }

  function Runtime(map, cfg) {
    this.map = map;
    this.cfg = cfg;
    this.lang = cfg.lang || "both";
    this.canvas = null;
    this.layers = {};       // layer id -> {cfg, group, classes: [{cfg, group, feats: [leaflet layers]}]}
    this.order = [];
    this.index = [];        // search entries
    this.labelled = [];     // permanent labels (lzmap-labels.js)
    this.lzRank = 0;        // z-index offset of point symbols: later layers on top
    this.highlight = L.layerGroup().addTo(map);
  }

  Runtime.prototype.t = function (key) { return bi(this.lang, UI[key]); };
  // "(示意)" after a schematic class's label, unless its name already says so
  Runtime.prototype.schMark = function (text, sch) {
    return sch && !/示意|schematic/i.test(text) ? text + " (" + this.t("schematic") + ")" : text;
  };

  Runtime.prototype.styles = function () {
    var defs = svgEl("svg", { width: 0, height: 0, "aria-hidden": "true",
      style: "position:absolute;width:0;height:0;overflow:hidden" });
    var d = svgEl("defs", {}, defs);
    this.cfg.styles.forEach(function (st, i) {
      st.hatchId = null;
      if (!st.hatch) { return; }
      var p = svgEl("pattern", { id: "lz-hatch-" + i, patternUnits: "userSpaceOnUse", width: 8, height: 8,
        patternTransform: "rotate(45)" }, d);
      svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 8, stroke: st.fillColor, "stroke-width": 3 }, p);
      st.hatchId = "lz-hatch-" + i;
    });
    document.body.appendChild(defs);
  };

  Runtime.prototype.options = function (lc, st, useCanvas) {
    var o = { color: st.color, weight: st.weight, opacity: st.opacity, fill: st.fill, fillColor: st.fillColor,
      fillOpacity: st.fillOpacity, dashArray: st.dashArray || null, radius: st.radius,
      className: "lz-f lz-l-" + lc.id };
    if (st.hatchId && !useCanvas) { o.fillColor = "url(#" + st.hatchId + ")"; }
    if (useCanvas) { o.renderer = this.canvas || (this.canvas = L.canvas({ padding: 0.3 })); }
    return o;
  };

  Runtime.prototype.pointLayer = function (lc, st, o, latlng) {
    if (st.marker === "circle" || !st.marker || o.renderer) { return L.circleMarker(latlng, o); }
    var size = 2 * st.radius;
    // symbols of later layers (centers) stay above earlier ones (the seat), whatever their latitude
    return L.marker(latlng, { keyboard: false, riseOnHover: true, bubblingMouseEvents: true,
      zIndexOffset: 1000 * this.lzRank + (st.radius || 0) * 10, icon: L.divIcon({
      className: "lz-sym lz-f lz-l-" + lc.id, html: symbolSvg(st, size),
      iconSize: [size + 4, size + 4], iconAnchor: [size / 2 + 2, size / 2 + 2] }) });
  };

  Runtime.prototype.draw = function (lc) {
    var self = this, map = this.map, entry = { cfg: lc, group: L.layerGroup(), classes: [] };
    var total = 0;
    lc.classes.forEach(function (c) { total += c.p.length; });
    var useCanvas = total > (self.cfg.canvasFrom || 2000);
    this.lzRank = this.cfg.draw.indexOf(lc.id) + 1;
    lc.classes.forEach(function (c, ci) {
      var st = self.cfg.styles[c.s], info = { layer: lc, cls: c, entry: entry, ci: ci, st: st };
      if (useCanvas && c.xy) {  // big point classes: painted on one shared canvas (lzpoints.js)
        var pc = self.points || (self.points = new window.lzspatialPoints.PointCanvas({
          tooltip: function (f) { return self.tooltip(f); }, popup: function (e) { self.popup(e); } }));
        var set = pc.addSet(info, st), toggle = pc.toggle(set);
        entry.classes.push({ cfg: c, group: toggle, feats: set.feats });
        entry.group.addLayer(toggle);
        return;
      }
      var o = self.options(lc, st, useCanvas), grp = L.featureGroup(), feats = [];
      var add = function (lyr, i) {
        lyr.lzf = info;  // shared by the class; the feature's row is lzi
        lyr.lzi = i;
        feats.push(lyr);
        // multi-points come back as a group: add its markers one by one (Leaflet's group tooltips
        // expect every member of the group to be a single path or marker)
        if (lyr.eachLayer) { lyr.eachLayer(function (s) { s.lzf = info; s.lzi = i; grp.addLayer(s); }); } else { grp.addLayer(lyr); }
      };
      if (c.xy) {
        for (var i = 0; i < c.p.length; i++) { add(self.pointLayer(lc, st, o, [c.xy[2 * i + 1], c.xy[2 * i]]), i); }
      } else {
        var go = Object.assign({}, o, { pointToLayer: function (g, ll) { return self.pointLayer(lc, st, o, ll); } });
        c.g.forEach(function (geom, i) { add(L.GeoJSON.geometryToLayer(geom, go), i); });
      }
      grp.bindTooltip(function (lyr) { return self.tooltip(lyr); }, { sticky: true, className: "lz-tip" });
      grp.on("click", function (e) { self.popup(e); });
      if (c.lab !== null && c.lab !== undefined && c.lt) { feats.forEach(function (f) { self.addLabel(f, st); }); }
      if (lc.arrows) { self.arrows(entry.group, grp, feats, st); }
      entry.classes.push({ cfg: c, group: grp, feats: feats });
      entry.group.addLayer(grp);
    });
    this.layers[lc.id] = entry;  // added to the map by run(), after the view is set
  };

  Runtime.prototype.name = function (lc, row) {
    var zh = lc.name[0] >= 0 ? row[lc.name[0]] : null, en = lc.name[1] >= 0 ? row[lc.name[1]] : null;
    return { zh: zh === null || zh === undefined ? "" : String(zh), en: en === null || en === undefined ? "" : String(en) };
  };

  /** Put popup value `v` into `td`: a string, or {zh, en}; an English text without its Chinese twin
   *  gets a visible "English only" mark when Chinese is asked for. */
  Runtime.prototype.cell = function (td, v) {
    if (typeof v !== "object") { td.textContent = String(v); return; }
    var lang = this.lang;
    if (v.zh === null || v.zh === undefined || v.zh === "") {
      td.textContent = v.en;
      if (lang !== "en") { el("span", "lz-en-only", bi(lang, this.cfg.enOnly, " / "), td); }
      return;
    }
    td.textContent = bi(lang, v, " / ");
  };

  Runtime.prototype.tooltip = function (lyr) {
    var f = lyr.lzf, node = el("span");
    el("span", "lz-tip-name", bi(this.lang, this.name(f.layer, f.cls.p[lyr.lzi])), node);
    if (f.cls.sch) { el("span", "lz-sch-tag", "(" + this.t("schematic") + ")", node); }
    return node;
  };

  Runtime.prototype.popupNode = function (lyr) {
    var f = lyr.lzf, lc = f.layer, c = f.cls, row = c.p[lyr.lzi], lang = this.lang, self = this;
    var node = el("div", "lz-popup");
    el("h4", null, bi(lang, this.name(lc, row)), node);
    el("div", "lz-sub", bi(lang, lc.title) + " · " + bi(lang, c.label), node);
    if (c.sch) { el("div", "lz-sch", this.t("schematic") + ": " + this.t("schematicLong"), node); }
    var tb = el("table", null, null, node), body = el("tbody", null, null, tb);
    lc.cols.forEach(function (col, j) {
      var v = row[j];
      if (v === null || v === undefined || v === "") { return; }
      var tr = el("tr", null, null, body);
      el("th", null, bi(lang, { zh: col[1], en: col[2] }, " / "), tr);
      self.cell(el("td", null, null, tr), v);
    });
    var coord = this.wgs(lyr);
    if (coord) { el("div", "lz-coord", coord, node); }
    return node;
  };

  Runtime.prototype.wgs = function (lyr) {
    var c = lyr.lzf.cls;
    if (c.w) { return (c.gk === "pt" ? this.t("wgs") : this.t("wgsRep")) + ": " + c.w[lyr.lzi]; }
    if (c.gk === "pt" && lyr.getLatLng) {
      var ll = lyr.getLatLng();
      return this.t("wgs") + ": " + ll.lng.toFixed(6) + ", " + ll.lat.toFixed(6);
    }
    return "";
  };

  Runtime.prototype.popup = function (e) {
    if (this.measure && this.measure.mode) { return; }
    // a click on a canvas point over a vector feature belongs to the point (lzpoints.js opens it)
    if (this.points && e.containerPoint && this.points.hit(e.containerPoint)) { return; }
    var lyr = e.layer || e.target, at = lyr.getLatLng ? lyr.getLatLng() : e.latlng;
    var pop = L.popup({ maxWidth: 360, autoPanPadding: [20, 20], autoPan: e.autoPan !== false })
      .setLatLng(at).setContent(this.popupNode(lyr));
    pop.lzSource = lyr;
    pop.openOn(this.map);
    return pop;
  };

  /* ---- directed axes: arrowheads drawn as small triangles, recomputed on zoom ---- */
  Runtime.prototype.arrows = function (parent, grp, feats, st) {
    // the arrowheads live beside the class group (not in it) and follow its visibility
    var map = this.map, deco = L.layerGroup();
    grp.on("add", function () { parent.addLayer(deco); });
    grp.on("remove", function () { parent.removeLayer(deco); });
    var opts = { stroke: false, fill: true, fillColor: st.color, fillOpacity: 0.95, interactive: false,
      className: "lz-deco lz-arrow" };
    function head(pts, at, back) {
      // walk back from index `at` to find a point at least `back` px away, to get the direction
      var tip = pts[at], j = at - 1;
      while (j > 0 && tip.distanceTo(pts[j]) < back) { j--; }
      if (j < 0) { return null; }
      var base = pts[j], dx = tip.x - base.x, dy = tip.y - base.y, len = Math.sqrt(dx * dx + dy * dy);
      if (len === 0) { return null; }
      var ux = dx / len, uy = dy / len, l = 8 + st.weight * 2.2, w = 4 + st.weight * 1.2;
      var b = L.point(tip.x - ux * l, tip.y - uy * l);
      return [tip, L.point(b.x - uy * w, b.y + ux * w), L.point(b.x + uy * w, b.y - ux * w)];
    }
    function redraw() {
      deco.clearLayers();
      feats.forEach(function (f) {
        var parts = f.getLatLngs();
        if (parts.length && !Array.isArray(parts[0])) { parts = [parts]; }
        parts.forEach(function (lls) {
          if (lls.length < 2) { return; }
          var pts = lls.map(function (ll) { return map.latLngToLayerPoint(ll); });
          var heads = [head(pts, pts.length - 1, 6)];
          // a second chevron half-way along the line
          var total = 0, acc = 0, k;
          for (k = 1; k < pts.length; k++) { total += pts[k].distanceTo(pts[k - 1]); }
          for (k = 1; k < pts.length && total > 160; k++) {
            var seg = pts[k].distanceTo(pts[k - 1]);
            if (acc + seg >= total / 2) {
              var r = (total / 2 - acc) / seg, mid = pts[k - 1].add(pts[k].subtract(pts[k - 1]).multiplyBy(r));
              heads.push(head([pts[k - 1], mid], 1, 1));
              break;
            }
            acc += seg;
          }
          heads.forEach(function (h) {
            if (h) { deco.addLayer(L.polygon(h.map(function (p) { return map.layerPointToLatLng(p); }), opts)); }
          });
        });
      });
    }
    redraw();
    map.on("zoomend", redraw);
  };

