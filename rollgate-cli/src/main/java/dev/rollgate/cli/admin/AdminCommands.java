package dev.rollgate.cli.admin;

import java.util.List;

/** The admin client's commands, which the {@code rollgate} command adds to its own. */
public final class AdminCommands {
  private AdminCommands() {}

  /** A fresh instance of each, in the order the help lists them. */
  public static List<Object> all() {
    return List.of(
        new LoginCommand(),
        new LogoutCommand(),
        new FlagsCommand(),
        new SegmentsCommand(),
        new EnvironmentsCommand(),
        new ProjectsCommand(),
        new TokensCommand(),
        new WebhooksCommand(),
        new TriggersCommand(),
        new RolloutsCommand(),
        new ReleasesCommand(),
        new ExperimentsCommand(),
        new MetricsCommand(),
        new StaleFlagsCommand(),
        new AuditCommand(),
        new ImportCommand(),
        new ExportCommand(),
        new HealthCommand(),
        new HealthChecksCommand(),
        new VerifyApprovalCommand(),
        new CompletionCommand());
  }
}
