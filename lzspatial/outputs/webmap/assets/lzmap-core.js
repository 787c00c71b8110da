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
    north: { zh: "指北针：图上方为北", en: "North arrow: north is up" },
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
  var LANG_CHOICES = ["zh", "en", "both"];
  var NARROW = 600;            // px: maps this narrow (phones) open with every panel folded
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

