// Value formatting shared by the flame graph, the timeline and the table.
"use strict";

const EmberFormat = {
  // unit is the profile type's sample unit: nanoseconds, bytes, count, ...
  value(v, unit) {
    const a = Math.abs(v);
    if (unit === "nanoseconds") {
      if (a >= 3.6e12) return (v / 3.6e12).toFixed(2) + " h";
      if (a >= 6e10) return (v / 6e10).toFixed(2) + " min";
      if (a >= 1e9) return (v / 1e9).toFixed(2) + " s";
      if (a >= 1e6) return (v / 1e6).toFixed(1) + " ms";
      if (a >= 1e3) return (v / 1e3).toFixed(1) + " µs";
      return v + " ns";
    }
    if (unit === "bytes") {
      if (a >= 2 ** 30) return (v / 2 ** 30).toFixed(2) + " GiB";
      if (a >= 2 ** 20) return (v / 2 ** 20).toFixed(2) + " MiB";
      if (a >= 2 ** 10) return (v / 2 ** 10).toFixed(1) + " KiB";
      return v + " B";
    }
    if (a >= 1e9) return (v / 1e9).toFixed(2) + " G";
    if (a >= 1e6) return (v / 1e6).toFixed(2) + " M";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + " k";
    return String(v);
  },
  percent(part, whole) {
    return whole > 0 ? ((part / whole) * 100).toFixed(2) + "%" : "0%";
  },
  // The sample unit of a five-part profile type ID.
  unitOf(typeId) {
    return (typeId || "").split(":")[2] || "";
  },
};
