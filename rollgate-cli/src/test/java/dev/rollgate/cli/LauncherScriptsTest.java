package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Windows launchers at the repository root, {@code rollgate.ps1} and {@code rollgate.cmd},
 * against the bash launcher {@code ./rollgate} they mirror. They are not executed here: PowerShell
 * cannot be installed on these machines, so these are static checks of the scripts' text, made to
 * fail when one of them drifts from {@code ./rollgate} (another jar, Java version, Maven command,
 * message, or arguments and exit code not passed through). {@link LauncherIT} runs {@code
 * ./rollgate} itself.
 */
class LauncherScriptsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static String read(String name) throws IOException {
    return Files.readString(ROOT.resolve(name), StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  private static String bash() throws IOException {
    return read("rollgate");
  }

  private static String ps1() throws IOException {
    return read("rollgate.ps1");
  }

  private static String cmd() throws IOException {
    return read("rollgate.cmd");
  }

  private static String group(String regex, String text) {
    Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
    assertThat(m.find()).as("%s in%n%s", regex, text).isTrue();
    return m.group(1);
  }

  /** The statements of a script without its comment lines, blank lines or trailing blanks. */
  private static List<String> code(String script, String commentPrefix) {
    return script
        .lines()
        .map(String::strip)
        .filter(l ->
            !l.isEmpty() && !l.regionMatches(true, 0, commentPrefix, 0, commentPrefix.length()))
        .toList();
  }

  @Test
  void runsTheSameJar() throws Exception {
    String jar = group("\njar=\"\\$root/([^\"]+)\"", bash());
    assertThat(jar).isEqualTo("rollgate-cli/target/rollgate.jar");
    assertThat(ps1()).contains("$jar = \"$root\\" + jar.replace('/', '\\') + "\"");
  }

  @Test
  void needsTheSameJavaVersion() throws Exception {
    String bash = bash();
    String minimum = group("\\[ \"\\$version\" -ge (\\d+) \\]", bash);
    assertThat(minimum).isEqualTo("21");
    assertThat(group("needs a JDK (\\d+) or newer", bash)).isEqualTo(minimum);
    assertThat(ps1()).contains("$found.Version -ge " + minimum + " ").contains("JDK " + minimum);
  }

  @Test
  void looksForJavaInTheSameOrderThenInTheWindowsInstallFolders() throws Exception {
    String ps1 = ps1();
    assertThat(ps1)
        .containsSubsequence(
            "$env:JAVA_HOME\\bin\\java.exe",
            "Get-Command java",
            "\"$env:ProgramFiles\\Java\\*\"",
            "\"$env:ProgramFiles\\Eclipse Adoptium\\*\"",
            "\"$env:ProgramFiles\\Microsoft\\jdk*\"",
            "\"$env:USERPROFILE\\.jdks\\*\"",
            // the newest, unless JAVA_HOME is new enough
            "-gt $bestVersion",
            "Keep an explicit JAVA_HOME when it is new enough.",
            "break");
    assertThat(bash()).contains("Keep an explicit JAVA_HOME when it is new enough.");
  }

  @Test
  void buildsWithTheSameMavenModulesAndFlags() throws Exception {
    String command = group("\\./mvnw ([^>]*)>\"\\$log\"", bash().replaceAll("\\\\\n\\s*", " "));
    List<String> bashArgs = Arrays.asList(command.strip().split("\\s+"));
    assertThat(bashArgs)
        .contains("-pl", "rollgate-cli,rollgate-openfeature", "-am", "-DskipTests", "package");

    String ps1 = ps1();
    String array = group("\\$mavenArgs = @\\((.*?)\\)", ps1);
    List<String> ps1Args = new ArrayList<>();
    Matcher quoted = Pattern.compile("'([^']*)'").matcher(array);
    while (quoted.find()) {
      ps1Args.add(quoted.group(1));
    }
    assertThat(ps1Args).isEqualTo(bashArgs);
    assertThat(ps1).contains("& \"$root\\mvnw.cmd\" @mavenArgs *> $log");
    assertThat(group("Push-Location -LiteralPath (\\$root)", ps1)).isEqualTo("$root"); // cd "$root"
  }

  @Test
  void rebuildsOnTheSameSources() throws Exception {
    assertThat(bash())
        .contains(
            "\"$root\"/pom.xml \"$root\"/rollgate-*/pom.xml \"$root\"/rollgate-*/src/main -newer");
    assertThat(ps1())
        .contains(
            "\"$root\\pom.xml\"",
            "-Filter 'rollgate-*'",
            "\"$($module.FullName)\\pom.xml\"",
            "\"$($module.FullName)\\src\\main\"",
            "-LiteralPath $main -Recurse",
            "-gt $built");
  }

  @Test
  void saysTheSameAndExitsWithTheSameCodes() throws Exception {
    String bash = bash();
    String ps1 = ps1();
    Matcher message = Pattern.compile("echo \"(rollgate: [^\"]+)\" >&2").matcher(bash);
    int messages = 0;
    while (message.find()) {
      assertThat(ps1).contains("[Console]::Error.WriteLine('" + message.group(1) + "')");
      messages++;
    }
    assertThat(messages).isEqualTo(3);
    assertThat(count(code(ps1, "#"), "exit 2")).isEqualTo(count(code(bash, "#"), "exit 2"));
    // [ERROR]/[WARNING] lines of the build's log on failure, the first 40
    assertThat(bash).contains("grep -E '^\\[(ERROR|WARNING)\\] ' \"$log\" | head -n 40 >&2");
    assertThat(ps1)
        .contains("-match '^\\[(ERROR|WARNING)\\] '")
        .contains("Select-Object -First 40 | ForEach-Object { [Console]::Error.WriteLine($_) }");
  }

  private static long count(List<String> lines, String statement) {
    return lines.stream().filter(l -> l.equals(statement) || l.endsWith(" " + statement)).count();
  }

  @Test
  void takesTheSameStepsInTheSameOrder() throws Exception {
    assertThat(bash())
        .containsSubsequence(
            "java_home=\"$(find_java_home",
            "export JAVA_HOME=",
            "if stale;",
            "flock",
            "exec \"$JAVA_HOME/bin/java\"");
    assertThat(ps1())
        .containsSubsequence(
            "$javaHome = Find-JavaHome",
            "$env:JAVA_HOME = $javaHome",
            "if (Test-Stale)",
            "[System.IO.File]::Open(\"$root\\rollgate-cli\\target\\.launcher-build.lock\"",
            "if (Test-Stale) { Invoke-Build }",
            "& \"$javaHome\\bin\\java.exe\"");
  }

  @Test
  void ps1PassesEveryArgumentToJavaAndExitsWithItsCode() throws Exception {
    String bashRun = code(bash(), "#").getLast();
    assertThat(bashRun)
        .isEqualTo("exec \"$JAVA_HOME/bin/java\" ${ROLLGATE_JAVA_OPTS:-} -jar \"$jar\" \"$@\"");

    List<String> ps1 = code(ps1(), "#");
    assertThat(ps1.subList(ps1.size() - 2, ps1.size()))
        .containsExactly(
            "& \"$javaHome\\bin\\java.exe\" @javaOpts -jar $jar @javaArgs", "exit $LASTEXITCODE");
    assertThat(ps1())
        .contains("\n$javaOpts = @(-split \"$env:ROLLGATE_JAVA_OPTS\" | Where-Object { $_ })")
        .contains("\n$javaArgs = @($args)\n");
    // Besides @($args), $javaArgs is only rewritten element by element (quotes escaped for
    // Windows PowerShell), never cut short.
    assertThat(ps1.stream().filter(l -> l.startsWith("$javaArgs =")))
        .containsExactly(
            "$javaArgs = @($args)",
            "$javaArgs = @($javaArgs | ForEach-Object { $_ -replace '(\\\\*)\"', '$1$1\\\"' })");
  }

  @Test
  void cmdHandsEverythingToPs1AndExitsWithItsCode() throws Exception {
    List<String> cmd = code(cmd(), "rem");
    assertThat(cmd.getFirst()).isEqualTo("@echo off");
    assertThat(cmd.subList(cmd.size() - 2, cmd.size()))
        .containsExactly(
            "powershell -NoProfile -ExecutionPolicy Bypass -File \"%~dp0rollgate.ps1\" %*",
            "exit /b %ERRORLEVEL%");
    // No second copy of the logic to drift: the JDK, the build and java are rollgate.ps1's.
    assertThat(cmd).noneMatch(l -> l.contains("java") || l.contains("mvnw") || l.contains(".jar"));
    assertThat(cmd()).contains("delegates to rollgate.ps1");
  }

  @Test
  void windowsScriptsKeepCrlfLineEndings() throws Exception {
    assertThat(read(".gitattributes").lines())
        .contains("*.cmd text eol=crlf", "*.ps1 text eol=crlf");
  }
}
