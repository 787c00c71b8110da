/* lzspatial web map runtime (inlined into every map; no network, no dependencies but Leaflet).
 *
 * lzspatial.init(map, cfg) draws the layers of cfg (one feature group per layer, style class and
 * schematic flag, each with ONE constant style object), then adds the title panel, legend, grouped
 * layer control, search, measuring tools, fullscreen and a metric scale bar.
 *
 * Safety: every text that comes from data is put into the page with textContent (or as an attribute
 * via a DOM property), never with innerHTML.
 */
(function () {
  "use strict";

  var UI = {
    layers: { zh: "图层", en: "Layers" },
    legend: { zh: "图例", en: "Legend" },
    search: { zh: "搜索：中文、英文或拼音", en: "Search: Chinese, English or pinyin" },
    noHits: { zh: "未找到", en: "No match" },
    source: { zh: "来源", en: "Source" },
    schematic: { zh: "示意", en: "schematic" },
    schematicLong: { zh: "示意性几何，非测绘或官方数据", en: "schematic geometry, not survey or official data" },
    schematicNote: { zh: "虚线或空心符号 = 示意性几何", en: "dashed or hollow = schematic geometry" },
    basemap: { zh: "底图", en: "Basemap" },
    fullscreen: { zh: "全屏", en: "Fullscreen" },
    distance: { zh: "测距离（米）", en: "Measure distance (m)" },
    area: { zh: "测面积（公顷）", en: "Measure area (ha)" },
    dist: { zh: "距离", en: "Distance" },
    areaWord: { zh: "面积", en: "Area" },
    hint: { zh: "单击加点，双击结束，Esc 清除", en: "click to add points, double-click to finish, Esc to clear" },
    wgs: { zh: "WGS84 坐标", en: "WGS84 lon, lat" },
    wgsRep: { zh: "WGS84 代表点", en: "WGS84 representative point" },
    shifted: { zh: "图层已偏移至 GCJ-02 以对齐高德底图；弹窗坐标为 WGS84。",
               en: "Layers shifted to GCJ-02 to match the Gaode basemap; popups give WGS84 coordinates." }
  };
  var SVGNS = "http://www.w3.org/2000/svg";
  var LEGEND_OPEN_FROM = 140;  // px of room under the top-left controls below which the legend starts closed
  var FIT_MARGIN = 24;         // px kept free around the fitted bounds (room for a symbol and its label)
  var ICONS = {
    fullscreen: "M3 3h6v2H5v4H3zm12 0h6v6h-2V5h-4zM3 15h2v4h4v2H3zm16 0h2v6h-6v-2h4z",
    distance: "M2 8h20v8H2zm2 2v4h2v-2h1v2h2v-3h1v3h2v-2h1v2h2v-3h1v3h2v-2h1v2h1v-4z",
    area: "M4 5l9-2 7 7-3 10H6L3 12zm2 1.6L5 11.7 7.4 18h8.1l2.3-7.5-5.4-5.3z"
  };

  function bi(lang, o, sep) {
    if (!o) { return ""; }
    var zh = o.zh || "", en = o.en || "";
    if (lang === "zh") { return zh || en; }
    if (lang === "en") { return en || zh; }
    if (!zh || !en || zh === en) { return zh || en; }
    return zh + (sep === undefined ? " " : sep) + en;
  }
  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) { if (attrs[k] !== undefined && attrs[k] !== null) { e.setAttribute(k, String(attrs[k])); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function icon(d) {
    var s = svgEl("svg", { width: 18, height: 18, viewBox: "0 0 24 24", "aria-hidden": "true" });
    svgEl("path", { d: d, fill: "#333" }, s);
    return s;
  }
  function norm(s) {
    return String(s || "").toLowerCase().replace(/[\s\-_'’·.,()（）]+/g, "");
  }
  function fmtInt(x) { return Math.round(x).toLocaleString("en-US"); }
  function panel(cls) {
    var d = el("div", "lz-panel " + cls);
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    return d;
  }
  function control(position, node) {
    var C = L.Control.extend({ onAdd: function () { return node; } });
    return new C({ position: position });
  }

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
    this.labelled = [];     // features with permanent labels
    this.highlight = L.layerGroup().addTo(map);
  }

  Runtime.prototype.t = function (key) { return bi(this.lang, UI[key]); };

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
    return L.marker(latlng, { keyboard: false, riseOnHover: true, bubblingMouseEvents: true, icon: L.divIcon({
      className: "lz-sym lz-f lz-l-" + lc.id, html: symbolSvg(st, size),
      iconSize: [size + 4, size + 4], iconAnchor: [size / 2 + 2, size / 2 + 2] }) });
  };

  Runtime.prototype.draw = function (lc) {
    var self = this, map = this.map, entry = { cfg: lc, group: L.layerGroup(), classes: [] };
    var total = 0;
    lc.classes.forEach(function (c) { total += c.p.length; });
    var useCanvas = total > (self.cfg.canvasFrom || 2000);
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
      if (c.lab) { feats.forEach(function (f) { self.label(f, st); }); }
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

  Runtime.prototype.label = function (f, st) {
    var n = this.name(f.lzf.layer, f.lzf.cls.p[f.lzi]), node = el("div");
    if (this.lang === "both") { el("span", null, n.zh || n.en, node); if (n.zh && n.en) { el("span", "lz-en", n.en, node); } }
    else { node.textContent = bi(this.lang, n); }
    f.bindTooltip(node, { permanent: true, direction: "right", offset: [st.radius + 2, 0], interactive: false,
      className: "lz-label" + (typeof f.lzf.cls.lab === "string" ? " lz-label-" + f.lzf.cls.lab : "") });
    f.lzRadius = st.radius;
    this.labelled.push(f);
  };

  /** Place permanent labels right, left, above or below their marker, whichever overlaps least. */
  Runtime.prototype.placeLabels = function () {
    var placed = [], map = this.map;
    function overlap(a, b) {
      var w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      return w > 0 && h > 0 ? w * h : 0;
    }
    function markerRect(f) {
      var p = map.latLngToContainerPoint(f.getLatLng()), r = f.lzRadius + 1, c = map.getContainer().getBoundingClientRect();
      return { left: c.left + p.x - r, right: c.left + p.x + r, top: c.top + p.y - r, bottom: c.top + p.y + r };
    }
    var markers = this.labelled.filter(function (f) { return map.hasLayer(f); }).map(markerRect);
    var panels = map.getContainer().querySelectorAll(".leaflet-control");
    for (var i = 0; i < panels.length; i++) { markers.push(panels[i].getBoundingClientRect()); }
    this.labelled.forEach(function (f) {
      var tt = f.getTooltip();
      if (!tt || !map.hasLayer(f) || !tt.getElement()) { return; }
      var r = f.lzRadius + 2, best = null;
      [["right", [r, 0]], ["left", [-r, 0]], ["top", [0, -r]], ["bottom", [0, r]]].forEach(function (d) {
        if (best && best.cost === 0) { return; }
        tt.options.direction = d[0];
        tt.options.offset = d[1];
        tt.update();
        var rect = tt.getElement().getBoundingClientRect(), cost = 0;
        placed.concat(markers).forEach(function (o) { cost += overlap(rect, o); });
        if (!best || cost < best.cost) { best = { cost: cost, d: d, rect: rect }; }
      });
      tt.options.direction = best.d[0];
      tt.options.offset = best.d[1];
      tt.update();
      placed.push(best.rect);
    });
  };

  Runtime.prototype.tooltip = function (lyr) {
    var f = lyr.lzf, node = el("span");
    el("span", "lz-tip-name", bi(this.lang, this.name(f.layer, f.cls.p[lyr.lzi])), node);
    if (f.cls.sch) { el("span", "lz-sch-tag", "(" + this.t("schematic") + ")", node); }
    return node;
  };

  Runtime.prototype.popupNode = function (lyr) {
    var f = lyr.lzf, lc = f.layer, c = f.cls, row = c.p[lyr.lzi], lang = this.lang;
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
      el("td", null, v, tr);
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
    L.popup({ maxWidth: 360, autoPanPadding: [20, 20] }).setLatLng(at).setContent(this.popupNode(lyr)).openOn(this.map);
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

  /* ---- title panel ---- */
  Runtime.prototype.titlePanel = function () {
    var cfg = this.cfg, lang = this.lang, d = panel("lz-title"), h = el("h1", null, null, d);
    if (lang === "both") { el("span", null, cfg.title.zh, h); el("span", "lz-en", cfg.title.en, h); }
    else { h.textContent = bi(lang, cfg.title); }
    var s = cfg.source || {};
    var src = el("div", "lz-src", this.t("source") + ": " + [s.publisher, s.date].filter(Boolean).join(", "), d);
    if (s.title) { src.title = s.title; }
    var disc = bi(lang, cfg.disclaimer, "\n");
    if (disc) { var dd = el("div", "lz-disc", null, d); disc.split("\n").forEach(function (line) { el("div", null, line, dd); }); }
    if (cfg.shift) { el("div", "lz-shift", this.t("shifted"), d); }
    control("topleft", d).addTo(this.map);
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
    var self = this, d = panel("lz-legend"), det = el("details", null, null, d);
    det.open = true;
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
        el("span", null, bi(self.lang, c.label) + (c.sch ? " (" + self.t("schematic") + ")" : "") +
          " · " + c.p.length, row);
        self.legendRows.push({ node: row, entry: entry, ce: ce });
      });
      self.legendRows.push({ node: grp, entry: entry, ce: null });
    });
    el("div", "lz-lg-note", this.t("schematicNote"), det);
    this.legendPanel = d;
    this.legendDetails = det;
    control("bottomleft", d).addTo(this.map);
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
    var self = this, d = panel("lz-layers"), det = el("details", null, null, d);
    det.open = window.innerWidth > 900;
    el("summary", null, this.t("layers"), det);
    function box(parent, text, id, cls, swatch) {
      var lab = el("label", null, null, parent), inp = el("input", null, null, lab);
      inp.type = "checkbox";
      inp.checked = true;
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
      ti.checked = true;
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
          box(sub, bi(self.lang, ce.cfg.label) + (ce.cfg.sch ? " (" + self.t("schematic") + ")" : ""), id, ce.cfg.id,
            self.swatch(ce.cfg, entry.cfg));
        });
      }
    });
    control("topright", d).addTo(this.map);
  };

  /* ---- search by Chinese name, English name or pinyin; zooms to and highlights the feature ---- */
  Runtime.prototype.buildIndex = function () {
    var self = this;
    this.order.forEach(function (id) {
      var entry = self.layers[id], lc = entry.cfg;
      if (!lc.search) { return; }
      entry.classes.forEach(function (ce) {
        ce.feats.forEach(function (f, i) {
          var row = ce.cfg.p[i], n = self.name(lc, row), py = lc.py >= 0 ? row[lc.py] : "";
          var keys = [n.zh, n.en, py].filter(Boolean).map(norm);
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
    return f;
  };

  Runtime.prototype.searchBox = function () {
    var self = this, d = panel("lz-search"), inp = el("input", null, null, d), ul = el("ul", null, null, d);
    inp.type = "search";
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

  /* ---- tools: fullscreen, measure distance (m) and area (ha) ---- */
  Runtime.prototype.tools = function () {
    var self = this, map = this.map, bar = el("div", "leaflet-bar lz-tools");
    L.DomEvent.disableClickPropagation(bar);
    function button(key, fn) {
      var a = el("a", "lz-btn-" + key, null, bar);
      a.href = "#";
      a.title = self.t(key);
      a.setAttribute("role", "button");
      a.setAttribute("aria-label", self.t(key));
      a.appendChild(icon(ICONS[key]));
      L.DomEvent.on(a, "click", function (ev) { L.DomEvent.preventDefault(ev); fn(a); });
      return a;
    }
    button("fullscreen", function () { self.toggleFullscreen(); });
    this.measure = { mode: null, pts: [], layer: L.layerGroup().addTo(map), buttons: {} };
    this.measure.buttons.distance = button("distance", function () { self.startMeasure("distance"); });
    this.measure.buttons.area = button("area", function () { self.startMeasure("area"); });
    control("topleft", bar).addTo(map);
    this.measureOut = panel("lz-measure-out lz-hidden");
    control("bottomright", this.measureOut).addTo(map);
    map.on("click", function (e) { self.measureClick(e); });
    map.on("dblclick", function () { self.finishMeasure(); });
    map.on("mousemove", function (e) { if (self.measure.mode) { self.measureDraw(e.latlng); } });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { self.stopMeasure(true); } });
    document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
  };

  Runtime.prototype.toggleFullscreen = function () {
    var box = this.map.getContainer();
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (document.fullscreenEnabled && box.requestFullscreen) {
      box.requestFullscreen().catch(function () { box.classList.toggle("lz-fullscreen"); });
    } else { box.classList.toggle("lz-fullscreen"); }
    this.map.invalidateSize();
  };

  Runtime.prototype.startMeasure = function (mode) {
    var was = this.measure.mode;
    this.stopMeasure(true);
    if (was === mode) { return; }
    this.measure.mode = mode;
    this.measure.buttons[mode].classList.add("lz-on");
    this.map.doubleClickZoom.disable();
    this.map.getContainer().classList.add("lz-measuring");
    this.measureOut.classList.remove("lz-hidden");
    this.measureDraw(null);
  };

  Runtime.prototype.stopMeasure = function (clear) {
    var m = this.measure;
    if (!m) { return; }
    m.mode = null;
    for (var k in m.buttons) { m.buttons[k].classList.remove("lz-on"); }
    // re-enable double-click zoom only after the double click that finished the measurement
    var map = this.map;
    window.setTimeout(function () { if (!m.mode) { map.doubleClickZoom.enable(); } }, 600);
    this.map.getContainer().classList.remove("lz-measuring");
    if (clear) { m.pts = []; m.layer.clearLayers(); this.measureOut.classList.add("lz-hidden"); }
  };

  Runtime.prototype.measureClick = function (e) {
    if (!this.measure.mode) { return; }
    // the pointer position itself (Leaflet reports a marker's own position for clicks on markers)
    this.measure.pts.push(e.originalEvent ? this.map.mouseEventToLatLng(e.originalEvent) : e.latlng);
    this.measureDraw(null);
  };

  Runtime.prototype.finishMeasure = function () {
    var m = this.measure;
    if (!m.mode) { return; }
    var p = m.pts;
    while (p.length > 1 && p[p.length - 1].equals(p[p.length - 2])) { p.pop(); }
    var mode = m.mode;
    this.measureDraw(null);
    m.mode = null;
    this.stopMeasure(false);
    m.lastMode = mode;
  };

  /** Geodesic polygon area (m²) on the sphere used by Leaflet (R = 6371 km). */
  function geodesicArea(lls) {
    var R = 6371000, d2r = Math.PI / 180, area = 0, n = lls.length;
    if (n < 3) { return 0; }
    for (var i = 0; i < n; i++) {
      var p1 = lls[i], p2 = lls[(i + 1) % n];
      area += (p2.lng - p1.lng) * d2r * (2 + Math.sin(p1.lat * d2r) + Math.sin(p2.lat * d2r));
    }
    return Math.abs(area * R * R / 2);
  }
  function pathLength(map, lls) {
    var s = 0;
    for (var i = 1; i < lls.length; i++) { s += map.distance(lls[i - 1], lls[i]); }
    return s;
  }

  Runtime.prototype.measureDraw = function (cursor) {
    var m = this.measure, map = this.map, pts = m.pts.slice(), mode = m.mode || m.lastMode;
    if (cursor) { pts.push(cursor); }
    m.layer.clearLayers();
    var st = { color: "#d500f9", weight: 3, dashArray: "4 4", interactive: false, className: "lz-measure" };
    if (mode === "area" && pts.length >= 3) {
      m.layer.addLayer(L.polygon(pts, Object.assign({ fillOpacity: 0.15 }, st)));
    } else if (pts.length >= 2) { m.layer.addLayer(L.polyline(pts, st)); }
    m.pts.forEach(function (p) { m.layer.addLayer(L.circleMarker(p, { radius: 3, color: "#d500f9", interactive: false })); });
    var out = this.measureOut;
    out.textContent = "";
    var text;
    if (mode === "area") {
      var a = geodesicArea(pts);
      text = this.t("areaWord") + ": " + (a / 10000).toLocaleString("en-US", { maximumFractionDigits: 2 }) + " ha" +
        (a >= 1e6 ? " (" + (a / 1e6).toLocaleString("en-US", { maximumFractionDigits: 2 }) + " km²)" : "");
    } else {
      var dist = pathLength(map, pts);
      text = this.t("dist") + ": " + fmtInt(dist) + " m" +
        (dist >= 1000 ? " (" + (dist / 1000).toLocaleString("en-US", { maximumFractionDigits: 2 }) + " km)" : "");
    }
    el("div", "lz-measure-value", text, out);
    if (m.mode) { el("div", "lz-hint", this.t("hint"), out); }
    this.measured = mode === "area" ? geodesicArea(m.pts) : pathLength(map, m.pts);
  };

  /** Fit the map to `bounds`, keeping clear of the side panels when the window is wide enough. */
  Runtime.prototype.fit = function (bounds) {
    var box = this.map.getContainer(), W = box.clientWidth;
    function widest(sel) {
      var w = 0, nodes = box.querySelectorAll(sel);
      for (var i = 0; i < nodes.length; i++) { w = Math.max(w, nodes[i].offsetWidth); }
      return w;
    }
    var left = widest(".leaflet-left .lz-panel"), right = widest(".leaflet-right .lz-panel"), m = FIT_MARGIN;
    if (left + right > 0.6 * W) { left = right = 0; }
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
    this.searchBox();
    this.layerControl();
    // bottom-left corner, bottom up: the scale bar, then the legend above it
    L.control.scale({ imperial: false, position: "bottomleft", maxWidth: 160 }).addTo(map);
    this.legend();
    this.layout(true);
    map.on("resize", function () { self.layout(false); });
    if (cfg.bounds) { this.fit(cfg.bounds); }  // set the view first: features are projected once
    cfg.draw.forEach(function (id) { self.layers[id].group.addTo(map); });
    if (this.points) { this.points.addTo(map); }  // above the vector layers
    this.placeLabels();
    map.on("zoomend", function () { self.placeLabels(); });
    this.sync();
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
        measured: function () { return rt.measured; },
        readyMs: function () { return rt.readyMs; },
        pointsDrawn: function () { return rt.points ? rt.points.drawn : 0; }
      };
      return rt;
    }
  };
})();
