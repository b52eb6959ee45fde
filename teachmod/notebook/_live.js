// The browser side of LiveMetrics: keeps the points the kernel sends and draws them on a canvas.
// Self-contained (no imports, no network), so it runs offline and in JupyterLite.
//
// Messages (see _widget.py): {reset, first_batch, status, names, titles,
//   batches: {epoch, nbatch, time, lr, <name>...}, epochs: {epoch, batches, train-<name>...,
//   val-<name>...}}. `reset` replaces the points kept so far instead of adding to them.

const TRAIN = "#1f77b4", VALID = "#ff7f0e", OTHER = "#2ca02c";
const stores = new Map(); // uid -> {data, views}: shared by the model and its views

function store(model) {
  const uid = model.get("uid");
  if (!stores.has(uid)) {
    stores.set(uid, {data: null, views: new Set()});
  }
  return stores.get(uid);
}

function receive(s, msg) {
  if (msg.reset || !s.data) {
    s.data = msg;
  } else {
    for (const key of Object.keys(msg.batches)) {
      s.data.batches[key] = (s.data.batches[key] || []).concat(msg.batches[key]);
    }
    Object.assign(s.data, {status: msg.status, epochs: msg.epochs, names: msg.names,
                           titles: msg.titles});
  }
  for (const draw of s.views) draw();
}

// x of each batch: epoch + share of the epoch done. The last epoch counts as at least as long
// as the one before it (as _plot.epoch_lengths does), the running one as long as seen so far.
function xs(d) {
  const len = {}, e = d.epochs, b = d.batches;
  e.epoch.forEach((k, i) => { len[k] = e.batches[i]; });
  b.epoch.forEach((k, i) => { if (!(k in len)) len[k] = 0; len[k] = Math.max(len[k], b.nbatch[i] + 1); });
  const keys = Object.keys(len).map(Number).sort((p, q) => p - q);
  if (keys.length >= 2) {
    const last = keys[keys.length - 1];
    len[last] = Math.max(len[last], len[keys[keys.length - 2]]);
  }
  return {batch: b.epoch.map((k, i) => k + (b.nbatch[i] + 1) / len[k]),
          epoch: e.epoch.map((k, i) => k + e.batches[i] / len[k])};
}

function ticks(lo, hi, n) {
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) out.push(t);
  return out;
}

function fmt(v) {
  const a = Math.abs(v);
  if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
  if (a >= 100 || a === 0) return v.toFixed(0);
  return a >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

function panel(ctx, box, title, xlim, series, xlabel, floor0) {
  const [x0, y0, w, h] = box, L = 46, R = 8, T = 20, B = 30;
  const ys = series.flatMap((s) => s.y).filter((v) => v !== null && isFinite(v));
  let lo = ys.length ? Math.min(...ys) : 0, hi = ys.length ? Math.max(...ys) : 1;
  if (floor0) lo = Math.min(lo, 0);
  const pad = hi > lo ? 0.06 * (hi - lo) : Math.max(Math.abs(hi) * 0.1, 1e-3);
  lo = floor0 ? lo : lo - pad; hi += pad;
  const px = (x) => x0 + L + (x - xlim[0]) / (xlim[1] - xlim[0]) * (w - L - R);
  const py = (y) => y0 + T + (hi - y) / (hi - lo) * (h - T - B);
  ctx.font = "13px sans-serif"; ctx.fillStyle = "#000"; ctx.textAlign = "center";
  ctx.fillText(title, x0 + L + (w - L - R) / 2, y0 + 14);
  ctx.font = "11px sans-serif"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
  for (const t of ticks(lo, hi, 5)) {
    ctx.beginPath(); ctx.moveTo(px(xlim[0]), py(t)); ctx.lineTo(px(xlim[1]), py(t)); ctx.stroke();
    ctx.textAlign = "right"; ctx.fillText(fmt(t), x0 + L - 4, py(t) + 4);
  }
  for (const t of ticks(xlim[0], xlim[1], 5)) {
    ctx.textAlign = "center"; ctx.fillText(fmt(t), px(t), y0 + h - B + 14);
  }
  ctx.fillText(xlabel, x0 + L + (w - L - R) / 2, y0 + h - 4);
  ctx.strokeStyle = "#888"; ctx.strokeRect(px(xlim[0]), py(hi), w - L - R, h - T - B);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.fillStyle = "#fff"; ctx.lineWidth = s.width || 1.5;
    ctx.beginPath();
    const points = s.x.map((x, i) => [px(x), py(s.y[i])]).filter((p, i) => s.y[i] !== null && isFinite(s.y[i]));
    if (s.marker !== "circle") {  // a line through the points (validation: with squares)
      // a line per epoch (parts), or through all points (validation)
      const part = s.parts ? s.parts.filter((p, i) => s.y[i] !== null && isFinite(s.y[i])) : null;
      points.forEach(([X, Y], i) => (i && (!part || part[i] === part[i - 1]) ? ctx.lineTo(X, Y) : ctx.moveTo(X, Y)));
      ctx.stroke();
    }
    for (const [X, Y] of s.marker ? points : []) {
      ctx.beginPath();
      if (s.marker === "circle") {
        ctx.arc(X, Y, 3.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      } else {
        ctx.fillStyle = s.color; ctx.fillRect(X - 3, Y - 3, 6, 6);
      }
    }
  }
}

function draw(el, canvas, status, model) {
  const d = store(model).data, spec = model.get("spec");
  if (!d || !d.batches.epoch.length) return;
  const b = d.batches, e = d.epochs, x = xs(d);
  const hasLr = b.lr.some((v) => v !== null);
  const size = spec.batch_size;
  const panels = d.names.map((name, i) => ({title: d.titles[i], series: [
    {x: x.batch, y: b[name], color: TRAIN, width: 1.2, parts: b.epoch},
    {x: x.epoch, y: e["train-" + name] || [], color: TRAIN, marker: "circle"},
    {x: x.epoch, y: e["val-" + name] || [], color: VALID, marker: "square"}]}));
  if (hasLr) panels.push({title: spec.labels.lr, floor0: true,
                          series: [{x: x.batch, y: b.lr, color: OTHER, parts: b.epoch}]});
  if (size) {
    // samples/s over the last few points of the same epoch (single points are noisy)
    const sx = [], sy = [], se = [];
    for (let i = 1; i < b.time.length; i++) {
      let j = i - 1;
      while (j > 0 && i - j < 5 && b.epoch[j - 1] === b.epoch[i]) j--;
      const dt = b.time[i] - b.time[j], dn = b.nbatch[i] - b.nbatch[j];
      if (b.epoch[j] === b.epoch[i] && dt > 0 && dn > 0) {
        sx.push(x.batch[i]); sy.push(dn * size / dt); se.push(b.epoch[i]);
      }
    }
    panels.push({title: spec.labels.speed, floor0: true,
                 series: [{x: sx, y: sy, color: OTHER, parts: se}]});
  }
  const cols = panels.length === 4 ? 2 : Math.min(3, panels.length), rows = Math.ceil(panels.length / cols);
  const width = Math.max(320, Math.min(el.clientWidth || 900, 1000)), pw = width / cols, ph = 210;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio; canvas.height = rows * ph * ratio;
  canvas.style.width = width + "px"; canvas.style.height = rows * ph + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, rows * ph);
  const first = Math.min(...b.epoch), last = Math.max(...x.batch, ...x.epoch);
  const xlim = [first, Math.max(first + 1, Math.ceil(last - 1e-9))];
  panels.forEach((p, i) => panel(ctx, [(i % cols) * pw, Math.floor(i / cols) * ph, pw, ph],
                                 p.title, xlim, p.series, spec.labels.epoch, p.floor0));
  status.textContent = d.status;
  // what the browser test reads: frames drawn, points shown, when the first data appeared
  el.dataset.frames = String(Number(el.dataset.frames || 0) + 1);
  el.dataset.points = String(b.epoch.length);
  el.dataset.lastBatch = b.epoch[b.epoch.length - 1] + ":" + b.nbatch[b.nbatch.length - 1];
  if (!el.dataset.firstDrawn) {
    el.dataset.firstDrawn = String(Date.now());
    el.dataset.firstBatch = String(d.first_batch);
  }
}

export default {
  initialize({model}) {
    const s = store(model);
    model.on("msg:custom", (msg) => receive(s, msg));
  },
  render({model, el}) {
    const spec = model.get("spec");
    el.classList.add("teachmod-live");
    const bar = document.createElement("div");
    bar.style.cssText = "display:flex;align-items:center;gap:10px;font:14px monospace;margin:4px 0";
    const button = document.createElement("button");
    button.textContent = spec.labels.stop;
    button.style.cssText = "background:#d9534f;color:#fff;border:0;border-radius:3px;padding:4px 14px;cursor:pointer";
    button.title = spec.stop_heard ? "" : "Kernel > Interrupt";
    button.disabled = !spec.stop;
    button.addEventListener("click", () => {
      model.send({event: "click"});
      button.disabled = true;
    });
    const status = document.createElement("span");
    status.textContent = spec.labels.waiting;
    bar.append(button, status);
    const legend = document.createElement("div");
    legend.style.cssText = "font:12px sans-serif;color:#333;margin-left:8px";
    legend.innerHTML = [[TRAIN, spec.labels.batch, "—"], [TRAIN, spec.labels.train, "○"],
                        [VALID, spec.labels.val, "■"]]
      .map(([c, t, m]) => `<span style="color:${c}">${m}</span> ${t}`).join("&emsp;");
    const canvas = document.createElement("canvas");
    if (spec.title) {
      const h = document.createElement("div");
      h.textContent = spec.title;
      h.style.cssText = "font:bold 14px sans-serif;margin:2px 0 2px 8px";
      el.append(h);
    }
    el.append(bar, canvas, legend);
    const s = store(model);
    let queued = false;
    const redraw = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; draw(el, canvas, status, model); });
    };
    s.views.add(redraw);
    redraw();
    model.send({event: "ready"});  // the kernel waits for this before training starts
    return () => s.views.delete(redraw);
  },
};
