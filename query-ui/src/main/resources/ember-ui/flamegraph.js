// A dependency-free canvas flame graph that draws Pyroscope flamebearer levels directly.
// Single format: each level is a flat list of [x_delta, total, self, name] tuples.
// Double (diff) format: [left_x_delta, left_total, left_self, right_x_delta, right_total,
// right_self, name]; a node is as wide as left + right, coloured by the change of its share.
"use strict";

class FlameGraph {
  constructor(canvas, tooltip) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.rowHeight = 18;
    this.data = null;
    this.zoom = null; // {level, x, width} of the focused node
    this.highlight = "";
    this.drawn = 0;
    canvas.addEventListener("mousemove", (e) => this.onMove(e));
    canvas.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    canvas.addEventListener("click", (e) => this.onClick(e));
  }

  // Absolute positions: nodes[level] = [{x, width, name, total, self, lt, ls, rt, rs}].
  static decode(fb, format) {
    const step = format === "double" ? 7 : 4;
    return fb.levels.map((level) => {
      const nodes = [];
      let lx = 0;
      let rx = 0;
      for (let i = 0; i < level.length; i += step) {
        if (step === 4) {
          lx += level[i];
          nodes.push({ x: lx, width: level[i + 1], total: level[i + 1], self: level[i + 2],
            name: fb.names[level[i + 3]] });
          lx += level[i + 1];
        } else {
          lx += level[i];
          rx += level[i + 3];
          const n = { x: lx + rx, width: level[i + 1] + level[i + 4], lt: level[i + 1], ls: level[i + 2],
            rt: level[i + 4], rs: level[i + 5], name: fb.names[level[i + 6]] };
          n.total = n.lt + n.rt;
          n.self = n.ls + n.rs;
          nodes.push(n);
          lx += level[i + 1];
          rx += level[i + 4];
        }
      }
      return nodes;
    });
  }

  // body: a flamebearer response ({flamebearer, metadata, leftTicks?, rightTicks?}).
  render(body) {
    const format = body.metadata && body.metadata.format === "double" ? "double" : "single";
    const fb = body.flamebearer;
    this.data = {
      fb, format, unit: EmberFormat.unitOf(body.metadata && body.metadata.name),
      levels: FlameGraph.decode(fb, format),
      leftTicks: body.leftTicks || 0, rightTicks: body.rightTicks || 0,
    };
    this.zoom = null;
    this.draw();
  }

  setHighlight(text) {
    this.highlight = text || "";
    if (this.data) this.draw();
  }

  draw() {
    const { levels, fb } = this.data;
    const width = this.canvas.clientWidth || 800;
    const ratio = window.devicePixelRatio || 1;
    const height = Math.max(1, levels.length) * this.rowHeight;
    this.canvas.width = width * ratio;
    this.canvas.height = height * ratio;
    this.canvas.style.height = height + "px";
    const ctx = this.canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.font = "12px ui-monospace, monospace";
    ctx.textBaseline = "middle";
    const z = this.zoom || { level: 0, x: 0, width: fb.numTicks };
    const scale = z.width > 0 ? width / z.width : 0;
    let drawn = 0;
    levels.forEach((nodes, depth) => {
      for (const n of nodes) {
        if (n.x + n.width <= z.x || n.x >= z.x + z.width) continue;
        const ancestor = depth < z.level;
        const left = Math.max(0, (n.x - z.x) * scale);
        const right = Math.min(width, (n.x + n.width - z.x) * scale);
        const w = right - left;
        if (w < 0.5) continue;
        drawn++;
        ctx.fillStyle = this.color(n, ancestor);
        ctx.fillRect(left, depth * this.rowHeight, Math.max(0.5, w - 0.5), this.rowHeight - 1);
        if (w > 30) {
          ctx.fillStyle = "#111";
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, depth * this.rowHeight, w - 2, this.rowHeight);
          ctx.clip();
          ctx.fillText(n.name, left + 3, depth * this.rowHeight + this.rowHeight / 2);
          ctx.restore();
        }
      }
    });
    this.drawn = drawn;
  }

  color(n, faded) {
    if (n.name === "total") return faded ? "#e4e4e4" : "#c9c9c9";
    if (this.highlight && !n.name.includes(this.highlight)) return "#e8e8e8";
    if (this.highlight) return "#ff3d9a";
    if (this.data.format === "double") {
      const d = this.shareChange(n);
      const mag = Math.min(1, Math.abs(d) / 0.2); // 20 points of share is full colour
      const light = 88 - mag * 38;
      if (Math.abs(d) < 1e-4) return `hsl(0, 0%, ${faded ? 90 : 82}%)`;
      return d > 0 ? `hsl(0, 85%, ${light}%)` : `hsl(120, 55%, ${light}%)`;
    }
    let h = 0;
    for (let i = 0; i < n.name.length; i++) h = (h * 31 + n.name.charCodeAt(i)) | 0;
    const hue = 10 + (Math.abs(h) % 40);
    return `hsl(${hue}, ${faded ? 30 : 80}%, ${faded ? 85 : 62}%)`;
  }

  // Change of a node's share of its side's total, right minus left (diffs compare percentages).
  shareChange(n) {
    const l = this.data.leftTicks > 0 ? n.lt / this.data.leftTicks : 0;
    const r = this.data.rightTicks > 0 ? n.rt / this.data.rightTicks : 0;
    return r - l;
  }

  nodeAt(e) {
    if (!this.data) return null;
    const rect = this.canvas.getBoundingClientRect();
    const depth = Math.floor((e.clientY - rect.top) / this.rowHeight);
    const nodes = this.data.levels[depth];
    if (!nodes) return null;
    const z = this.zoom || { level: 0, x: 0, width: this.data.fb.numTicks };
    const tick = z.x + ((e.clientX - rect.left) / rect.width) * z.width;
    const n = nodes.find((m) => m.x <= tick && tick < m.x + m.width);
    return n ? { ...n, level: depth } : null;
  }

  describe(n) {
    const unit = this.data.unit;
    if (this.data.format === "double") {
      const lp = EmberFormat.percent(n.lt, this.data.leftTicks);
      const rp = EmberFormat.percent(n.rt, this.data.rightTicks);
      const d = (this.shareChange(n) * 100).toFixed(2);
      return `${n.name}\nleft  ${EmberFormat.value(n.lt, unit)} (${lp})\n` +
        `right ${EmberFormat.value(n.rt, unit)} (${rp})\nchange ${d > 0 ? "+" : ""}${d} points`;
    }
    const total = this.data.fb.numTicks || 1;
    return `${n.name}\ntotal ${EmberFormat.value(n.total, unit)} (${EmberFormat.percent(n.total, total)})` +
      `, self ${EmberFormat.value(n.self, unit)}`;
  }

  onMove(e) {
    const n = this.nodeAt(e);
    if (!n) { this.tooltip.hidden = true; return; }
    this.tooltip.textContent = this.describe(n);
    this.tooltip.style.left = Math.min(e.offsetX + 12, this.canvas.clientWidth - 320) + "px";
    this.tooltip.style.top = e.offsetY + 14 + "px";
    this.tooltip.hidden = false;
  }

  onClick(e) {
    const n = this.nodeAt(e);
    this.zoom = n && n.level > 0 ? { level: n.level, x: n.x, width: n.width } : null;
    this.draw();
  }
}
