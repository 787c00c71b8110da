
  /* ---- language switch (中 / EN), north arrow, ratio scale ---- */
  /** Change every text of the map to `lang` ("zh", "en" or "both") without rebuilding anything. */
  Runtime.prototype.setLang = function (lang) {
    if (LANG_CHOICES.indexOf(lang) < 0) { return; }
    this.lang = lang;
    this.fillTitle();
    this.fillLegend();
    this.fillLayerControl();
    this.sync();
    if (this.searchInput) {
      this.searchInput.placeholder = this.t("search");
      this.searchInput.setAttribute("aria-label", this.t("search"));
      this.searchInput.dispatchEvent(new Event("input"));
    }
    var self = this;
    (this.toolButtons || []).forEach(function (b) { b.a.title = self.t(b.key); b.a.setAttribute("aria-label", self.t(b.key)); });
    if (this.langButtons) {
      this.langButtons.forEach(function (b) { b.classList.toggle("lz-on", b.lzLang === lang); b.setAttribute("aria-pressed", String(b.lzLang === lang)); });
    }
    if (this.north) { this.north.title = this.t("north"); }
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    var pop = this.map._popup;  // an open popup is written again in the new language
    if (pop && this.map.hasLayer(pop) && pop.lzSource) { pop.setContent(this.popupNode(pop.lzSource)); }
    if (this.measureOut) { this.measureRefresh && this.measureRefresh(); }
    this.layout(false);
    this.placeLabels();
  };

  Runtime.prototype.langSwitch = function () {
    var self = this, bar = el("div", "leaflet-bar lz-lang");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "语言 Language");
    L.DomEvent.disableClickPropagation(bar);
    this.langButtons = [["zh", "中"], ["en", "EN"]].map(function (o) {
      var a = el("a", "lz-lang-" + o[0], o[1], bar);
      a.href = "#";
      a.lzLang = o[0];
      a.setAttribute("role", "button");
      a.setAttribute("aria-pressed", String(self.lang === o[0]));
      if (self.lang === o[0]) { a.classList.add("lz-on"); }
      L.DomEvent.on(a, "click", function (ev) { L.DomEvent.preventDefault(ev); self.setLang(o[0]); });
      return a;
    });
    control("topright", bar).addTo(this.map);
  };

  Runtime.prototype.northArrow = function () {
    var d = el("div", "lz-north"), s = svgEl("svg", { width: 28, height: 40, viewBox: "0 0 28 40", "aria-hidden": "true" }, d);
    svgEl("polygon", { points: "14,12 21,34 14,29 7,34", fill: "#222", stroke: "#222", "stroke-width": 1 }, s);
    svgEl("polygon", { points: "14,12 14,29 7,34", fill: "#fff" }, s);
    var t = svgEl("text", { x: 14, y: 10, "text-anchor": "middle", "font-size": 11, "font-weight": 700, fill: "#222" }, s);
    t.textContent = "N";
    d.title = this.t("north");
    d.setAttribute("role", "img");
    d.setAttribute("aria-label", "北 North");
    this.north = d;
    control("bottomright", d).addTo(this.map);
  };

  /** "1:N" from the map's scale at the centre latitude (CSS pixels of 0.2646 mm, as on a 96 dpi screen). */
  Runtime.prototype.ratio = function () {
    var map = this.map, lat = map.getCenter().lat * Math.PI / 180;
    var mPerPx = 40075016.686 * Math.cos(lat) / (256 * Math.pow(2, map.getZoom()));
    var n = mPerPx / (0.0254 / 96), mag = Math.pow(10, Math.floor(Math.log10(n)) - 1);
    return Math.round(n / mag) * mag;
  };

  Runtime.prototype.ratioScale = function (scaleControl) {
    var self = this, box = scaleControl.getContainer(), r = el("div", "lz-ratio", null, box);
    function update() { r.textContent = "1:" + fmtInt(self.ratio()); }
    this.map.on("zoomend moveend", update);
    update();
  };
