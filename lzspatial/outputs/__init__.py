"""Outputs: style and labels, exports, QGIS styles, the compliance report, the web map and build.

The web map needs folium, which is imported only when the web map is used.
"""
