package dev.ember.exporter;

/**
 * One stack frame as the exporter keeps it: JVM-style names ({@code java/util/HashMap.get}), the
 * method descriptor as system name, a file name derived from the class, and the line (0 = unknown).
 */
record Frame(String name, String systemName, String fileName, int line) {}
