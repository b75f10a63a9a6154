package dev.rollgate.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** House rules for the command line's own classes (design §8 and §10). */
@AnalyzeClasses(packages = "dev.rollgate.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("dev.rollgate.cli.(*)..")
          .should()
          .beFreeOfCycles()
          .allowEmptyShould(true) // one package today
          .because("rule cli-no-package-cycles: packages depend on each other one way");

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
}
