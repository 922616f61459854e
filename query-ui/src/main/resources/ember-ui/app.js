// Wires the page: state lives in the URL (so links from traces and dashboards work), queries go
// to the Pyroscope-compatible endpoints, results feed the flame graph, timeline and top table.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const DEFAULT_TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  const graph = new FlameGraph($("flamegraph"), $("tooltip"));
  const timeline = new Timeline($("timeline"), (from, until) => {
    setRange(String(from), String(until));
    run();
  });
  let sortKey = "self";
  let lastRows = [];
  let lastUnit = "";
  let renders = 0;

  const params = new URLSearchParams(location.search);
  const state = {
    mode: params.get("mode") || (params.get("traceId") ? "trace" : "single"),
    type: params.get("type") || "",
    query: params.get("query") || "{}",
    from: params.get("from") || "now-1h",
    until: params.get("until") || "now",
    rightQuery: params.get("rightQuery") || "",
    rightFrom: params.get("rightFrom") || "",
    rightUntil: params.get("rightUntil") || "",
    traceId: params.get("traceId") || "",
    spanId: params.get("spanId") || "",
  };
  // A full selector in ?query= (type{...}) selects its type too.
  const brace = state.query.indexOf("{");
  if (brace > 0) {
    state.type = state.query.slice(0, brace);
    state.query = state.query.slice(brace);
  }

  function setRange(from, until) {
    $("from").value = from;
    $("until").value = until;
    $("range").value = [...$("range").options].some((o) => o.value === from) && until === "now" ? from : "custom";
  }

  function fill() {
    $("query").value = state.query;
    setRange(state.from, state.until);
    $("right-query").value = state.rightQuery;
    $("right-from").value = state.rightFrom;
    $("right-until").value = state.rightUntil;
    $("trace-id").value = state.traceId;
    $("span-id").value = state.spanId;
    setMode(state.mode);
  }

  function read() {
    state.type = $("type").value || state.type || DEFAULT_TYPE;
    state.query = $("query").value.trim() || "{}";
    state.from = $("from").value.trim() || "now-1h";
    state.until = $("until").value.trim() || "now";
    state.rightQuery = $("right-query").value.trim();
    state.rightFrom = $("right-from").value.trim();
    state.rightUntil = $("right-until").value.trim();
    state.traceId = $("trace-id").value.trim().toLowerCase();
    state.spanId = $("span-id").value.trim().toLowerCase();
  }

  function setMode(mode) {
    state.mode = mode;
    document.body.dataset.mode = mode;
    for (const tab of document.querySelectorAll(".tab")) {
      tab.classList.toggle("active", tab.dataset.mode === mode);
    }
    $("label-left").textContent = mode === "diff" ? "Baseline" : "Query";
  }

  // A selector: the chosen type plus the matchers; a query with its own type is kept as is.
  function selector(query, extra) {
    let q = query.startsWith("{") ? state.type + query : query;
    if (extra.length) {
      const close = q.lastIndexOf("}");
      const inner = q.slice(q.indexOf("{") + 1, close).trim();
      q = q.slice(0, q.indexOf("{") + 1) + [inner, ...extra].filter((s) => s).join(",") + "}";
    }
    return q;
  }

  function url(path, args) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(args)) if (v !== "" && v !== undefined) u.set(k, v);
    return `${path}?${u}`;
  }

  async function fetchJson(u) {
    const res = await fetch(u, { headers: tenantHeader() });
    const text = await res.text();
    if (!res.ok) throw new Error(text.trim() || `${res.status} ${res.statusText}`);
    return JSON.parse(text);
  }

  function tenantHeader() {
    const t = params.get("tenant");
    return t ? { "X-Scope-OrgID": t } : {};
  }

  async function loadTypes() {
    const select = $("type");
    let types = [];
    try {
      const body = await fetchJson(url("pyroscope/label-values", { label: "__name__", from: "now-7d", until: "now" }));
      types = Array.isArray(body) ? body : body.names || [];
    } catch (e) {
      types = [];
    }
    if (state.type && !types.includes(state.type)) types.unshift(state.type);
    if (types.length === 0) types = [DEFAULT_TYPE];
    select.textContent = "";
    for (const t of types) {
      const o = document.createElement("option");
      o.value = t;
      o.textContent = t;
      select.appendChild(o);
    }
    select.value = state.type || (types.includes(DEFAULT_TYPE) ? DEFAULT_TYPE : types[0]);
  }

  function status(text, error) {
    $("status").textContent = text;
    $("status").className = error ? "error" : "";
  }

  async function run() {
    read();
    history.replaceState(null, "", "?" + new URLSearchParams(Object.entries(state).filter(([, v]) => v)));
    status("Loading…");
    try {
      let body;
      if (state.mode === "diff") {
        const right = state.rightQuery || state.query;
        body = await fetchJson(url("pyroscope/render-diff", {
          leftQuery: selector(state.query, []), leftFrom: state.from, leftUntil: state.until,
          rightQuery: selector(right, []), rightFrom: state.rightFrom || state.from,
          rightUntil: state.rightUntil || state.until,
        }));
      } else {
        const extra = [];
        if (state.mode === "trace") {
          if (!/^[0-9a-f]{32}$/.test(state.traceId)) throw new Error("a trace id has 32 hex digits");
          extra.push(`trace_id="${state.traceId}"`);
          if (state.spanId) {
            if (!/^[0-9a-f]{16}$/.test(state.spanId)) throw new Error("a span id has 16 hex digits");
            extra.push(`span_id="${state.spanId}"`);
          }
        }
        body = await fetchJson(url("pyroscope/render", {
          query: selector(state.query, extra), from: state.from, until: state.until, maxNodes: 4096,
        }));
      }
      show(body);
    } catch (err) {
      status(err.message, true);
    }
  }

  function show(body) {
    lastUnit = EmberFormat.unitOf(body.metadata && body.metadata.name);
    graph.render(body);
    graph.setHighlight($("search").value.trim());
    timeline.render(state.mode === "diff" ? null : body.timeline, lastUnit);
    lastRows = TopTable.rows(graph.data.levels, graph.data.format);
    TopTable.render($("top-table").querySelector("tbody"), lastRows, lastUnit, sortKey);
    const fb = body.flamebearer;
    if (graph.data.format === "double") {
      status(`diff: baseline ${EmberFormat.value(body.leftTicks || 0, lastUnit)}, ` +
        `comparison ${EmberFormat.value(body.rightTicks || 0, lastUnit)}; red grew, green shrank (share of each side)`);
    } else {
      status(fb.numTicks > 0 ? `${body.metadata.name}: total ${EmberFormat.value(fb.numTicks, lastUnit)}`
        : "No samples match in this range.");
    }
    renders++;
    window.emberUi.lastBody = body;
    document.body.dataset.renders = String(renders);
  }

  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => { setMode(tab.dataset.mode); });
  }
  $("range").addEventListener("change", () => {
    if ($("range").value !== "custom") { $("from").value = $("range").value; $("until").value = "now"; }
  });
  $("search").addEventListener("input", () => graph.setHighlight($("search").value.trim()));
  $("query-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
  for (const th of $("top-table").querySelectorAll("th")) {
    th.addEventListener("click", () => {
      sortKey = th.textContent.toLowerCase() === "total" ? "total" : "self";
      TopTable.render($("top-table").querySelector("tbody"), lastRows, lastUnit, sortKey);
    });
  }

  window.emberUi = { graph, state, run };
  fill();
  loadTypes().then(run);
})();
