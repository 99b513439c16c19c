package dev.webhooks.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one run, each with its ratio to its peer and to its limit, and its target. */
final class Report {
  private final boolean quick;
  private final List<Row> rows = new ArrayList<>();

  /** One figure. Ratios are this figure over the other one's, measured in the same run. */
  static final class Row {
    final String section;
    final String what;
    final double value;
    final String unit;
    String peer;
    double peerRatio = Double.NaN;
    String limit;
    double limitRatio = Double.NaN;
    String target;
    Boolean met;

    Row(String section, String what, double value, String unit) {
      this.section = section;
      this.what = what;
      this.value = value;
      this.unit = unit;
    }

    /** Beside a peer library's figure for the same work. */
    Row peer(String name, double ratio) {
      this.peer = name;
      this.peerRatio = ratio;
      return this;
    }

    /** Beside the physical limit of the same work. */
    Row limit(String name, double ratio) {
      this.limit = name;
      this.limitRatio = ratio;
      return this;
    }

    /** The target for this figure, and whether this run met it. */
    Row target(String text, boolean met) {
      this.target = text;
      this.met = met;
      return this;
    }
  }

  Report(boolean quick) {
    this.quick = quick;
  }

  synchronized Row add(String section, String what, double value, String unit) {
    Row r = new Row(section, what, value, unit);
    rows.add(r);
    System.out.printf(Locale.ROOT, "   %-58s %14s %s%n", what, format(value), unit);
    return r;
  }

  synchronized List<String> missedTargets() {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (Boolean.FALSE.equals(r.met)) {
        out.add(r.what + " (" + r.target + ")");
      }
    }
    return out;
  }

  synchronized String markdown(Duration took) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Run: %s, %d cores, Java %s, %s; %.0f s in all.%n%n", quick ? "quick" : "full",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"), took.toMillis() / 1e3));
    sb.append("| section | figure | value | unit | peer | × peer | limit | × limit | target | met |\n");
    sb.append("|---|---|---:|---|---|---:|---|---:|---|---|\n");
    for (Row r : rows) {
      sb.append("| ").append(r.section).append(" | ").append(r.what).append(" | ").append(format(r.value))
          .append(" | ").append(r.unit).append(" | ").append(r.peer == null ? "" : r.peer).append(" | ")
          .append(Double.isNaN(r.peerRatio) ? "" : String.format(Locale.ROOT, "%.2f", r.peerRatio)).append(" | ")
          .append(r.limit == null ? "" : r.limit).append(" | ")
          .append(Double.isNaN(r.limitRatio) ? "" : String.format(Locale.ROOT, "%.2f", r.limitRatio)).append(" | ")
          .append(r.target == null ? "" : r.target).append(" | ")
          .append(r.met == null ? "" : r.met ? "yes" : "**no**").append(" |\n");
    }
    return sb.toString();
  }

  /** Writes the rows, one per line, tab-separated, for the JVM that started this one. */
  synchronized void writeRows(java.nio.file.Path file) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    for (Row r : rows) {
      sb.append(String.join("\t", r.section, r.what, Double.toString(r.value), r.unit, String.valueOf(r.peer),
          Double.toString(r.peerRatio), String.valueOf(r.limit), Double.toString(r.limitRatio),
          String.valueOf(r.target), String.valueOf(r.met))).append('\n');
    }
    java.nio.file.Files.writeString(file, sb, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Adds the rows {@link #writeRows} wrote (none if the file is empty), without printing them again. */
  synchronized void readRows(java.nio.file.Path file) throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      Row r = new Row(f[0], f[1], Double.parseDouble(f[2]), f[3]);
      r.peer = f[4].equals("null") ? null : f[4];
      r.peerRatio = Double.parseDouble(f[5]);
      r.limit = f[6].equals("null") ? null : f[6];
      r.limitRatio = Double.parseDouble(f[7]);
      r.target = f[8].equals("null") ? null : f[8];
      r.met = f[9].equals("null") ? null : Boolean.valueOf(f[9]);
      rows.add(r);
    }
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
