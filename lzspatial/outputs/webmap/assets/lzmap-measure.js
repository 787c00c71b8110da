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
      (self.toolButtons || (self.toolButtons = [])).push({ key: key, a: a });
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

