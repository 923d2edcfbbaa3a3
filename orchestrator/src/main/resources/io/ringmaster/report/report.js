// Ringmaster run report: draws every plot as inline SVG from the JSON embedded in the page (no libraries,
// works offline). Each <svg class="plot"> gets data-points = the number of data points it drew.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  var PHASE_COLORS = {input: "#9ecae1", compute: "#3182bd", transfer: "#fd8d3c", exchangeWait: "#e6550d",
    optimizer: "#31a354"};
  var PHASE_NAMES = {input: "loader wait", compute: "compute", transfer: "exchange", exchangeWait: "wait for peers",
    optimizer: "optimizer"};
  var W = 560, H = 260, L = 62, R = 16, T = 30, B = 42;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el("text", Object.assign({x: x, y: y}, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function fmt(v) {
    var a = Math.abs(v);
    if (Number.isInteger(v) && a < 1e4) { return String(v); }
    if (a >= 1e6) { return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M"; }
    if (a >= 1e3) { return (v / 1e3).toFixed(a >= 1e4 ? 0 : 1) + "k"; }
    if (a >= 10 || v === 0) { return String(Math.round(v * 10) / 10); }
    return v.toPrecision(2);
  }
  function ticks(lo, hi, n) {
    if (hi === lo) { hi = lo + 1; }
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    [1, 2, 5, 10].some(function (m) { if ((hi - lo) / (step * m) <= n) { step *= m; return true; } return false; });
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(v); }
    return out;
  }
  function frame(svg, title, xLabel, yLabel) {
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", W);
    svg.setAttribute("height", H);
    text(svg, W / 2, 18, title, {"text-anchor": "middle", "class": "title"});
    text(svg, L + (W - L - R) / 2, H - 6, xLabel, {"text-anchor": "middle", "class": "axis"});
    text(svg, 14, T + (H - T - B) / 2, yLabel, {"text-anchor": "middle", "class": "axis",
      transform: "rotate(-90 14 " + (T + (H - T - B) / 2) + ")"});
  }
  function axes(svg, x0, x1, y0, y1, xTickFmt, opts) {
    opts = opts || {};
    var sx = function (v) { return L + (v - x0) / ((x1 - x0) || 1) * (W - L - R); };
    var sy = function (v) { return H - B - (v - y0) / ((y1 - y0) || 1) * (H - T - B); };
    if (!opts.noY) {
      ticks(y0, y1, 5).forEach(function (v) {
        el("line", {x1: L, x2: W - R, y1: sy(v), y2: sy(v), "class": "grid"}, svg);
        text(svg, L - 6, sy(v) + 4, fmt(v), {"text-anchor": "end", "class": "tick"});
      });
    }
    ticks(x0, x1, 8).filter(function (v) { return !opts.integerX || Number.isInteger(v); }).forEach(function (v) {
      text(svg, sx(v), H - B + 16, xTickFmt ? xTickFmt(v) : fmt(v), {"text-anchor": "middle", "class": "tick"});
    });
    el("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, "class": "axisline"}, svg);
    el("line", {x1: L, x2: L, y1: T, y2: H - B, "class": "axisline"}, svg);
    return {x: sx, y: sy};
  }
  function legend(svg, items) {
    var x = L + 8, y = T + 8;
    items.forEach(function (it) {
      var w = 36 + 6.5 * it.name.length;
      if (x + w > W - R && x > L + 8) { x = L + 8; y += 14; }
      el("line", {x1: x, x2: x + 18, y1: y, y2: y, stroke: it.color, "stroke-width": 2,
        "stroke-dasharray": it.dashed ? "5,4" : ""}, svg);
      text(svg, x + 22, y + 4, it.name, {"class": "legend"});
      x += w;
    });
  }
  // series: [{name, color, points: [[x, y]], dashed (a line without markers)}]
  function linePlot(svg, title, xLabel, yLabel, series) {
    frame(svg, title, xLabel, yLabel);
    var xs = [], ys = [];
    series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    var drawn = 0;
    if (xs.length === 0) {
      text(svg, W / 2, H / 2, "no data", {"text-anchor": "middle", "class": "empty"});
      svg.setAttribute("data-points", 0);
      return;
    }
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
    y0 = y0 - pad < 0 && y0 >= 0 ? 0 : y0 - pad;
    var s = axes(svg, x0 === x1 ? x0 - 1 : x0, x0 === x1 ? x1 + 1 : x1, y0, y1 + pad, null, {integerX: true});
    series.forEach(function (ser) {
      var d = ser.points.map(function (p, i) { return (i ? "L" : "M") + s.x(p[0]).toFixed(1) + " " + s.y(p[1]).toFixed(1); });
      el("path", {d: d.join(" "), fill: "none", stroke: ser.color, "stroke-width": 2,
        "stroke-dasharray": ser.dashed ? "5,4" : ""}, svg);
      if (!ser.dashed) {
        ser.points.forEach(function (p) {
          var c = el("circle", {cx: s.x(p[0]), cy: s.y(p[1]), r: 3.2, fill: ser.color, "class": "point"}, svg);
          el("title", {}, c).textContent = ser.name + ": " + xLabel + " " + fmt(p[0]) + ", " + fmt(p[1]);
          drawn++;
        });
      }
    });
    if (series.length <= 12) { // more (a study's trials) are named by each point's tooltip instead
      legend(svg, series);
    }
    svg.setAttribute("data-points", drawn);
  }
  // bars: [{label, parts: {phase: seconds}}], stacked horizontally
  function stackedBars(svg, title, bars, phases) {
    var h = Math.max(H, T + B + 30 * bars.length);
    svg.setAttribute("viewBox", "0 0 " + W + " " + h);
    svg.setAttribute("height", h);
    svg.setAttribute("width", W);
    text(svg, W / 2, 18, title, {"text-anchor": "middle", "class": "title"});
    var max = 0, drawn = 0;
    bars.forEach(function (b) {
      var sum = 0;
      phases.forEach(function (p) { sum += b.parts[p] || 0; });
      max = Math.max(max, sum);
    });
    if (!bars.length || max === 0) {
      text(svg, W / 2, h / 2, "no step split recorded", {"text-anchor": "middle", "class": "empty"});
      svg.setAttribute("data-points", 0);
      return;
    }
    var sx = function (v) { return L + v / max * (W - L - R); };
    ticks(0, max, 6).forEach(function (v) {
      el("line", {x1: sx(v), x2: sx(v), y1: T + 18, y2: h - B, "class": "grid"}, svg);
      text(svg, sx(v), h - B + 16, fmt(v), {"text-anchor": "middle", "class": "tick"});
    });
    text(svg, L + (W - L - R) / 2, h - 6, "seconds (all epochs)", {"text-anchor": "middle", "class": "axis"});
    bars.forEach(function (b, i) {
      var y = T + 24 + i * 30, x = 0;
      text(svg, L - 6, y + 14, b.label, {"text-anchor": "end", "class": "tick"});
      phases.forEach(function (p) {
        var v = b.parts[p] || 0;
        var r = el("rect", {x: sx(x), y: y, width: Math.max(0, sx(x + v) - sx(x)), height: 20,
          fill: PHASE_COLORS[p], "class": "point"}, svg);
        el("title", {}, r).textContent = b.label + " " + p + ": " + fmt(v) + " s";
        x += v;
        drawn++;
      });
    });
    var lx = 8;
    phases.forEach(function (p) {
      var name = PHASE_NAMES[p];
      el("rect", {x: lx, y: T, width: 10, height: 10, fill: PHASE_COLORS[p]}, svg);
      text(svg, lx + 14, T + 9, name, {"class": "legend"});
      lx += 26 + 6 * name.length;
    });
    svg.setAttribute("data-points", drawn);
  }
  // attempts as bars on the clock, epoch ends as dots, checkpoints as ticks
  function attemptsPlot(svg, run) {

    var times = [];
    run.attempts.forEach(function (a) { times.push(a.start, a.end); });
    run.epochs.forEach(function (e) { if (e.time) { times.push(e.time); } });
    run.checkpoints.forEach(function (c) { if (c.time) { times.push(c.time); } });
    if (run.start && run.start.time) { times.push(run.start.time); }
    var t0 = Math.min.apply(null, times), t1 = Math.max.apply(null, times);
    var unit = t1 - t0 >= 180000 ? 60000 : 1000;
    frame(svg, "attempts, epochs and checkpoints over time", (unit === 1000 ? "seconds" : "minutes")
      + " since the run started", "");
    if (!times.length) {
      text(svg, W / 2, H / 2, "no times recorded", {"text-anchor": "middle", "class": "empty"});
      svg.setAttribute("data-points", 0);
      return;
    }
    var m = function (t) { return (t - t0) / unit; };
    var s = axes(svg, 0, Math.max(m(t1), 1), 0, 3, null, {noY: true});
    var drawn = 0;
    [["attempts", 2.5], ["epochs", 1.5], ["checkpoints", 0.5]].forEach(function (row) {
      text(svg, L + 4, s.y(row[1]) - 12, row[0], {"class": "legend"});
    });
    run.attempts.forEach(function (a) {
      var r = el("rect", {x: s.x(m(a.start)), y: s.y(2.5) - 8, width: Math.max(2, s.x(m(a.end)) - s.x(m(a.start))),
        height: 16, fill: a.outcome === "failed" ? "#d62728" : "#2ca02c", "class": "point"}, svg);
      el("title", {}, r).textContent = "attempt " + a.attempt + " (" + a.workers + " workers): " + a.outcome
        + (a.cause ? ": " + a.cause : "");
      drawn++;
    });
    run.epochs.forEach(function (e) {
      if (!e.time) { return; }
      var c = el("circle", {cx: s.x(m(e.time)), cy: s.y(1.5), r: 4, fill: "#1f77b4", "class": "point"}, svg);
      el("title", {}, c).textContent = "epoch " + e.epoch + " ended";
      drawn++;
    });
    run.checkpoints.forEach(function (c) {
      if (!c.time) { return; }
      var x = s.x(m(c.time)), y = s.y(0.5);
      var p = el("path", {d: "M" + x + " " + (y - 6) + " L" + (x - 5) + " " + (y + 5) + " L" + (x + 5) + " " + (y + 5)
        + " Z", fill: "#7f7f7f", "class": "point"}, svg);
      el("title", {}, p).textContent = "checkpoint at step " + c.step;
      drawn++;
    });
    svg.setAttribute("data-points", drawn);
  }
  function label(name, k) { return name.toUpperCase() + (k ? "@" + k : ""); }
  function series(runs, f, name) {
    return runs.map(function (run, i) {
      return {name: runs.length > 1 ? run.id : name, color: COLORS[i % COLORS.length],
        points: run.epochs.filter(function (e) { return f(e) !== undefined && f(e) !== null; })
          .map(function (e) { return [e.epoch, f(e)]; })};
    });
  }
  function phaseBars(run) {
    var totals = {};
    run.epochs.forEach(function (e) {
      var c = e.counters || {};
      var ranks = c.ranks || (c.seconds ? [Object.assign({exchangeWait: c.exchangeWaitSeconds || 0}, c.seconds)] : []);
      ranks.forEach(function (r, i) {
        var t = totals[i] || (totals[i] = {input: 0, compute: 0, transfer: 0, exchangeWait: 0, optimizer: 0});
        t.input += r.input || 0;
        t.compute += r.compute || 0;
        t.transfer += Math.max(0, (r.exchange || 0) - (r.exchangeWait || 0));
        t.exchangeWait += r.exchangeWait || 0;
        t.optimizer += r.optimizer || 0;
      });
    });
    return Object.keys(totals).map(function (i) { return {label: "rank " + i, parts: totals[i]}; });
  }

  var data = JSON.parse(document.getElementById("ringmaster-data").textContent);
  var runs = data.runs;
  document.querySelectorAll("svg.plot").forEach(function (svg) {
    var kind = svg.getAttribute("data-kind");
    var metric = svg.getAttribute("data-metric");
    if (kind === "loss") {
      linePlot(svg, "training loss", "epoch", "loss", series(runs, function (e) { return e.loss; }, "loss"));
    } else if (kind === "metric") {
      var lines = series(runs, function (e) { return e[metric]; }, label(metric, runs[0].k));
      runs.forEach(function (run, i) {
        if (run.baseline && run.baseline[metric] !== undefined && run.epochs.length) {
          var first = run.epochs[0].epoch, last = run.epochs[run.epochs.length - 1].epoch;
          lines.push({name: "most-popular" + (runs.length > 1 ? " (" + run.id + ")" : ""), color: "#7f7f7f",
            dashed: true, points: [[first, run.baseline[metric]], [last, run.baseline[metric]]]});
        }
      });
      linePlot(svg, label(metric, runs[0].k) + " per epoch", "epoch", label(metric, runs[0].k), lines);
    } else if (kind === "throughput") {
      linePlot(svg, "training throughput", "epoch", "samples/s",
        series(runs, function (e) { return e.samplesPerSecond; }, "samples/s"));
    } else if (kind === "phases") {
      stackedBars(svg, "step time by phase, per rank", phaseBars(runs[0]),
        ["input", "compute", "transfer", "exchangeWait", "optimizer"]);
    } else if (kind === "attempts") {
      attemptsPlot(svg, runs[0]);
    } else if (kind === "series") {
      var p = data.plots[Number(svg.getAttribute("data-index"))];
      linePlot(svg, p.title, p.xLabel, p.yLabel, p.series.map(function (s, i) {
        return {name: s.name, color: s.color || COLORS[i % COLORS.length], points: s.points};
      }));
    }
  });
  document.body.setAttribute("data-rendered", "true");
})();
