package dev.rollgate.cli.admin;

import dev.rollgate.cli.common.UserInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rollgate completion}: shell completion scripts, generated from the command tree. */
@Command(
    name = "completion",
    description = {
      "Print a shell completion script for bash, zsh or PowerShell.",
      "",
      "Example (bash): source <(rollgate completion bash)",
      "Example (zsh): autoload -U +X bashcompinit && bashcompinit && source <(rollgate completion zsh)",
      "Example (PowerShell): rollgate completion powershell | Out-String | Invoke-Expression"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash, zsh or powershell.")
  String shell;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    String script =
        switch (shell) {
          // picocli's script serves both: zsh runs it through bashcompinit.
          case "bash", "zsh" -> AutoComplete.bash("rollgate", root);
          case "powershell" -> powershell(root);
          default ->
              throw new UserInputException("SHELL: bash, zsh or powershell, not '" + shell + "'");
        };
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /**
   * A native argument completer: the words typed so far pick a command in a table of every
   * command's subcommands and options, generated here from the same tree picocli parses.
   */
  static String powershell(CommandLine root) {
    Map<String, List<String>> table = new TreeMap<>();
    collect(root, "", table);
    StringBuilder s = new StringBuilder();
    s.append(
        "# rollgate completion for PowerShell: rollgate completion powershell | Out-String | Invoke-Expression\n");
    s.append("$rollgateCommands = @{\n");
    table.forEach((path, words) ->
        s.append("  '")
            .append(path)
            .append("' = @(")
            .append(String.join(", ", words.stream().map(w -> "'" + w + "'").toList()))
            .append(")\n"));
    s.append("}\n");
    s.append(
        """
        Register-ArgumentCompleter -Native -CommandName rollgate, rollgate.cmd, rollgate.ps1 -ScriptBlock {
          param($wordToComplete, $commandAst, $cursorPosition)
          $path = ''
          foreach ($element in $commandAst.CommandElements | Select-Object -Skip 1) {
            $word = $element.ToString()
            if ($word -eq $wordToComplete) { break }
            $next = ($path + ' ' + $word).Trim()
            if ($rollgateCommands.ContainsKey($next)) { $path = $next }
          }
          $rollgateCommands[$path] | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
            [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
          }
        }
        """);
    return s.toString();
  }

  private static void collect(CommandLine command, String path, Map<String, List<String>> table) {
    List<String> words = new ArrayList<>(command.getSubcommands().keySet());
    for (OptionSpec option : command.getCommandSpec().options()) {
      words.add(option.longestName());
    }
    table.put(path, words);
    command
        .getSubcommands()
        .forEach((name, sub) -> {
          if (sub.getCommandName().equals(name)) { // aliases lead to the same command
            collect(sub, (path + " " + name).strip(), table);
          }
        });
  }
}
