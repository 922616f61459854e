"use strict";

(function () {
  const form = document.getElementById("query-form");
  const status = document.getElementById("status");
  const graph = new FlameGraph(document.getElementById("flamegraph"), document.getElementById("tooltip"));
  const params = new URLSearchParams(location.search);
  if (params.get("query")) document.getElementById("query").value = params.get("query");

  async function run() {
    const query = document.getElementById("query").value;
    const from = document.getElementById("range").value;
    status.className = "";
    status.textContent = "Loading…";
    const url = `pyroscope/render?query=${encodeURIComponent(query)}&from=${from}&until=now`;
    try {
      const res = await fetch(url);
      const text = await res.text();
      if (!res.ok) throw new Error(text.trim() || res.statusText);
      const body = JSON.parse(text);
      const unit = (body.metadata.name || "").split(":")[2];
      graph.render(body.flamebearer, unit);
      status.textContent = body.flamebearer.numTicks > 0
        ? `${body.metadata.name}: total ${FlameGraph.fmt(body.flamebearer.numTicks, unit)}`
        : "No profiles in this range yet.";
    } catch (err) {
      status.className = "error";
      status.textContent = err.message;
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  run();
})();
