package io.scaleblocks.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a JMH JSON result file into a markdown table: benchmark, parameters, mode, score with
 * its 99.9% error, and the normalised allocation rate when the gc profiler ran. Given the files
 * of several rounds of the same benchmarks ({@code BENCH_ROUNDS}), it prints one row per
 * benchmark and parameters with the score of each round and their mean.
 *
 * <p>JMH's JSON is regular enough to read with patterns, which keeps the bench jar free of a
 * JSON library.
 */
public final class MarkdownReport {

  static final Pattern BENCHMARK = Pattern.compile("\"benchmark\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern MODE = Pattern.compile("\"mode\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern THREADS = Pattern.compile("\"threads\"\\s*:\\s*(\\d+)");
  private static final Pattern PARAMS = Pattern.compile("\"params\"\\s*:\\s*\\{([^}]*)}");
  private static final Pattern PRIMARY = Pattern.compile(
      "\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([-0-9.eE]+|\"NaN\")\\s*,"
          + "\\s*\"scoreError\"\\s*:\\s*([-0-9.eE]+|\"NaN\")\\s*,.*?\"scoreUnit\"\\s*:\\s*\"([^\"]+)\"",
      Pattern.DOTALL);
  private static final Pattern ALLOC = Pattern.compile(
      "\"gc\\.alloc\\.rate\\.norm\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([-0-9.eE]+)", Pattern.DOTALL);

  private MarkdownReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 1) {
      printRounds(args);
      return;
    }
    String json = Files.readString(Path.of(args[0]));
    System.out.println("| benchmark | params | threads | mode | score | ± error | unit | B/op |");
    System.out.println("|---|---|---|---|---:|---:|---|---:|");
    for (String run : runs(json)) {
      Matcher primary = PRIMARY.matcher(run);
      if (!primary.find()) {
        continue;
      }
      Matcher alloc = ALLOC.matcher(run);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
          shortName(first(BENCHMARK, run)),
          params(run),
          first(THREADS, run),
          first(MODE, run),
          number(primary.group(1)),
          number(primary.group(2)),
          primary.group(3),
          alloc.find() ? number(alloc.group(1)) : "");
    }
  }

  /** One row per benchmark and parameters, in the order of the first round: each round's score, then the mean. */
  private static void printRounds(String[] files) throws IOException {
    Map<String, List<Double>> scores = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (String file : files) {
      for (String run : runs(Files.readString(Path.of(file)))) {
        Matcher primary = PRIMARY.matcher(run);
        if (!primary.find() || primary.group(1).contains("NaN")) {
          continue;
        }
        String row = String.format(Locale.ROOT, "| %s | %s | %s | %s |", shortName(first(BENCHMARK, run)),
            params(run), first(THREADS, run), first(MODE, run));
        scores.computeIfAbsent(row, r -> new ArrayList<>()).add(Double.parseDouble(primary.group(1)));
        units.put(row, primary.group(3));
      }
    }
    StringBuilder header = new StringBuilder("| benchmark | params | threads | mode |");
    StringBuilder rule = new StringBuilder("|---|---|---|---|");
    for (int round = 1; round <= files.length; round++) {
      header.append(" round ").append(round).append(" |");
      rule.append("---:|");
    }
    System.out.println(header.append(" mean | unit |"));
    System.out.println(rule.append("---:|---|"));
    scores.forEach((row, values) -> {
      StringBuilder line = new StringBuilder(row);
      values.forEach(value -> line.append(' ').append(number(Double.toString(value))).append(" |"));
      for (int missing = values.size(); missing < files.length; missing++) {
        line.append("  |");
      }
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      System.out.println(line.append(' ').append(number(Double.toString(mean))).append(" | ").append(units.get(row)).append(" |"));
    });
  }

  /** The text of each result in a JMH JSON file, in run order. */
  static List<String> runs(String json) {
    List<String> runs = new ArrayList<>();
    int start = json.indexOf("\"jmhVersion\"");
    while (start >= 0) {
      int next = json.indexOf("\"jmhVersion\"", start + 1);
      runs.add(next < 0 ? json.substring(start) : json.substring(start, next));
      start = next;
    }
    return runs;
  }

  static String first(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? matcher.group(1) : "";
  }

  /** A result's parameters as "name : value, ..." on one line. */
  static String params(String run) {
    return first(PARAMS, run).replace("\"", "").replaceAll("\\s+", " ").trim();
  }

  static String shortName(String benchmark) {
    return benchmark.replaceFirst("^io\\.scaleblocks\\.bench\\.", "");
  }

  private static String number(String raw) {
    if (raw.contains("NaN")) {
      return "NaN";
    }
    double value = Double.parseDouble(raw);
    return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.3g", value);
  }
}
