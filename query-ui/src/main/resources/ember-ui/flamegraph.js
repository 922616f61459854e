// A dependency-free canvas flame graph that draws Pyroscope flamebearer "levels" directly.
// Each level is a flat list of [x_delta, total, self, name_index] tuples (see docs/api.md).
"use strict";

class FlameGraph {
  constructor(canvas, tooltip) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.rowHeight = 18;
    this.data = null;
    this.zoom = null; // {level, x, total} of the focused node
    canvas.addEventListener("mousemove", (e) => this.onMove(e));
    canvas.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    canvas.addEventListener("click", (e) => this.onClick(e));
  }

  // Absolute x offsets for every node: nodes[level] = [{x, total, self, name}].
  static decode(fb) {
    return fb.levels.map((level) => {
      const nodes = [];
      let x = 0;
      for (let i = 0; i < level.length; i += 4) {
        x += level[i];
        nodes.push({ x, total: level[i + 1], self: level[i + 2], name: fb.names[level[i + 3]] });
        x += level[i + 1];
      }
      return nodes;
    });
  }

  render(flamebearer, unit) {
    this.data = { fb: flamebearer, levels: FlameGraph.decode(flamebearer), unit };
    this.zoom = null;
    this.draw();
  }

  draw() {
    const { levels, fb } = this.data;
    const width = this.canvas.clientWidth || 800;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio;
    this.canvas.height = levels.length * this.rowHeight * ratio;
    this.canvas.style.height = levels.length * this.rowHeight + "px";
    const ctx = this.canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.font = "12px ui-monospace, monospace";
    ctx.textBaseline = "middle";
    const z = this.zoom || { level: 0, x: 0, total: fb.numTicks };
    const scale = z.total > 0 ? width / z.total : 0;
    levels.forEach((nodes, depth) => {
      for (const n of nodes) {
        if (n.x + n.total <= z.x || n.x >= z.x + z.total) continue;
        if (depth < z.level && !(n.x <= z.x && n.x + n.total >= z.x + z.total)) continue;
        const left = Math.max(0, (n.x - z.x) * scale);
        const right = Math.min(width, (n.x + n.total - z.x) * scale);
        const w = right - left;
        if (w < 0.5) continue;
        ctx.fillStyle = FlameGraph.color(n.name, depth < z.level);
        ctx.fillRect(left, depth * this.rowHeight, w - 0.5, this.rowHeight - 1);
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
  }

  static color(name, faded) {
    if (name === "total") return faded ? "#ddd" : "#c9c9c9";
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
    const hue = 10 + (Math.abs(h) % 40);
    return `hsl(${hue}, ${faded ? 30 : 80}%, ${faded ? 85 : 62}%)`;
  }

  nodeAt(e) {
    if (!this.data) return null;
    const rect = this.canvas.getBoundingClientRect();
    const depth = Math.floor((e.clientY - rect.top) / this.rowHeight);
    const nodes = this.data.levels[depth];
    if (!nodes) return null;
    const z = this.zoom || { level: 0, x: 0, total: this.data.fb.numTicks };
    const tick = z.x + ((e.clientX - rect.left) / rect.width) * z.total;
    const n = nodes.find((m) => m.x <= tick && tick < m.x + m.total);
    return n ? { ...n, level: depth } : null;
  }

  onMove(e) {
    const n = this.nodeAt(e);
    if (!n) { this.tooltip.hidden = true; return; }
    const total = this.data.fb.numTicks || 1;
    const pct = ((n.total / total) * 100).toFixed(2);
    this.tooltip.textContent = `${n.name}\ntotal ${FlameGraph.fmt(n.total, this.data.unit)} (${pct}%)` +
      `, self ${FlameGraph.fmt(n.self, this.data.unit)}`;
    this.tooltip.style.whiteSpace = "pre";
    this.tooltip.style.left = e.offsetX + 12 + "px";
    this.tooltip.style.top = e.offsetY + 12 + "px";
    this.tooltip.hidden = false;
  }

  onClick(e) {
    const n = this.nodeAt(e);
    this.zoom = n && n.level > 0 ? { level: n.level, x: n.x, total: n.total } : null;
    this.draw();
  }

  static fmt(v, unit) {
    if (unit === "nanoseconds") {
      if (v >= 1e9) return (v / 1e9).toFixed(2) + " s";
      if (v >= 1e6) return (v / 1e6).toFixed(1) + " ms";
      return v + " ns";
    }
    if (unit === "bytes") {
      if (v >= 1 << 30) return (v / (1 << 30)).toFixed(2) + " GiB";
      if (v >= 1 << 20) return (v / (1 << 20)).toFixed(2) + " MiB";
      if (v >= 1 << 10) return (v / (1 << 10)).toFixed(1) + " KiB";
      return v + " B";
    }
    return String(v);
  }
}
