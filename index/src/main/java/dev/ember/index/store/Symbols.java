package dev.ember.index.store;

/**
 * A read-only view of a partition's symbol tables at one moment (see {@link
 * SymbolTables#snapshot()}). Safe to use from any thread without locks.
 */
record Symbols(
    String[] strings,
    int stringCount,
    int[] fnName,
    int[] fnSystem,
    int[] fnFile,
    int fnCount,
    StackNodes.View stacks,
    int[][] series,
    int seriesCount,
    long[][] linkPages,
    int linkCount,
    long[] attributes,
    int attributeCount,
    int[][] attributeSets,
    int attributeSetCount,
    int[][] types,
    String[] typeNames,
    int typeCount) {

  String string(int id) {
    return strings[id];
  }

  String functionName(int fn) {
    return strings[fnName[fn]];
  }

  String functionSystemName(int fn) {
    return strings[fnSystem[fn]];
  }

  String functionFile(int fn) {
    return strings[fnFile[fn]];
  }

  int nodeParent(int node) {
    return stacks.parent()[node];
  }

  int nodeFunction(int node) {
    return stacks.function()[node];
  }

  long nodeLine(int node) {
    return stacks.line()[node];
  }

  int nodeCount() {
    return stacks.size();
  }

  /** Sorted (name id, value id) pairs of a series. */
  int[] seriesPairs(int id) {
    return series[id];
  }

  /** The high 8 bytes of a link's trace id (big endian); 0 for link 0. */
  long traceHigh(int link) {
    return linkWord(link, 0);
  }

  /** The low 8 bytes of a link's trace id (big endian). */
  long traceLow(int link) {
    return linkWord(link, 1);
  }

  /** A link's span id as a big-endian long. */
  long span(int link) {
    return linkWord(link, 2);
  }

  private long linkWord(int link, int word) {
    return linkPages[link >>> SymbolTables.LINK_PAGE_BITS][
        3 * (link & (SymbolTables.LINK_PAGE - 1)) + word];
  }

  /** A link's trace id, 32 hex digits (all zeros for link 0). */
  String traceHex(int link) {
    return LinkBytes.traceHex(traceHigh(link), traceLow(link));
  }

  /** A link's span id, 16 hex digits. */
  String spanHex(int link) {
    return LinkBytes.spanHex(span(link));
  }

  int attributeKey(int id) {
    return (int) (attributes[id] >>> 32);
  }

  int attributeValue(int id) {
    return (int) attributes[id];
  }

  int[] attributeSet(int id) {
    return attributeSets[id];
  }

  /** Five string ids: name, sample type, sample unit, period type, period unit. */
  int[] type(int id) {
    return types[id];
  }

  /** The type ID, e.g. {@code process_cpu:cpu:nanoseconds:cpu:nanoseconds}. */
  String typeId(int id) {
    return typeNames[id];
  }
}
