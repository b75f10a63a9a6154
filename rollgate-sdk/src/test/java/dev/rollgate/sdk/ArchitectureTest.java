package dev.rollgate.sdk;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** House rules for the SDK's own classes (design §8 and §10). */
@AnalyzeClasses(packages = "dev.rollgate.sdk", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("dev.rollgate.sdk.(*)..")
          .should()
          .beFreeOfCycles()
          .allowEmptyShould(true) // one package today
          .because("rule sdk-no-package-cycles: packages depend on each other one way");

  @ArchTest
  static final ArchRule coreInternalStaysInCore =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.rollgate.core..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.rollgate.core.internal..")
          .because(
              "rule core-internal-not-api: dev.rollgate.core.internal is used only by the core");

  @ArchTest
  static final ArchRule noServerLibraries =
      noClasses()
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
          .because(
              "rule sdk-no-server-libraries: the SDK runs inside applications and logs through the"
                  + " SLF4J API only");
}
