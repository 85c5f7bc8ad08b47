package io.scaleblocks.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.util.Comparator;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published modules work as named modules: an application that {@code requires} them runs on
 * the module path with no {@code --add-modules}, and cannot compile against their internals.
 */
class ModulePathTest {

  @Test
  void applicationRunsOnTheModulePathWithNothingAdded() throws Exception {
    List<String> command = List.of(javaLauncher(), "--module-path", modulePath(),
        "--module", "io.scaleblocks.consumer/io.scaleblocks.consumer.Main");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!exited) {
      process.destroyForcibly();
    }

    assertTrue(exited, "the application did not exit within 60 s:\n" + output);
    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains("config: max-size=3"), output);
    assertTrue(output.contains("sharding: key 42 on db"), output);
    assertTrue(output.contains("lb: picked "), output);
    assertTrue(output.contains("cache: hello!"), output);
    assertTrue(output.contains("replication: 42"), output);
    assertTrue(output.contains("session: ada"), output);
    assertTrue(output.contains("queue: resize:42"), output);
    assertFalse(output.contains("NoClassDefFoundError"), output);
  }

  @Test
  void everyModuleIsNamedAndExportsNoInternalPackage() throws IOException {
    List<ModuleDescriptor> ours = ourModules();

    assertTrue(ours.stream().map(ModuleDescriptor::name).toList().containsAll(
        List.of("io.scaleblocks.config", "io.scaleblocks.sharding", "io.scaleblocks.lb", "io.scaleblocks.cache",
            "io.scaleblocks.replication", "io.scaleblocks.session", "io.scaleblocks.queue")),
        ours.toString());
    for (ModuleDescriptor descriptor : ours) {
      assertFalse(descriptor.isAutomatic(), descriptor.name() + " has no module-info");
      for (ModuleDescriptor.Exports exports : descriptor.exports()) {
        assertFalse(exports.source().contains(".internal"), descriptor.name() + " exports " + exports.source());
      }
    }
  }

  @Test
  void applicationCannotCompileAgainstAnInternalClass(@TempDir Path sources) throws IOException {
    String internalClass = ourModules().stream()
        .flatMap(descriptor -> descriptor.packages().stream())
        .filter(name -> name.endsWith(".internal"))
        .flatMap(ModulePathTest::publicClassesOf)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no module has an internal package to probe"));
    String internalPackage = internalClass.substring(0, internalClass.lastIndexOf('.'));
    String owner = internalPackage.substring(0, internalPackage.length() - ".internal".length());

    Path module = sources.resolve("probe");
    Path pkg = Files.createDirectories(module.resolve("probe"));
    Files.writeString(module.resolve("module-info.java"), "module probe { requires " + owner + "; }\n");
    Files.writeString(pkg.resolve("Probe.java"),
        "package probe;\npublic class Probe { Class<?> c = " + internalClass + ".class; }\n");

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled = compiler.getTask(diagnostics, null, null,
        List.of("--module-path", modulePath(), "-d", sources.resolve("out").toString()), null,
        compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(
            module.resolve("module-info.java").toFile(), pkg.resolve("Probe.java").toFile()))
        .call();

    assertFalse(compiled, "a module compiled against " + internalClass);
    assertTrue(diagnostics.toString().contains("package " + internalPackage + " is not visible")
        && diagnostics.toString().contains("does not export it"), diagnostics.toString());
  }

  private static List<ModuleDescriptor> ourModules() throws IOException {
    return moduleFinder().findAll().stream()
        .map(ModuleReference::descriptor)
        .filter(descriptor -> descriptor.name().startsWith("io.scaleblocks.") && !descriptor.name().equals("io.scaleblocks.consumer"))
        .sorted(Comparator.comparing(ModuleDescriptor::name))
        .toList();
  }

  /** The public top-level classes of {@code pkg}, found through the module that holds it. */
  private static Stream<String> publicClassesOf(String pkg) {
    try {
      for (ModuleReference reference : moduleFinder().findAll()) {
        if (!reference.descriptor().packages().contains(pkg)) {
          continue;
        }
        try (ModuleReader reader = reference.open()) {
          List<String> classes = reader.list()
              .filter(name -> name.startsWith(pkg.replace('.', '/') + "/") && name.endsWith(".class"))
              .filter(name -> name.indexOf('$') < 0 && name.lastIndexOf('/') == pkg.length())
              .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
              .filter(ModulePathTest::isPublic)
              .toList();
          return classes.stream();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Stream.empty();
  }

  private static ModuleFinder moduleFinder() throws IOException {
    return ModuleFinder.of(Stream.of(modulePath().split(File.pathSeparator)).map(Path::of).toArray(Path[]::new));
  }

  private static boolean isPublic(String className) {
    try {
      return Modifier.isPublic(Class.forName(className, false, ModulePathTest.class.getClassLoader()).getModifiers());
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** This module's classes and its runtime dependencies, as a user's build resolves them. */
  private static String modulePath() throws IOException {
    List<String> entries = new ArrayList<>();
    entries.add(System.getProperty("consumer.classes"));
    String dependencies = Files.readString(Path.of(System.getProperty("consumer.module-path-file"))).trim();
    if (!dependencies.isEmpty()) {
      entries.add(dependencies);
    }
    return String.join(File.pathSeparator, entries);
  }

  private static String javaLauncher() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
