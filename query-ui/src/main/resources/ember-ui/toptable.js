// Self and total per function, computed from the flame graph's levels. A function's total counts
// each stack once even when the function recurses (only its outermost frames are summed).
"use strict";

const TopTable = {
  rows(levels, format) {
    const self = new Map();
    const total = new Map();
    // Walk levels top-down, tracking which names are already on the path to each node.
    const paths = []; // per level: [{x, width, names:Set}]
    levels.forEach((nodes, depth) => {
      paths[depth] = [];
      for (const n of nodes) {
        const parent = depth === 0 ? null
          : paths[depth - 1].find((p) => p.x <= n.x && n.x < p.x + Math.max(p.width, 1));
        const onPath = parent ? parent.names : new Set();
        if (n.name !== "total") {
          self.set(n.name, (self.get(n.name) || 0) + n.self);
          if (!onPath.has(n.name)) total.set(n.name, (total.get(n.name) || 0) + n.total);
        }
        const names = new Set(onPath);
        names.add(n.name);
        paths[depth].push({ x: n.x, width: n.width, names });
      }
    });
    return [...total.keys()].map((name) => ({ name, self: self.get(name) || 0, total: total.get(name) }));
  },

  render(tbody, rows, unit, sortKey) {
    rows.sort((a, b) => b[sortKey] - a[sortKey] || a.name.localeCompare(b.name));
    tbody.textContent = "";
    for (const r of rows.slice(0, 200)) {
      const tr = document.createElement("tr");
      for (const [text, cls] of [[r.name, ""], [EmberFormat.value(r.self, unit), "num"],
        [EmberFormat.value(r.total, unit), "num"]]) {
        const td = document.createElement("td");
        td.textContent = text;
        if (cls) td.className = cls;
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
  },
};
