package dev.rollgate.stats;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** House rules for the statistics (design §8 and §10). */
@AnalyzeClasses(
    packages = "dev.rollgate.stats",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("dev.rollgate.stats.(*)..")
          .should()
          .beFreeOfCycles()
          .allowEmptyShould(true) // one package today
          .because("rule stats-no-package-cycles: packages depend on each other one way");

  @ArchTest
  static final ArchRule pureFunctions =
      classes()
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("java..", "org.apache.commons..", "dev.rollgate.stats..")
          .because(
              "rule stats-pure: the statistics are pure functions over the JDK and Commons"
                  + " Statistics");
}
