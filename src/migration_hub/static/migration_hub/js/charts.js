/*
 * Draws the statistics charts. Each element with `data-spec` names the <script
 * type="application/json"> element (Django's json_script filter) holding its Vega-Lite spec.
 *
 * Content Security Policy: script-src 'self' and style-src 'self' only. So expressions are
 * evaluated by vega-interpreter (`ast: true` + `expr`) instead of the Function constructor, and
 * neither vega-embed nor vega-tooltip may inject a <style> element (`defaultStyle: false`,
 * `disableDefaultStyle: true`): site.css styles the tooltip. The canvas renderer sets no style
 * attributes; the chart's text equivalent is the aria-label of its container and the table of
 * figures beside it, which stays in the page (closed) once the chart is drawn.
 */
(function () {
  "use strict";

  var vega = window.vega;
  if (!window.vegaEmbed || !vega || !vega.expressionInterpreter) {
    return; // the scripts did not load: the tables of figures stay open
  }

  var options = {
    actions: false,
    defaultStyle: false,
    renderer: "canvas",
    ast: true,
    expr: vega.expressionInterpreter,
    tooltip: { disableDefaultStyle: true },
    // Vega-Lite warns that a bar chart's discrete height drops "fit-y", which it has no
    // use for; real errors still reach the console.
    logLevel: vega.Error
  };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-spec"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(element, spec, options).then(
      function () {
        element.setAttribute("data-rendered", "true");
        var figure = element.closest("figure");
        var table = figure && figure.querySelector("details[data-fallback]");
        if (table) {
          table.open = false;
        }
      },
      function (error) {
        element.setAttribute("data-rendered", "failed");
        if (window.console) {
          window.console.warn("Chart not drawn:", error);
        }
      }
    );
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-spec]"), draw);
})();
