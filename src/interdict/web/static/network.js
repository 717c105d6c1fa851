// The network page's graph: Cytoscape.js draws what /network/graph.json returns (the same figures as the
// tables on the page); communities are coloured, nodes sized by rank; selecting a node adds its ego network
// from /network/ego.json. Served by the app (no CDN); no inline script, so the CSP stays script-src 'self'.
(function () {
  "use strict";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  function elements(data) {
    var top = 0;
    data.nodes.forEach(function (n) { top = Math.max(top, n.score); });
    var out = data.nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, community: n.community,
        colour: PALETTE[(n.community - 1) % PALETTE.length], size: 14 + 36 * (top ? n.score / top : 0) } };
    });
    data.edges.forEach(function (e, i) {
      out.push({ group: "edges", data: { id: "e:" + e.source + ":" + e.target, source: e.source, target: e.target,
        label: e.kinds.join(", ") } });
    });
    return out;
  }

  function get(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () { if (xhr.status === 200) { done(JSON.parse(xhr.responseText)); } };
    xhr.send();
  }

  function start() {
    var box = document.getElementById("network-graph");
    if (!box || typeof window.cytoscape !== "function") { return; }
    var said = document.getElementById("network-selected");
    get(box.getAttribute("data-src"), function (data) {
      var cy = window.cytoscape({
        container: box,
        elements: elements(data),
        style: [
          { selector: "node", style: { "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
            "label": "data(label)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 2 } },
          { selector: "edge", style: { "width": 1, "line-color": "#999", "curve-style": "haystack", "opacity": 0.6 } },
          { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
        ],
        layout: { name: "cose", animate: false, randomize: true }
      });
      box.setAttribute("data-drawn", String(cy.nodes().length));
      cy.on("tap", "node", function (evt) {
        var node = evt.target;
        if (said) { said.textContent = node.data("label") + " (" + node.data("kind") + ")"; }
        get(box.getAttribute("data-ego") + "&node=" + encodeURIComponent(node.id()), function (ego) {
          var fresh = elements(ego).filter(function (el) { return cy.getElementById(el.data.id).empty(); });
          fresh.forEach(function (el) { if (el.group === "nodes") { el.position = { x: node.position("x"), y: node.position("y") }; } });
          cy.add(fresh);
          box.setAttribute("data-drawn", String(cy.nodes().length));
          cy.layout({ name: "cose", animate: false, randomize: false, fit: false }).run();
        });
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
