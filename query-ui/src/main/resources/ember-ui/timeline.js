// Totals over time as bars; drag across it to pick a new time range.
"use strict";

class Timeline {
  // onSelect(fromSeconds, untilSeconds) is called after a drag.
  constructor(canvas, onSelect) {
    this.canvas = canvas;
    this.onSelect = onSelect;
    this.data = null;
    this.dragFrom = null;
    canvas.addEventListener("mousedown", (e) => { this.dragFrom = this.xOf(e); });
    canvas.addEventListener("mouseup", (e) => this.finishDrag(e));
  }

  // timeline: {startTime (s), samples: [...], durationDelta (s)} as in Pyroscope's render.
  render(timeline, unit) {
    this.data = timeline && timeline.samples ? { ...timeline, unit } : null;
    this.draw();
  }

  draw() {
    const width = this.canvas.clientWidth || 800;
    const height = 60;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio;
    this.canvas.height = height * ratio;
    this.canvas.style.height = height + "px";
    const ctx = this.canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#f6f6f6";
    ctx.fillRect(0, 0, width, height);
    if (!this.data || this.data.samples.length === 0) return;
    const s = this.data.samples;
    const max = Math.max(1, ...s);
    const w = width / s.length;
    ctx.fillStyle = "#ff9c6e";
    s.forEach((v, i) => {
      const h = (v / max) * (height - 4);
      ctx.fillRect(i * w, height - h, Math.max(1, w - 1), h);
    });
  }

  xOf(e) {
    const rect = this.canvas.getBoundingClientRect();
    return (e.clientX - rect.left) / rect.width;
  }

  finishDrag(e) {
    if (this.dragFrom === null || !this.data) return;
    const a = Math.min(this.dragFrom, this.xOf(e));
    const b = Math.max(this.dragFrom, this.xOf(e));
    this.dragFrom = null;
    if (b - a < 0.01) return;
    const span = this.data.samples.length * this.data.durationDelta;
    const from = Math.floor(this.data.startTime + a * span);
    const until = Math.ceil(this.data.startTime + b * span);
    this.onSelect(from, until);
  }
}
