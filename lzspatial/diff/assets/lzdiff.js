/* lzspatial review map: draws A and B side by side, keeps their views in step, lists the changes.
   Data comes from the JSON script element #lzdiff-data; every data text reaches the
   page through textContent (never innerHTML). window.lzdiff exposes the maps for tests. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("lzdiff-data").textContent);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function tip(text) { return el("span", "lzd-tip", text); }

  function feature(geom, st, text) {
    var layer = L.geoJSON({ type: "Feature", properties: {}, geometry: geom }, {
      style: function () { return st; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, st); }
    });
    if (text) { layer.bindTooltip(tip(text), { sticky: true }); }
    return layer;
  }

  function makeMap(id) {
    return L.map(id, { zoomSnap: 0.25, attributionControl: false, zoomAnimation: false });
  }

  function drawPlan(map, layers) {
    var count = 0;
    layers.forEach(function (lay) {
      var group = L.featureGroup();
      lay.f.forEach(function (f) { group.addLayer(feature(f[1], D.styles[f[0]], f[2])); count += 1; });
      group.addTo(map);
    });
    return count;
  }

  function arrow(map, ll) {
    var st = {};
    Object.keys(D.arrow).forEach(function (k) { st[k] = D.arrow[k]; });
    st.interactive = false;
    var line = L.polyline(ll, st).addTo(map);
    var path = line.getElement();
    if (path) { path.setAttribute("marker-end", "url(#lzd-arrowhead)"); path.setAttribute("class", path.getAttribute("class") + " lzd-arrow"); }
    return line;
  }

  var mapA = makeMap("lzd-map-a");
  var mapB = makeMap("lzd-map-b");
  mapA.fitBounds(D.bounds, { animate: false });
  mapB.fitBounds(D.bounds, { animate: false });
  var drawn = { a: drawPlan(mapA, D.layersA), b: drawPlan(mapB, D.layersB), changesA: 0, changesB: 0, arrows: 0 };

  var highlight = { a: [], b: [] };
  D.transfers.forEach(function (t) { feature(t[1], D.styles[t[0]], t[2]).addTo(mapB); });
  D.changes.forEach(function (c) {
    var name = c.name + " · " + c.badge;
    if (c.a) { highlight.a[c.i] = feature(c.a[1], D.styles[c.a[0]], name).addTo(mapA); drawn.changesA += 1; }
    if (c.ghost) { feature(c.ghost[1], D.styles[c.ghost[0]], name).addTo(mapB); }
    if (c.b) { highlight.b[c.i] = feature(c.b[1], D.styles[c.b[0]], name).addTo(mapB); drawn.changesB += 1; }
    if (c.arrow) { arrow(mapA, c.arrow); arrow(mapB, c.arrow); drawn.arrows += 1; }
  });

  // synchronised views: moving either map moves the other to the same centre and zoom
  var syncing = false;
  function follow(src, dst) {
    src.on("move zoomend", function () {
      if (syncing) { return; }
      syncing = true;
      dst.setView(src.getCenter(), src.getZoom(), { animate: false });
      syncing = false;
    });
  }
  follow(mapA, mapB);
  follow(mapB, mapA);

  // header
  var head = document.getElementById("lzd-head");
  head.appendChild(el("h1", null, D.title));
  var sum = el("div", "lzd-sum", D.a + "  →  " + D.b);
  head.appendChild(sum);
  head.appendChild(el("div", "lzd-sum", D.summary));
  var key = el("div", "lzd-key");
  D.keys.forEach(function (k) {
    var s = el("span");
    var i = el("i");
    i.style.borderColor = k[1];
    s.appendChild(i);
    s.appendChild(document.createTextNode(k[0]));
    key.appendChild(s);
  });
  head.appendChild(key);
  head.appendChild(el("div", "lzd-note", D.note));
  if (D.disclaimer) { head.appendChild(el("div", "lzd-note", D.disclaimer)); }
  document.getElementById("lzd-label-a").textContent = D.a;
  document.getElementById("lzd-label-b").textContent = D.b;

  // the change list
  var aside = document.getElementById("lzd-aside");
  aside.appendChild(el("h2", null, D.labels.changes + " (" + D.changes.length + ")"));
  var list = el("ul", "lzd-list");
  var selected = null;
  function zoomTo(c, li) {
    if (selected) { selected.classList.remove("lzd-on"); }
    selected = li;
    li.classList.add("lzd-on");
    mapA.fitBounds(c.bbox, { padding: [40, 40], maxZoom: 15, animate: false });
    [highlight.a[c.i], highlight.b[c.i]].forEach(function (h) { if (h) { h.bringToFront(); } });
  }
  if (!D.changes.length) { list.appendChild(el("li", "lzd-none", D.labels.no_change)); }
  D.changes.forEach(function (c) {
    var li = el("li", "lzd-item lzd-" + c.status);
    li.tabIndex = 0;
    li.setAttribute("data-change", String(c.i));
    var top = el("div");
    top.appendChild(el("span", "lzd-badge", c.badge));
    top.appendChild(el("span", "lzd-name", c.name));
    if (c.sch) { top.appendChild(el("span", "lzd-sch", c.sch)); }
    li.appendChild(top);
    li.appendChild(el("div", "lzd-where", c.where));
    if (c.basis) { li.appendChild(el("div", "lzd-basis", c.basis)); }
    if (c.text) { li.appendChild(el("div", "lzd-text", c.text)); }
    if (c.measure) { li.appendChild(el("div", "lzd-measure", c.measure)); }
    li.addEventListener("click", function () { zoomTo(c, li); });
    li.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); zoomTo(c, li); } });
    list.appendChild(li);
  });
  aside.appendChild(list);

  // plan-level deltas
  var box = el("div", "lzd-deltas");
  box.appendChild(el("h2", null, D.labels.deltas));
  D.deltas.forEach(function (t) {
    box.appendChild(el("h3", null, t.title));
    var table = el("table");
    var tr = el("tr");
    t.head.forEach(function (h) { tr.appendChild(el("th", null, h)); });
    var thead = el("thead");
    thead.appendChild(tr);
    table.appendChild(thead);
    var body = el("tbody");
    t.rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (v, k) { row.appendChild(el("td", k > 0 && /^[+\-–0-9.,]+$/.test(v) ? "lzd-num" : null, v)); });
      body.appendChild(row);
    });
    table.appendChild(body);
    box.appendChild(table);
  });
  aside.appendChild(box);

  window.lzdiff = { mapA: mapA, mapB: mapB, drawn: drawn, data: D };
}());
