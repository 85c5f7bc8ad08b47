package io.scaleblocks.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says, for each forked JVM of a run made with {@code BENCH_INLINING=1 scripts/bench}, what its
 * measurement loop calls out of line: the calls that the last optimising (C2) compile of JMH's
 * generated loop did not inline, with HotSpot's reason, beside the fork's mean score.
 *
 * <p>Why it exists: a fork's score can depend less on the code measured than on one inlining
 * decision. HotSpot does not inline a method into a caller being compiled if that method already
 * has optimised code of its own larger than {@code InlineSmallCode} ("already compiled into a big
 * method"). Whether it has, at the moment the loop is compiled, depends on the order in which
 * the compiler threads happened to work, so the same benchmark can land in two clusters of
 * scores from fork to fork. This report shows which cluster each fork is in.
 *
 * <p>Usage: {@code InliningReport <jmh json> <compilation log>...}, the logs in the order the
 * forks ran (HotSpot's {@code -XX:+LogCompilation} output, one file per fork). Reads both with
 * patterns, with {@link MarkdownReport}'s helpers. Run from the command line, single-threaded.
 */
public final class InliningReport {

  private static final Pattern RAW_DATA = Pattern.compile("\"rawData\"\\s*:\\s*\\[(.*?)]\\s*]", Pattern.DOTALL);
  private static final Pattern FORK = Pattern.compile("\\[([^\\[\\]]*)");
  /** A compile of a JMH-generated measurement loop; C1 compiles carry a level, C2 ones do not. */
  private static final Pattern LOOP_COMPILE = Pattern.compile(
      "<task compile_id='\\d+'( compile_kind='osr')? method='[^']*_jmhStub [^']*'([^>]*)>(.*?)</task>", Pattern.DOTALL);
  private static final Pattern STAMP = Pattern.compile("stamp='([\\d.]+)'");
  private static final Pattern KLASS = Pattern.compile("<klass id='(\\d+)' name='([^']*)'");
  private static final Pattern METHOD = Pattern.compile("<method id='(\\d+)' holder='(\\d+)' name='([^']*)'");
  /**
   * A call site and HotSpot's decision on it. Both outcomes are matched, so that a call whose
   * decision is a success never borrows the failure of a later call.
   */
  private static final Pattern CALL_DECISION = Pattern.compile(
      "<call method='(\\d+)'[^>]*/>\\s*(?:<[^>]*/>\\s*)*?<inline_(fail|success) reason='([^']*)'");

  private InliningReport() {}

  public static void main(String[] args) throws IOException {
    List<String> forks = forks(Files.readString(Path.of(args[0])));
    System.out.println("| fork | benchmark | params | mean score | calls its loop makes out of line (HotSpot's reason) |");
    System.out.println("|---|---|---|---:|---|");
    for (int i = 1; i < args.length; i++) {
      String fork = i - 1 < forks.size() ? forks.get(i - 1) : "| ? | ? | ? |";
      System.out.printf(Locale.ROOT, "| %d %s %s |%n", i, fork, outOfLine(Files.readString(Path.of(args[i]))));
    }
  }

  /** Each fork of each result, in run order, as "| benchmark | params | mean |". */
  private static List<String> forks(String json) {
    List<String> forks = new ArrayList<>();
    for (String run : MarkdownReport.runs(json)) {
      Matcher raw = RAW_DATA.matcher(run);
      if (!raw.find()) {
        continue;
      }
      String benchmark = MarkdownReport.shortName(MarkdownReport.first(MarkdownReport.BENCHMARK, run));
      String params = MarkdownReport.params(run);
      Matcher fork = FORK.matcher(raw.group(1) + "]");
      while (fork.find()) {
        double sum = 0;
        int n = 0;
        for (String score : fork.group(1).split(",")) {
          if (!score.isBlank()) {
            sum += Double.parseDouble(score.trim());
            n++;
          }
        }
        forks.add(String.format(Locale.ROOT, "| %s | %s | %.4g |", benchmark, params, sum / n));
      }
    }
    return forks;
  }

  /**
   * The calls that the latest C2 compile of the loop left out of line. A normal compile is
   * preferred to an on-stack replacement, as every measurement iteration after the first enters
   * the loop anew.
   */
  private static String outOfLine(String log) {
    String latest = null;
    double latestStamp = -1;
    boolean latestIsOsr = true;
    Matcher compile = LOOP_COMPILE.matcher(log);
    while (compile.find()) {
      if (compile.group(2).contains("level=")) {
        continue;
      }
      boolean osr = compile.group(1) != null;
      double stamp = Double.parseDouble(MarkdownReport.first(STAMP, compile.group(2)));
      if ((latestIsOsr && !osr) || (latestIsOsr == osr && stamp > latestStamp)) {
        latest = compile.group(3);
        latestStamp = stamp;
        latestIsOsr = osr;
      }
    }
    if (latest == null) {
      return "no C2 compile of the loop";
    }
    Map<String, String> classes = new HashMap<>();
    Matcher klass = KLASS.matcher(latest);
    while (klass.find()) {
      String name = klass.group(2);
      classes.put(klass.group(1), name.substring(name.lastIndexOf('.') + 1));
    }
    Map<String, String> methods = new HashMap<>();
    Matcher method = METHOD.matcher(latest);
    while (method.find()) {
      methods.put(method.group(1), classes.getOrDefault(method.group(2), "?") + "." + method.group(3));
    }
    Set<String> calls = new LinkedHashSet<>();
    Matcher call = CALL_DECISION.matcher(latest);
    while (call.find()) {
      if (call.group(2).equals("fail")) {
        calls.add("`" + methods.getOrDefault(call.group(1), "?") + "` (" + call.group(3) + ")");
      }
    }
    return calls.isEmpty() ? "none" : String.join(", ", calls);
  }
}
