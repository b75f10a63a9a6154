package dev.rollgate.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rules every module checks on its own classes (design §8 and §10), shared through
 * the core's test jar so that each module's {@code ArchitectureTest} only says which apply. Each
 * rule's reason starts with its name, which is what a failing build prints.
 */
public final class HouseRules {
  private HouseRules() {}

  /** The packages under {@code root} depend on each other one way. */
  public static ArchRule noPackageCycles(String module, String root) {
    return slices()
        .matching(root + ".(*)..")
        .should()
        .beFreeOfCycles()
        .allowEmptyShould(true) // a module with one package has no slices yet
        .because("rule " + module + "-no-package-cycles: packages depend on each other one way");
  }

  /** Only the core uses {@code dev.rollgate.core.internal}. */
  public static ArchRule coreInternalStaysInCore() {
    return noClasses()
        .that()
        .resideOutsideOfPackage("dev.rollgate.core..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.rollgate.core.internal..")
        .because("rule core-internal-not-api: dev.rollgate.core.internal is used only by the core");
  }

  /** Code that runs inside users' applications pulls in nothing of the server's. */
  public static ArchRule noServerLibraries(String module, String why) {
    return noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.rollgate.server..",
            "io.javalin..",
            "org.eclipse.jetty..",
            "jakarta.servlet..",
            "java.sql..",
            "com.zaxxer..",
            "org.flywaydb..",
            "io.micrometer..",
            "ch.qos.logback..")
        .because("rule " + module + "-no-server-libraries: " + why);
  }
}
