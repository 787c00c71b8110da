
  /* ---- permanent labels: one per feature of a labelled class, placed by priority ----
   * Points are labelled beside their symbol, polygons inside (small ones beside), lines along the
   * line. Labels go in priority order (structure > key towns > towns > parks > context); a label
   * that meets a placed label, a point symbol or a panel tries its other places and is hidden when
   * none is free. Placement runs again after every zoom, pan, resize, layer toggle and language change.
   */
  var LABEL_GAP = 3;     // px between a symbol (or line) and its label
  var LABEL_EDGE = 2;    // px kept free at the edges of the map
  var STRUCTURE_UP_TO = 3;  // labels of this priority or higher are structure: areas named inside only
  var RESERVE_UP_TO = 4; // point labels of this priority or higher keep their first place from area/line labels
  Runtime.prototype.addLabel = function (f, st) {
    var c = f.lzf.cls;
    this.labelled.push({ f: f, st: st, lc: f.lzf.layer, c: c, i: f.lzi, prio: c.lab, kind: c.gk,
      order: this.labelled.length, node: null, box: null, anchor: null });
  };

  Runtime.prototype.labelNode = function (lb) {
    var pane = this.map.getPane("lzLabels") || this.map.createPane("lzLabels");
    pane.style.zIndex = 640;  // above symbols (600), under tooltips (650) and popups (700)
    pane.style.pointerEvents = "none";
    var n = el("div", "lz-label lz-lbl-" + lb.lc.id + " lz-lbl-" + lb.lc.id + "-" + lb.c.id + " lz-lbl-" + lb.kind, null, pane);
    n.setAttribute("data-layer", lb.lc.id);
    n.setAttribute("data-fid", String(lb.c.p[lb.i][0]));
    return n;
  };

  /** Write each label's text in the current language and measure it (unrotated). */
  Runtime.prototype.labelTexts = function () {
    var self = this;
    function lines(n, text, cls) {  // an area's name breaks before its bracket: "北部片区" / "（新型工业拓展）"
      var m = lb0.kind === "pg" ? /^(.+?)\s*([（(].*)$/.exec(text) : null;
      if (!m) { el("span", cls, text, n); return; }
      el("span", cls, m[1], n);
      el("span", (cls ? cls + " " : "") + "lz-sub", m[2], n);
    }
    var lb0;
    this.labelled.forEach(function (lb) {  // write every text first, then measure (one layout)
      var n = lb.node || (lb.node = self.labelNode(lb)), t = lb.c.lt[lb.i], nm = { zh: t[0], en: t[1] };
      lb0 = lb;
      n.textContent = "";
      if (self.lang === "both" && nm.zh && nm.en && nm.zh !== nm.en) {
        lines(n, nm.zh, null);
        lines(n, nm.en, "lz-en");
      } else { lines(n, bi(self.lang, nm), null); }
      n.style.display = "block";
      n.style.transform = "none";
    });
    this.labelled.forEach(function (lb) { lb.w = lb.node.offsetWidth; lb.h = lb.node.offsetHeight; });
    this.textsLang = this.lang;
  };

  function meets(a, b) {
    return Math.min(a.right, b.right) > Math.max(a.left, b.left) && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
  }
  function rect(x, y, w, h) { return { left: x, top: y, right: x + w, bottom: y + h }; }

  /** Candidate boxes (container px) of a label, best first: {box, cx, cy, angle, anchor}. */
  Runtime.prototype.labelCandidates = function (lb) {
    var map = this.map, w = lb.w, h = lb.h, out = [];
    function around(p, rx, ry) {  // beside a symbol (or a small area) of half-size rx, ry
      var gx = rx + LABEL_GAP, gy = ry + LABEL_GAP;
      [[gx, -h / 2], [-gx - w, -h / 2], [-w / 2, -gy - h], [-w / 2, gy], [gx * 0.7, -gy * 0.7 - h],
        [gx * 0.7, gy * 0.7], [-gx * 0.7 - w, -gy * 0.7 - h], [-gx * 0.7 - w, gy * 0.7]].forEach(function (d) {
        var bx = rect(p.x + d[0], p.y + d[1], w, h), cx = bx.left + w / 2, cy = bx.top + h / 2;
        // its anchor: the point of the symbol (or of the area's box) nearest to the label
        var an = L.point(Math.max(p.x - rx, Math.min(p.x + rx, cx)), Math.max(p.y - ry, Math.min(p.y + ry, cy)));
        out.push({ box: bx, angle: 0, anchor: an });
      });
    }
    if (lb.kind === "pt") {
      around(map.latLngToContainerPoint(lb.f.getLatLng()), lb.st.radius, lb.st.radius);
    } else if (lb.kind === "pg") {
      var a = map.latLngToContainerPoint([lb.c.la[2 * lb.i + 1], lb.c.la[2 * lb.i]]);
      var b = lb.f.getBounds(), p1 = map.latLngToContainerPoint(b.getNorthWest()), p2 = map.latLngToContainerPoint(b.getSouthEast());
      var bw = p2.x - p1.x, bh = p2.y - p1.y;
      if (lb.prio > STRUCTURE_UP_TO && (bw < 1.1 * w || bh < 2 * h)) {  // a small park: beside it, like a point
        around(L.point((p1.x + p2.x) / 2, (p1.y + p2.y) / 2), bw / 2, bh / 2);
      } else {  // inside: around the pole of inaccessibility, nearest first, every corner in the area
        var grid = [];
        for (var gx = -4; gx <= 4; gx++) { for (var gy = -5; gy <= 5; gy++) { grid.push([gx * w / 4, gy * h / 2]); } }
        grid.sort(function (u, v) { return (u[0] * u[0] + 4 * u[1] * u[1]) - (v[0] * v[0] + 4 * v[1] * v[1]); });
        var self = this;
        grid.forEach(function (d) {
          var bx = rect(a.x - w / 2 + d[0], a.y - h / 2 + d[1], w, h);
          out.push({ box: bx, angle: 0, anchor: L.point(bx.left + w / 2, bx.top + h / 2), area: true,
            test: function () { return self.boxInside(lb, bx); } });
        });
        // a structural area too narrow for its name (a thin wedge at a small zoom): beside its pole
        if (lb.prio <= STRUCTURE_UP_TO) { around(a, 0, 0); }
      }
    } else {
      this.lineCandidates(lb, out);
    }
    return out;
  };

  /** Whether label box `b` (container px) lies in the polygon of label `lb` (its rings are projected
   *  once per placement). */
  Runtime.prototype.boxInside = function (lb, b) {
    var map = this.map;
    if (lb.projStamp !== this.placeStamp) {
      var rings = lb.f.getLatLngs();
      while (rings.length && Array.isArray(rings[0]) && Array.isArray(rings[0][0])) { rings = [].concat.apply([], rings); }
      lb.proj = rings.map(function (r) { return r.map(function (ll) { return map.latLngToContainerPoint(ll); }); });
      lb.projStamp = this.placeStamp;
    }
    var rings2 = lb.proj;
    function inRing(ring, p) {
      var c = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[i], b2 = ring[j];
        if ((a.y > p.y) !== (b2.y > p.y) && p.x < (b2.x - a.x) * (p.y - a.y) / (b2.y - a.y) + a.x) { c = !c; }
      }
      return c;
    }
    function inside(p) { var n = 0; rings2.forEach(function (r) { if (inRing(r, p)) { n++; } }); return n % 2 === 1; }
    // the centre inside, and three corners of four (a narrow wedge still holds its name)
    var n = 0;
    [[b.left, b.top], [b.right, b.top], [b.left, b.bottom], [b.right, b.bottom]].forEach(function (q) {
      if (inside(L.point(q[0], q[1]))) { n++; } });
    return n >= 3 && inside(L.point((b.left + b.right) / 2, (b.top + b.bottom) / 2));
  };

  /** Along the line: at fractions of its visible length, parallel to it, on either side. */
  Runtime.prototype.lineCandidates = function (lb, out) {
    var map = this.map, size = map.getSize(), w = lb.w, h = lb.h, parts = lb.f.getLatLngs();
    if (parts.length && !Array.isArray(parts[0])) { parts = [parts]; }
    var best = null;
    parts.forEach(function (lls) {  // the longest part, in the view
      var pts = lls.map(function (ll) { return map.latLngToContainerPoint(ll); }).filter(function (p) {
        return p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y; });
      var len = 0;
      for (var k = 1; k < pts.length; k++) { len += pts[k].distanceTo(pts[k - 1]); }
      if (!best || len > best.len) { best = { pts: pts, len: len }; }
    });
    if (!best || best.len < w) { return; }
    var off = (lb.st.weight || 2) / 2 + LABEL_GAP + h / 2;
    var flat = [];
    var ts = [0.5];  // from the middle outwards, every 2.5 % of the length
    for (var dt = 0.025; dt <= 0.4; dt += 0.025) { ts.push(0.5 - dt, 0.5 + dt); }
    ts.forEach(function (t) {
      var target = t * best.len, acc = 0, pts = best.pts;
      for (var k = 1; k < pts.length; k++) {
        var seg = pts[k].distanceTo(pts[k - 1]);
        if (acc + seg < target || seg === 0) { acc += seg; continue; }
        var r = (target - acc) / seg, q = pts[k - 1].add(pts[k].subtract(pts[k - 1]).multiplyBy(r));
        var dx = (pts[k].x - pts[k - 1].x) / seg, dy = (pts[k].y - pts[k - 1].y) / seg;
        if (dx < 0) { dx = -dx; dy = -dy; }  // keep the text upright
        var ang = Math.atan2(dy, dx), cw = Math.abs(w * dx) + Math.abs(h * dy), ch = Math.abs(w * dy) + Math.abs(h * dx);
        [-1, 1, 0].forEach(function (side) {  // above the line, below it, then on it (with its halo)
          var cx = q.x + side * off * dy, cy = q.y - side * off * dx;
          out.push({ box: rect(cx - cw / 2, cy - ch / 2, cw, ch), angle: ang * 180 / Math.PI, cx: cx, cy: cy, anchor: q });
        });
        [-1, 1].forEach(function (side) {  // last resort: level, just above or below a point of the line
          flat.push({ box: rect(q.x - w / 2, q.y + side * (off - h / 2) - (side < 0 ? h : 0), w, h), angle: 0, anchor: q });
        });
        break;
      }
    });
    flat.forEach(function (c) { out.push(c); });
  };

  Runtime.prototype.placeLabels = function () {
    var map = this.map, self = this, size = map.getSize();
    if (!this.labelled.length) { return; }
    if (this.textsLang !== this.lang) { this.labelTexts(); }
    this.placeStamp = (this.placeStamp || 0) + 1;
    var cr = map.getContainer().getBoundingClientRect(), taken = [], symbols = [];
    var panels = map.getContainer().querySelectorAll(".leaflet-control");
    for (var i = 0; i < panels.length; i++) {
      var r = panels[i].getBoundingClientRect();
      if (r.width > 0 && r.height > 0) { taken.push(rect(r.left - cr.left, r.top - cr.top, r.width, r.height)); }
    }
    this.order.forEach(function (id) {  // every visible point symbol stays uncovered
      var entry = self.layers[id];
      if (!map.hasLayer(entry.group)) { return; }
      entry.classes.forEach(function (ce) {
        if (ce.cfg.gk !== "pt" || !map.hasLayer(ce.group)) { return; }
        var rr = self.cfg.styles[ce.cfg.s].radius + 1;
        ce.feats.forEach(function (f) {
          if (!f.getLatLng) { return; }
          var p = map.latLngToContainerPoint(f.getLatLng());
          symbols.push(rect(p.x - rr, p.y - rr, 2 * rr, 2 * rr));
        });
      });
    });
    var inView = rect(LABEL_EDGE, LABEL_EDGE, size.x - 2 * LABEL_EDGE, size.y - 2 * LABEL_EDGE);
    // the first place of each key-town label is kept free of area and line labels (which go first)
    var reserved = [];
    this.labelled.forEach(function (lb) {
      lb.box = null;
      if (lb.kind === "pt" && lb.prio <= RESERVE_UP_TO && map.hasLayer(lb.f)) { reserved.push({ lb: lb, box: self.labelCandidates(lb)[0].box }); }
    });
    var queue = this.labelled.slice().sort(function (a, b) { return a.prio - b.prio || a.order - b.order; });
    queue.forEach(function (lb) {
      var n = lb.node, entry = self.layers[lb.lc.id];
      var on = map.hasLayer(entry.group) && entry.group.hasLayer(entry.classes[lb.f.lzf.ci].group);
      lb.box = null;
      if (on) {
        var cands = self.labelCandidates(lb);
        for (var k = 0; k < cands.length && !lb.box; k++) {
          var b = cands[k].box, avoid = lb.kind === "pt" ? [] : reserved;
          var ok = b.left >= inView.left && b.top >= inView.top && b.right <= inView.right && b.bottom <= inView.bottom;
          for (var j = 0; ok && j < taken.length; j++) { if (meets(b, taken[j])) { ok = false; } }
          for (j = 0; ok && j < symbols.length; j++) { if (meets(b, symbols[j])) { ok = false; } }
          for (j = 0; ok && j < avoid.length; j++) { if (avoid[j].lb.box === null && meets(b, avoid[j].box)) { ok = false; } }
          if (ok && cands[k].test && !cands[k].test()) { ok = false; }
          if (ok) { lb.box = b; lb.cand = cands[k]; }
        }
      }
      if (!lb.box) { n.style.display = "none"; return; }
      taken.push(lb.box);
      var c = lb.cand, lp, tr;
      if (c.angle) {  // rotate about the centre; the unrotated box is centred on (cx, cy)
        lp = map.containerPointToLayerPoint([c.cx - lb.w / 2, c.cy - lb.h / 2]);
        tr = "translate(" + lp.x.toFixed(1) + "px," + lp.y.toFixed(1) + "px) rotate(" + c.angle.toFixed(1) + "deg)";
      } else {
        lp = map.containerPointToLayerPoint([lb.box.left, lb.box.top]);
        tr = "translate(" + lp.x.toFixed(1) + "px," + lp.y.toFixed(1) + "px)";
      }
      n.style.transform = tr;
      n.style.display = "block";
      lb.anchor = c.anchor;
    });
  };

  /** The labels as tests and notebooks see them: page boxes, anchors (page px), shown or not. */
  Runtime.prototype.labelInfo = function () {
    var cr = this.map.getContainer().getBoundingClientRect();
    return this.labelled.map(function (lb) {
      var shown = !!lb.box && lb.node.style.display !== "none", r = lb.node.getBoundingClientRect();
      return { layer: lb.lc.id, id: String(lb.c.p[lb.i][0]), cls: lb.c.id, prio: lb.prio, text: lb.node.textContent,
        shown: shown, kind: lb.kind, inside: shown && !!lb.cand.area, box: shown ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom } : null,
        anchor: shown ? [cr.left + lb.anchor.x, cr.top + lb.anchor.y] : null };
    });
  };
